// Package safefunc runs per-function analysis so that a panic on one
// function of user code skips that function instead of crashing the
// whole run, and so that pathological functions are skipped up front.
//
// A skipped function is never silent: the panic is reported as an
// internal error (package internalerr) by the pass that recovered it,
// and relayed by the first pass that requires it, since drivers such
// as go vet print only the diagnostics of the checks they were asked
// to run, not those of shared analyzers like lockset.
package safefunc

import (
	"context"
	"fmt"
	"go/token"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/internal/internalerr"
	"github.com/sharedvet/sharedvet/passes/functime"
)

// MaxInstrs is the size above which a function is skipped, with a
// diagnostic that says so (reportTooLarge): generated tables and giant
// switch statements hold no lock-and-channel logic worth the cost of a
// dataflow over tens of thousands of instructions. About 8000 if
// statements make a function this large.
const MaxInstrs = 50000

// ForEach calls f on each function in funcs that has a body and is not
// too large. If f panics on a function, the panic is recovered, the
// function is skipped with an internal error reported at it (the stack
// on stderr too when SHAREDVET_DEBUG is set), and the analysis of the
// other functions goes on: one function we do not understand must not
// cost the findings of the rest of the package.
//
// ForEach first relays the internal errors of the passes that pass
// requires, on the same package (see the package comment).
func ForEach(pass *analysis.Pass, funcs []*ssa.Function, f func(fn *ssa.Function)) {
	relay(pass)
	for _, fn := range funcs {
		if len(fn.Blocks) == 0 {
			continue
		}
		if n := size(fn); n > MaxInstrs {
			reportTooLarge(pass, fn, n)
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
			if internalerr.Debug {
				os.Stderr.Write(debug.Stack())
			}
			d := analysis.Diagnostic{
				Pos:      position(pass, fn),
				Category: internalerr.Category,
				Message:  fmt.Sprintf("internal error: %s skipped %s: %v", pass.Analyzer.Name, fn, r),
			}
			pass.Report(d)
			record(pass, d)
		}
	}()
	f()
}

// position returns where to report an internal error in fn: at fn, or
// at the package clause of the package's first file for a function
// without a position (a synthetic wrapper).
func position(pass *analysis.Pass, fn *ssa.Function) token.Pos {
	if fn.Pos().IsValid() || len(pass.Files) == 0 {
		return fn.Pos()
	}
	return pass.Files[0].Package
}

// pending holds the internal errors reported so far, by package, for
// the passes that require their reporter to relay.
var pending sync.Map // *types.Package → *reported

// reported is the internal errors of one package.
type reported struct {
	mu   sync.Mutex
	errs []internalError
}

// An internalError is a diagnostic of an internal error, the analyzer
// that reported it, and whether a pass that requires that analyzer has
// relayed it yet.
type internalError struct {
	by      *analysis.Analyzer
	diag    analysis.Diagnostic
	relayed bool
}

func record(pass *analysis.Pass, d analysis.Diagnostic) {
	v, _ := pending.LoadOrStore(pass.Pkg, new(reported))
	r := v.(*reported)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, internalError{by: pass.Analyzer, diag: d})
}

// relay reports in pass, once across all passes, the internal errors
// that the analyzers pass requires reported on its package. They ran
// before pass, so their errors are all recorded by now.
func relay(pass *analysis.Pass) {
	v, ok := pending.Load(pass.Pkg)
	if !ok {
		return
	}
	r := v.(*reported)
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.errs {
		e := &r.errs[i]
		if !e.relayed && requires(pass.Analyzer, e.by) {
			e.relayed = true
			pass.Report(e.diag)
		}
	}
}

// requires reports whether a requires b, directly or not.
func requires(a, b *analysis.Analyzer) bool {
	for _, r := range a.Requires {
		if r == b || requires(r, b) {
			return true
		}
	}
	return false
}

// size returns the number of SSA instructions of fn.
func size(fn *ssa.Function) int {
	n := 0
	for _, b := range fn.Blocks {
		n += len(b.Instrs)
	}
	return n
}

// reportTooLarge says that fn is not analyzed: a finding it might hold
// must not be lost silently. The message does not name the pass, so
// that drivers print it once for all the passes that skip fn (the
// standalone driver does; go vet prints the checks' diagnostics as
// they come).
func reportTooLarge(pass *analysis.Pass, fn *ssa.Function, n int) {
	pass.Report(analysis.Diagnostic{
		Pos:      position(pass, fn),
		Category: internalerr.CategoryLimit,
		Message:  fmt.Sprintf("%s not analyzed: %d SSA instructions, over the limit of %d", fn, n, MaxInstrs),
	})
}
