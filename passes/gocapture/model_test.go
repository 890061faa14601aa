package gocapture

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// modelRules are the rules of doc.go's list that say what a candidate
// is, before the exceptions: they clear nothing, so they are not in
// the table.
var modelRules = []string{"starters", "accesses", "behind", "inline", "races", "channels"}

// TestModelDoc checks that doc.go's numbered list mirrors the model:
// the rules of modelRules, then the table of exceptions, with the same
// names, numbers and order.
func TestModelDoc(t *testing.T) {
	item := regexp.MustCompile(`(?m)^//\s+(\d+)\. ([a-z]+): `)
	var got []string
	for _, m := range item.FindAllStringSubmatch(doc, -1) {
		got = append(got, m[1]+" "+m[2])
	}
	var want []string
	for i, name := range modelRules {
		want = append(want, strconv.Itoa(i+1)+" "+name)
	}
	for i, e := range exceptions {
		if n := len(modelRules) + i + 1; e.rule != n {
			t.Errorf("exception %s has rule %d, want %d (the model's rules come first, then the table in order)", e.name, e.rule, n)
		}
		want = append(want, strconv.Itoa(e.rule)+" "+e.name)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("doc.go lists the rules\n%s\nthe model has\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestStagesInOrder checks that the table lists the exceptions of each
// stage together, in the order the stages are judged: the walk's
// exceptions are cumulative, and their order is the order of doc.go.
func TestStagesInOrder(t *testing.T) {
	for i := 1; i < len(exceptions); i++ {
		if exceptions[i].stage < exceptions[i-1].stage {
			t.Errorf("exception %s (stage %d) comes after %s (stage %d)", exceptions[i].name, exceptions[i].stage, exceptions[i-1].name, exceptions[i-1].stage)
		}
		if (exceptions[i].stage == perStart) != (exceptions[i].stops != 0) {
			t.Errorf("exception %s: only the walk's exceptions stop it", exceptions[i].name)
		}
	}
}

// TestFixtureCitations checks that every fixture a comment of the
// package cites ("fixture okFoo") is declared in its testdata, so that
// the citations do not rot.
func TestFixtureCitations(t *testing.T) {
	cite := regexp.MustCompile(`fixtures? ((?:ok|bad)[A-Za-z0-9]*)`)
	var src strings.Builder
	root := filepath.Join("..", "..", "testdata", "src")
	for _, dir := range []string{"gocapture", "clean", "spawn"} {
		filepath.WalkDir(filepath.Join(root, dir), func(path string, d os.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(path, ".go") {
				data, _ := os.ReadFile(path)
				src.Write(data)
			}
			return nil
		})
	}
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range cite.FindAllStringSubmatch(string(data), -1) {
			decl := regexp.MustCompile(`func ` + regexp.QuoteMeta(m[1]) + `\b`)
			if !decl.MatchString(src.String()) {
				t.Errorf("%s cites fixture %s, which testdata does not declare", f, m[1])
			}
		}
	}
}
