// Package safefunc runs per-function analysis so that a panic on one
// function of user code skips that function instead of crashing the
// whole run, and so that pathological functions are skipped up front.
package safefunc

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"runtime/pprof"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/functime"
)

// MaxInstrs is the size above which a function is skipped: generated
// tables and giant switch statements hold no lock-and-channel logic
// worth the cost of a dataflow over tens of thousands of instructions.
const MaxInstrs = 50000

// ForEach calls f on each function in funcs that has a body and is not
// too large. If f panics on a function, the panic is recovered, the
// function is skipped with a one-line internal error on stderr (the
// stack too when SHAREDVET_DEBUG is set), and the analysis of the other
// functions goes on: one function we do not understand must not cost
// the findings of the rest of the package.
func ForEach(pass *analysis.Pass, funcs []*ssa.Function, f func(fn *ssa.Function)) {
	for _, fn := range funcs {
		if len(fn.Blocks) == 0 || tooLarge(fn) {
			continue
		}
		Do(pass, fn, func() { f(fn) })
	}
}

// labels is set by SHAREDVET_LABELS: CPU profiles then carry the
// analyzer and function of each sample (go tool pprof -tags), which is
// how the corpus budget "no function above 1% of its package" is
// checked. Off by default: a label set per function costs allocations.
var labels = os.Getenv("SHAREDVET_LABELS") != ""

// Do calls f, recovering a panic as described at ForEach.
func Do(pass *analysis.Pass, fn *ssa.Function, f func()) {
	if record := functime.Record; record != nil {
		elapsed := functime.Start()
		defer func() { record(pass, fn, elapsed()) }()
	}
	if labels {
		pprof.Do(context.Background(), pprof.Labels("analyzer", pass.Analyzer.Name, "pkg", pass.Pkg.Path(), "func", fn.String()), func(context.Context) { do(pass, fn, f) })
		return
	}
	do(pass, fn, f)
}

func do(pass *analysis.Pass, fn *ssa.Function, f func()) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "%s: internal error analyzing %s (skipped): %v\n", pass.Analyzer.Name, fn, r)
			if os.Getenv("SHAREDVET_DEBUG") != "" {
				os.Stderr.Write(debug.Stack())
			}
		}
	}()
	f()
}

func tooLarge(fn *ssa.Function) bool {
	n := 0
	for _, b := range fn.Blocks {
		n += len(b.Instrs)
	}
	return n > MaxInstrs
}
