package docs

import (
	"os"
	"path/filepath"
	"testing"
)

// TestLineCommentDoc holds the fast reading of a package comment to the
// parser's on every analyzer's doc.go, and checks that those files take
// the fast path (a doc.go that stopped doing so would cost every go vet
// unit its start-up again, silently).
func TestLineCommentDoc(t *testing.T) {
	files, err := filepath.Glob("../../*/doc.go")
	if err != nil || len(files) < 4 {
		t.Fatalf("doc.go files: %v, %v", files, err)
	}
	for _, file := range files {
		content, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		fast, ok := lineCommentDoc(string(content))
		if !ok {
			t.Errorf("%s: not read without the parser", file)
			continue
		}
		parsed, err := parsedDoc(string(content))
		if err != nil {
			t.Fatal(err)
		}
		if fast != parsed {
			t.Errorf("%s: package comment differs from the parser's:\nfast:   %q\nparsed: %q", file, fast, parsed)
		}
	}
}

func TestLineCommentDocShapes(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		fast      bool
	}{
		{"plain", "// Package p does.\n//\n// # Analyzer p\n//\n// p: title\npackage p\n", true},
		{"blank runs", "//\n// a  \n//\n//\n// b\t\n//\npackage p\n", true},
		{"crlf", "// a\r\n// b\r\npackage p\r\n", true},
		{"block comment", "/* a */\npackage p\n", false},
		{"directive", "//go:build linux\n\n// a\npackage p\n", false},
		{"gap before package", "// a\n\npackage p\n", false},
		{"no space", "//a\npackage p\n", false},
		{"code block", "// a:\n//\n//\tcode()\n//\t  more\npackage p\n", true},
	} {
		fast, ok := lineCommentDoc(tc.src)
		if ok != tc.fast {
			t.Errorf("%s: fast path %v, want %v", tc.name, ok, tc.fast)
			continue
		}
		if !ok {
			continue
		}
		parsed, err := parsedDoc(tc.src)
		if err != nil {
			t.Fatal(err)
		}
		if fast != parsed {
			t.Errorf("%s: %q, parser %q", tc.name, fast, parsed)
		}
	}
}

func TestExtract(t *testing.T) {
	src := "// Package p.\n//\n// # Analyzer p\n//\n// p: finds things\n//\n// More.\n//\n// # Other\n//\n// Not this.\npackage p\n"
	got, err := extract(src, "p")
	if err != nil || got != "p: finds things\n\nMore." {
		t.Errorf("extract = %q, %v", got, err)
	}
	if _, err := extract("/* Package p. */\npackage p\n", "p"); err == nil {
		t.Error("no section: no error")
	}
	if _, err := extract("package p\n", "p"); err == nil {
		t.Error("no package comment: no error")
	}
}
