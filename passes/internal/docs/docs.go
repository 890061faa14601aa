// Package docs extracts an analyzer's documentation from its doc.go,
// so that the package comment is the one source of the text that
// go doc, -help, -explain and the README show.
package docs

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
)

// MustExtract returns the section "# Analyzer NAME" of the package
// comment of content (the text of a doc.go), without its heading. The
// section's first line is the analyzer's title, "NAME: title". It
// panics if the section is missing: that is a broken build, not a
// condition of user code.
func MustExtract(content, name string) string {
	doc, err := extract(content, name)
	if err != nil {
		panic("internal error: " + err.Error())
	}
	return doc
}

func extract(content, name string) (string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", content, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		return "", err
	}
	if f.Doc == nil {
		return "", fmt.Errorf("doc.go of %s has no package comment", name)
	}
	return section(f.Doc, name)
}

func section(doc *ast.CommentGroup, name string) (string, error) {
	heading := "# Analyzer " + name
	text := doc.Text()
	i := strings.Index(text, heading+"\n")
	if i < 0 {
		return "", fmt.Errorf("package comment has no %q section", heading)
	}
	body := text[i+len(heading)+1:]
	if j := strings.Index(body, "\n# "); j >= 0 {
		body = body[:j]
	}
	body = strings.TrimSpace(body)
	if !strings.HasPrefix(body, name+": ") {
		return "", fmt.Errorf("section %q must start with %q", heading, name+": ")
	}
	return body, nil
}
