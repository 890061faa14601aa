package report_test

import (
	"go/ast"
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/sharedvet/sharedvet/passes/internal/directive"
	"github.com/sharedvet/sharedvet/passes/internal/report"
)

// renamer reports every function and offers to rename it, through
// report.Report.
var renamer = &analysis.Analyzer{
	Name:     "renamer",
	Doc:      "report each function with a fix that renames it",
	Requires: []*analysis.Analyzer{directive.Analyzer},
	Run: func(pass *analysis.Pass) (any, error) {
		for _, file := range pass.Files {
			for _, decl := range file.Decls {
				fd, ok := decl.(*ast.FuncDecl)
				if !ok {
					continue
				}
				report.Report(pass, report.Finding{
					Pos:      fd.Name.Pos(),
					Category: "renamer",
					Message:  "function " + fd.Name.Name,
					Fixes: []analysis.SuggestedFix{{
						Message:   "Rename to " + fd.Name.Name + "2",
						TextEdits: []analysis.TextEdit{{Pos: fd.Name.End(), End: fd.Name.End(), NewText: []byte("2")}},
					}},
				})
			}
		}
		return nil, nil
	},
}

// TestGeneratedFilesNotFixed checks that a finding in a generated file
// is reported without its fix, while other files keep theirs. (The
// golden file checks plain.go; analysistest ignores fixes to generated
// files, so the diagnostics are inspected too.)
func TestGeneratedFilesNotFixed(t *testing.T) {
	testdata, err := filepath.Abs(filepath.Join("..", "..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range analysistest.RunWithSuggestedFixes(t, testdata, renamer, "report") {
		for _, d := range res.Diagnostics {
			if got, want := len(d.SuggestedFixes) > 0, d.Message == "function plain"; got != want {
				t.Errorf("%s: has a fix: %v, want %v", d.Message, got, want)
			}
		}
	}
}
