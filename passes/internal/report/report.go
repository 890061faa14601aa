// Package report is the one place where sharedvet's passes emit
// diagnostics, so that every finding carries its check's URL and goes
// through the same filters: here a finding silenced by a
// //lint:ignore or //lint:file-ignore directive is dropped, whichever
// driver runs the pass (go vet, the standalone driver, golangci-lint).
package report

import (
	"fmt"
	"go/ast"
	"go/token"

	"golang.org/x/tools/go/analysis"

	"github.com/sharedvet/sharedvet/passes/internal/directive"
	"github.com/sharedvet/sharedvet/passes/internal/srcname"
)

// A Finding is a diagnostic before it is reported.
type Finding struct {
	Pos      token.Pos
	Category string // unique across the suite, e.g. "lockchan-deadlock"
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

// Report emits f unless its position is invalid or a directive
// silences it. A finding in a generated file is reported without its
// suggested fixes. The diagnostic's URL is the analyzer's: its section of
// the documentation, whatever the category.
//
// The pass must require srcname.Analyzer (every check does, for
// names) or directive.Analyzer, through which the directives of its
// package are found.
func Report(pass *analysis.Pass, f Finding) {
	if !f.Pos.IsValid() {
		return
	}
	if d := directivesOf(pass).SuppressedBy(f.Pos, pass.Analyzer.Name, f.Category); d != nil {
		if !directive.ShowIgnored {
			return
		}
		f.Related = append(f.Related, analysis.RelatedInformation{Pos: d.Pos, Message: directive.SilencedPrefix + d.Kind + ": " + d.Reason})
	}
	if len(f.Fixes) > 0 && inGeneratedFile(pass, f.Pos) {
		// The finding stands, but a generated file is rewritten by its
		// generator: an edit there is lost at the next generation, so
		// no driver may apply one (go vet -fix, sharedvet -fix, gopls).
		f.Fixes = nil
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

// inGeneratedFile reports whether pos is in a file of the package that
// says it is generated ("// Code generated ... DO NOT EDIT.").
func inGeneratedFile(pass *analysis.Pass, pos token.Pos) bool {
	for _, file := range pass.Files {
		if file.FileStart <= pos && pos <= file.FileEnd {
			return ast.IsGenerated(file)
		}
	}
	return false
}

// directivesOf returns the directive index of the pass's package.
func directivesOf(pass *analysis.Pass) *directive.Index {
	if idx, ok := pass.ResultOf[directive.Analyzer].(*directive.Index); ok {
		return idx
	}
	if names, ok := pass.ResultOf[srcname.Analyzer].(*srcname.Index); ok {
		return names.Directives()
	}
	panic(fmt.Sprintf("internal error: analyzer %s reports through package report but requires neither srcname.Analyzer nor directive.Analyzer", pass.Analyzer.Name))
}
