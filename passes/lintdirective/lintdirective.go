package lintdirective

import (
	_ "embed"
	"flag"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/sharedvet/sharedvet/passes/internal/directive"
	"github.com/sharedvet/sharedvet/passes/internal/docs"
)

//go:embed doc.go
var doc string

// Categories of the diagnostics.
const (
	categoryMalformed = "lintdirective-malformed"
	categoryUnused    = "lintdirective-unused"
)

// reportUnused is -lintdirective.unused: report directives that
// silenced nothing. Off by default, as in staticcheck, because a
// directive for a check that is disabled looks unused.
var reportUnused bool

// flags holds the analyzer flags. Every analyzer New returns gets a
// copy, which shares the flag definitions (a map) and so the variable
// a driver sets, whichever copy it parses into.
var flags flag.FlagSet

func init() {
	flags.BoolVar(&reportUnused, "unused", false, "report lint directives that silence no finding")
}

// New returns the lintdirective analyzer for a suite of checks. It
// requires the checks, so it runs after them on each package and sees
// which directives they used; drivers add it to the suite they run
// (the sharedvet command and the golangci-lint plugin do).
func New(checks []*analysis.Analyzer) *analysis.Analyzer {
	var names []string
	for _, c := range checks {
		names = append(names, c.Name)
	}
	return &analysis.Analyzer{
		Name:     "lintdirective",
		Doc:      docs.MustExtract(doc, "lintdirective"),
		URL:      "https://github.com/sharedvet/sharedvet#lintdirective",
		Requires: append([]*analysis.Analyzer{directive.Analyzer}, checks...),
		Flags:    flags,
		Run: func(pass *analysis.Pass) (any, error) {
			check(pass, pass.ResultOf[directive.Analyzer].(*directive.Index), names)
			return nil, nil
		},
		RunDespiteErrors: true,
	}
}

// check reports the package's directives for the checks that give no
// reason and, if asked, those that silenced nothing.
func check(pass *analysis.Pass, idx *directive.Index, checks []string) {
	for _, d := range idx.Directives() {
		if !d.Concerns(checks) {
			continue
		}
		switch {
		case d.Reason == "":
			pass.Report(analysis.Diagnostic{
				Pos:      d.Pos,
				Category: categoryMalformed,
				Message:  "lint directive gives no reason: write //lint:" + d.Kind + " " + strings.Join(d.Checks, ",") + " <reason>",
				URL:      pass.Analyzer.URL,
			})
		case reportUnused && !idx.Used(d):
			pass.Report(analysis.Diagnostic{
				Pos:      d.Pos,
				Category: categoryUnused,
				Message:  "lint directive for " + strings.Join(d.Checks, ",") + " silences no finding",
				URL:      pass.Analyzer.URL,
			})
		}
	}
}
