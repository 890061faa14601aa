// Command baseline is the cost floor of the corpus harness: the work
// that any go/ssa analyzer with facts makes the driver do, and nothing
// more. It is run beside sharedvet so that sharedvet's time and memory
// can be read as a ratio to this floor rather than as raw numbers.
//
// Its one analyzer requires buildssa, so every analyzed package is
// built in SSA form, and declares a fact type, so the driver also
// analyzes (and builds SSA for) every dependency, as it does for
// sharedvet. It reports nothing. It uses sharedvet's own driver, so
// loading, flags and output are the same in both runs.
//
// Usage:
//
//	baseline [-json] [-test=false] [-cpuprofile file] [-memprofile file] packages...
package main

import (
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"

	"github.com/sharedvet/sharedvet/internal/driver"
)

// Analyzer builds SSA for each package and its dependencies and
// reports nothing.
var Analyzer = &analysis.Analyzer{
	Name:      "baseline",
	Doc:       "baseline: build SSA for every package, with facts, and report nothing",
	Requires:  []*analysis.Analyzer{buildssa.Analyzer},
	Run:       run,
	FactTypes: []analysis.Fact{new(fact)},
}

// A fact is never exported; declaring it is what makes the driver
// run the analyzer on dependencies too.
type fact struct{}

func (*fact) AFact() {}

func (*fact) String() string { return "baseline" }

// run touches buildssa's result so the dependency is real, and
// reports nothing.
func run(pass *analysis.Pass) (any, error) {
	_ = pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	return nil, nil
}

func main() {
	driver.Main([]*analysis.Analyzer{Analyzer})
}
