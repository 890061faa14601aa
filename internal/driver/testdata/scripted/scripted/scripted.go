// Package scripted is a test analyzer with suggested fixes that the
// fixture decides: each comment "// fix: TEXT" is a finding whose fix
// replaces the comment with TEXT. The fixes parse; whether they
// type-check is up to the fixture. The driver's tests use it in process
// and, built into a vet tool (../tool), under go vet -fix.
package scripted

import (
	"go/ast"
	"strings"

	"golang.org/x/tools/go/analysis"
)

var Analyzer = &analysis.Analyzer{
	Name: "scripted",
	Doc:  "scripted: offer the fixes that // fix: comments spell",
	Run:  run,
}

func run(pass *analysis.Pass) (any, error) {
	for _, f := range pass.Files {
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				if text, ok := strings.CutPrefix(c.Text, "// fix: "); ok {
					report(pass, c, text)
				}
			}
		}
	}
	return nil, nil
}

func report(pass *analysis.Pass, c *ast.Comment, text string) {
	pass.Report(analysis.Diagnostic{
		Pos:     c.Pos(),
		Message: "want " + text,
		SuggestedFixes: []analysis.SuggestedFix{{
			Message:   "Replace with " + text,
			TextEdits: []analysis.TextEdit{{Pos: c.Pos(), End: c.End(), NewText: []byte(text)}},
		}},
	})
}
