// Package baseline defines the cost floor that sharedvet is measured
// against: the work any go/ssa analyzer with facts makes a driver do,
// and nothing more.
package baseline

import (
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
)

// Analyzer requires buildssa, so every analyzed package is built in SSA
// form, and declares a fact type, so drivers also analyze (and build
// SSA for) every dependency, as they do for sharedvet. It reports
// nothing.
var Analyzer = &analysis.Analyzer{
	Name:      "baseline",
	Doc:       "baseline: build SSA for every package, with facts, and report nothing",
	Requires:  []*analysis.Analyzer{buildssa.Analyzer},
	Run:       run,
	FactTypes: []analysis.Fact{new(fact)},
}

// A fact is never exported; declaring it is what makes the driver run
// the analyzer on dependencies too.
type fact struct{}

func (*fact) AFact() {}

func (*fact) String() string { return "baseline" }

func run(pass *analysis.Pass) (any, error) {
	_ = pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	return nil, nil
}
