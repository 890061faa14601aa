// Package internalerr is how sharedvet reports its own failures without
// losing the findings around them.
//
// A panic recovered while one function is analyzed becomes a
// diagnostic of category [Category] at that function, reported by the
// pass (and relayed by the passes that require it, see
// passes/internal/safefunc): a diagnostic, unlike an analyzer error,
// does not fail the analyzers that depend on the pass, so the rest of
// the package is still analyzed and reported. Every driver shows it:
// go vet prints it as a finding (and exits 1); the sharedvet command
// prints it as an error, in every output format, and exits 1.
//
// A panic anywhere else in an analyzer's Run is turned into the
// analyzer's error by [Guard], instead of crashing the process with
// everyone's findings.
package internalerr

import (
	"fmt"
	"os"
	"runtime/debug"
	"sync"

	"golang.org/x/tools/go/analysis"
)

// Category is the category of the diagnostics that report internal
// errors. No check uses it for a finding.
const Category = "internal-error"

// CategoryLimit is the category of the diagnostics that say a function
// was not analyzed because it is over a limit of size
// (safefunc.MaxInstrs). Drivers print them as warnings: the run
// succeeded, but a finding in that function would have been missed.
const CategoryLimit = "function-too-large"

// Is reports whether d reports an internal error.
func Is(d analysis.Diagnostic) bool { return d.Category == Category }

// IsLimit reports whether d says a function was over a limit.
func IsLimit(d analysis.Diagnostic) bool { return d.Category == CategoryLimit }

// Debug is set by SHAREDVET_DEBUG: recovered panics then print their
// stack on stderr.
var Debug = os.Getenv("SHAREDVET_DEBUG") != ""

// guarded holds the analyzers whose Run Guard has wrapped, so that a
// driver called twice (in tests) wraps each once.
var guarded sync.Map // *analysis.Analyzer → bool

// Guard makes a panic in the Run of each analyzer in the suite, or of
// the analyzers it requires, return an error ("internal error: ...")
// instead of crashing the process. It modifies the analyzers in place,
// since the passes find their prerequisites' results by the
// prerequisites' identity: drivers call it once, on the suite they
// run, before running it.
func Guard(analyzers []*analysis.Analyzer) {
	var visit func(a *analysis.Analyzer)
	visit = func(a *analysis.Analyzer) {
		if _, done := guarded.LoadOrStore(a, true); done {
			return
		}
		run := a.Run
		a.Run = func(pass *analysis.Pass) (result any, err error) {
			defer func() {
				if r := recover(); r != nil {
					if Debug {
						os.Stderr.Write(debug.Stack())
					}
					result, err = nil, fmt.Errorf("internal error: %s panicked: %v", a.Name, r)
				}
			}()
			return run(pass)
		}
		for _, req := range a.Requires {
			visit(req)
		}
	}
	for _, a := range analyzers {
		visit(a)
	}
}
