// Package report is the one place where sharedvet's passes emit
// diagnostics, so that every finding carries its check's URL and goes
// through the same filters.
package report

import (
	"go/token"

	"golang.org/x/tools/go/analysis"
)

// A Finding is a diagnostic before it is reported.
type Finding struct {
	Pos      token.Pos
	Category string // unique across the suite, e.g. "lockchan-send"
	Message  string
	Related  []analysis.RelatedInformation
	Fixes    []analysis.SuggestedFix
}

// Related returns related information at pos, or nothing if pos is
// not valid (a synthetic SSA instruction has no position).
func Related(pos token.Pos, msg string) []analysis.RelatedInformation {
	if !pos.IsValid() {
		return nil
	}
	return []analysis.RelatedInformation{{Pos: pos, Message: msg}}
}

// Report emits f unless its position is invalid. The diagnostic's URL
// is the analyzer's: its section of the documentation, whatever the
// category.
func Report(pass *analysis.Pass, f Finding) {
	if !f.Pos.IsValid() {
		return
	}
	pass.Report(analysis.Diagnostic{
		Pos:            f.Pos,
		Category:       f.Category,
		Message:        f.Message,
		URL:            pass.Analyzer.URL,
		Related:        f.Related,
		SuggestedFixes: f.Fixes,
	})
}
