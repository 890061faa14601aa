// Package analyzer is the public face of sharedvet: the list of its
// analyzers, for drivers (the sharedvet command, go vet, nogo,
// golangci-lint) to run.
package analyzer

import (
	"golang.org/x/tools/go/analysis"

	"github.com/sharedvet/sharedvet/passes/lockchan"
)

// All returns sharedvet's analyzers, in the order they are documented.
func All() []*analysis.Analyzer {
	return []*analysis.Analyzer{
		lockchan.Analyzer,
	}
}
