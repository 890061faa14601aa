// Package analyzer is the public face of sharedvet: the list of its
// analyzers, for drivers (the sharedvet command, go vet, nogo,
// golangci-lint) to run.
package analyzer

import (
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/sharedvet/sharedvet/passes/atomicmix"
	"github.com/sharedvet/sharedvet/passes/gocapture"
	"github.com/sharedvet/sharedvet/passes/lockchan"
)

// All returns sharedvet's analyzers, in the order they are documented.
func All() []*analysis.Analyzer {
	return []*analysis.Analyzer{
		lockchan.Analyzer,
		atomicmix.Analyzer,
		gocapture.Analyzer,
	}
}

// Title returns the one-line title of an analyzer: the first line of
// its Doc without the "NAME: " prefix.
func Title(a *analysis.Analyzer) string {
	first, _, _ := strings.Cut(a.Doc, "\n")
	return strings.TrimPrefix(first, a.Name+": ")
}
