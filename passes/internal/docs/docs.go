// Package docs extracts an analyzer's documentation from its doc.go,
// so that the package comment is the one source of the text that
// go doc, -help, -explain and the README show.
package docs

import (
	"fmt"
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
	text, ok := lineCommentDoc(content)
	if !ok {
		var err error
		if text, err = parsedDoc(content); err != nil {
			return "", err
		}
	}
	if text == "" {
		return "", fmt.Errorf("doc.go of %s has no package comment", name)
	}
	return section(text, name)
}

// parsedDoc returns the package comment of content as go/doc sees it.
func parsedDoc(content string) (string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", content, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		return "", err
	}
	return f.Doc.Text(), nil
}

// lineCommentDoc returns the package comment of content without the
// parser, when content is the usual doc.go: a block of // comments, then
// the package clause. Every process go vet starts for a package builds
// the analyzers' documentation at init, and parsing the long doc.go
// files cost about 0.4 ms of each one's start (2% of a cold run's CPU
// on etcd). It reports false for any other layout (a /* comment, a
// directive, a build constraint, text the parser would treat
// differently), and the caller parses instead; TestLineCommentDoc
// holds the two to the same result on every doc.go.
func lineCommentDoc(content string) (string, bool) {
	// The text is built as ast.CommentGroup.Text builds it: leading
	// blank lines dropped, runs of blank lines made one, a final
	// newline; in one buffer, as the allocations of a process's first
	// milliseconds are mostly page faults.
	var b strings.Builder
	b.Grow(len(content))
	blank := false
	for line := range strings.Lines(content) {
		line = strings.TrimRight(line, "\r\n")
		if rest, ok := strings.CutPrefix(line, "package "); ok && rest != "" {
			return b.String(), true
		}
		text, ok := strings.CutPrefix(line, "//")
		if !ok || strings.Contains(line, "*/") || strings.Contains(line, "/*") {
			return "", false
		}
		if text != "" && text[0] != ' ' && text[0] != '\t' {
			return "", false // perhaps a directive, which the parser leaves out
		}
		text = strings.TrimRight(strings.TrimPrefix(text, " "), " \t")
		if text == "" {
			blank = b.Len() > 0
			continue
		}
		if blank {
			b.WriteByte('\n')
			blank = false
		}
		b.WriteString(text)
		b.WriteByte('\n')
	}
	return "", false
}

func section(text, name string) (string, error) {
	heading := "# Analyzer " + name
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
