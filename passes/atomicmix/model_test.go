package atomicmix

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestModelDoc checks that doc.go's numbered list of exceptions
// mirrors the table: the same names, numbers and order.
func TestModelDoc(t *testing.T) {
	item := regexp.MustCompile(`(?m)^//\s+(\d+)\. ([a-z]+): `)
	var got []string
	for _, m := range item.FindAllStringSubmatch(doc, -1) {
		got = append(got, m[1]+" "+m[2])
	}
	var want []string
	for i, e := range exceptions {
		if e.rule != i+3 {
			t.Errorf("exception %s has rule %d, want %d (rules 1 and 2 come first, then the table in order)", e.name, e.rule, i+3)
		}
		want = append(want, strconv.Itoa(e.rule)+" "+e.name)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("doc.go lists the exceptions\n%s\nthe table has\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestFixtureCitations checks that every fixture a comment of the
// package cites ("fixture okFoo", "fixture T.m in atomicmix/x") is
// declared in testdata, so that the citations do not rot.
func TestFixtureCitations(t *testing.T) {
	cite := regexp.MustCompile(`fixtures? ((?:ok|bad|Benchmark|Test)[A-Za-z0-9]*|[A-Z][A-Za-z]*\.[a-zA-Z]+)`)
	var src strings.Builder
	root := filepath.Join("..", "..", "testdata", "src")
	for _, dir := range []string{"atomicmix", "clean"} {
		filepath.WalkDir(filepath.Join(root, dir), func(path string, d os.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(path, ".go") {
				data, _ := os.ReadFile(path)
				src.Write(data)
			}
			return nil
		})
	}
	files, _ := filepath.Glob("*.go")
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasSuffix(f, "_test.go") })
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range cite.FindAllStringSubmatch(string(data), -1) {
			name := m[1]
			decl := regexp.MustCompile(`func ` + regexp.QuoteMeta(name) + `\b|\) ` + regexp.QuoteMeta(name) + `\(`)
			if typ, method, ok := strings.Cut(name, "."); ok {
				decl = regexp.MustCompile(`func \(\w+ \*?` + regexp.QuoteMeta(typ) + `\) ` + regexp.QuoteMeta(method) + `\(`)
			}
			if !decl.MatchString(src.String()) {
				t.Errorf("%s cites fixture %s, which testdata/src/atomicmix does not declare", f, name)
			}
		}
	}
}
