package lspproxy

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/sharedvet/sharedvet/analyzer"
)

func pos(line, char uint32) protocol.Position { return protocol.Position{Line: line, Character: char} }

// TestPositions checks the byte <-> UTF-16 conversions on text with a
// two-unit rune (U+1F600) and a two-byte one (é).
func TestPositions(t *testing.T) {
	text := []byte("a😀b\né=x\n")
	for _, tc := range []struct {
		off int
		pos protocol.Position
	}{
		{0, pos(0, 0)}, {1, pos(0, 1)}, {5, pos(0, 3)}, {6, pos(0, 4)},
		{7, pos(1, 0)}, {9, pos(1, 1)}, {12, pos(2, 0)},
	} {
		if got := positionOf(text, tc.off); got != tc.pos {
			t.Errorf("positionOf(%d) = %v, want %v", tc.off, got, tc.pos)
		}
		if got := offsetOf(text, tc.pos); got != tc.off {
			t.Errorf("offsetOf(%v) = %d, want %d", tc.pos, got, tc.off)
		}
	}
	// Past the end of a line: its end; past the last line: the end.
	if got := offsetOf(text, pos(0, 99)); got != 6 {
		t.Errorf("offsetOf past the line's end = %d, want 6", got)
	}
	if got := offsetOf(text, pos(9, 0)); got != len(text) {
		t.Errorf("offsetOf past the last line = %d, want %d", got, len(text))
	}
	got := replaceRange(text, protocol.Range{Start: pos(0, 1), End: pos(0, 3)}, "ü")
	if string(got) != "aüb\né=x\n" {
		t.Errorf("replaceRange = %q", got)
	}
}

// TestParseVet checks the conversion of go vet -json output: overlay
// files named back to the disk, positions in the buffer's text, fixes
// at the buffer's version, related information, duplicates of the test
// variant dropped, and an analyzer's error returned beside the
// findings of the others.
func TestParseVet(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.go")
	os.WriteFile(path, []byte("package a\n"), 0o644)
	buffer := []byte("package a\n\n// é😀\nvar x = s.n\n")
	ov, err := writeOverlay(t.TempDir(), []openFile{{path: path, uri: "file://" + path, version: 7, text: buffer}})
	if err != nil {
		t.Fatal(err)
	}
	tmpName := ov.replace[path]
	if tmpName == "" {
		t.Fatal("a changed buffer is not in the overlay")
	}
	diag := `[{"category":"atomicmix-read","posn":"` + tmpName + `:4:9","end":"` + tmpName + `:4:9","message":"non-atomic read of s.n",
	  "suggested_fixes":[{"message":"Replace","edits":[{"filename":"` + tmpName + `","start":29,"end":29,"new":"load("}]}],
	  "related":[{"posn":"` + tmpName + `:3:4","message":"there"}]}]`
	out := `{"a":{"atomicmix":` + diag + `}}` + "\n" +
		`{"a [a.test]":{"atomicmix":` + diag + `,"lockchan":{"error":"boom"}}}`
	// A dependency's entries (vetjson.ReportDepsFlag) are dropped.
	out += "\n" + `{"b":{"atomicmix":[{"posn":"` + tmpName + `:4:9","message":"b's"}],"lockchan":{"error":"b's"}}}`
	fs, err := parseVet([]byte(out), ov, map[string]bool{"a": true})
	if err == nil || err.Error() != "a [a.test]: lockchan: boom" {
		t.Errorf("error = %v, want the lockchan error", err)
	}
	if len(fs) != 1 {
		t.Fatalf("findings = %+v, want one", fs)
	}
	f := fs[0]
	if f.path != path || f.check != "atomicmix" || f.category != "atomicmix-read" {
		t.Errorf("finding = %+v", f)
	}
	if want := (protocol.Range{Start: pos(3, 8), End: pos(3, 11)}); f.rng != want {
		t.Errorf("range = %v, want %v (the selector s.n)", f.rng, want)
	}
	if len(f.related) != 1 || f.related[0].Location.Range.Start != pos(2, 3) || string(f.related[0].Location.URI) != "file://"+path {
		t.Errorf("related = %+v", f.related)
	}
	if len(f.fixes) != 1 || len(f.fixes[0].files) != 1 {
		t.Fatalf("fixes = %+v", f.fixes)
	}
	fe := f.fixes[0].files[0]
	if fe.version == nil || *fe.version != 7 || fe.edits[0].Range.Start != pos(3, 8) {
		t.Errorf("fix edits = %+v version %v, want at 3:8 of version 7", fe.edits, fe.version)
	}
}

func TestIsBuildFailure(t *testing.T) {
	for stderr, want := range map[string]bool{
		"# example.com/fx\n./bad.go:2:12: undefined: undefined\n":     true,
		"# example.com/fx\nvet: ./bad.go:2:13: expected '}'\n":        true,
		"flag provided but not defined: -lockchan.nosuchflag\n":       false,
		"# example.com/fx\npanic: boom\n\ngoroutine 1:\n\ta.go:3 +0x": false,
	} {
		if got := isBuildFailure(stderr); got != want {
			t.Errorf("isBuildFailure(%q) = %v, want %v", stderr, got, want)
		}
	}
}

func TestCommandLine(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		args []string
		ok   bool
	}{
		{[]string{"sharedvet", "gopls", "-remote=auto"}, []string{"-remote=auto"}, true},
		{[]string{"/usr/bin/gopls", "serve"}, []string{"serve"}, true},
		{[]string{"sharedvet-gopls.exe"}, []string{}, true},
		{[]string{"sharedvet", "./..."}, nil, false},
	} {
		args, ok := Invoked(tc.argv)
		if ok != tc.ok || !reflect.DeepEqual(args, tc.args) {
			t.Errorf("Invoked(%q) = %q, %v", tc.argv, args, ok)
		}
	}
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{nil, true}, {[]string{"serve"}, true}, {[]string{"-remote", "auto", "serve"}, true},
		{[]string{"-rpc.trace", "-logfile=x"}, true}, {[]string{"version"}, false},
		{[]string{"-remote", "auto", "version"}, false}, {[]string{"-h"}, false},
	} {
		if got := servesLSP(tc.args); got != tc.want {
			t.Errorf("servesLSP(%q) = %v", tc.args, got)
		}
	}
	gopls, rest := splitArgs([]string{"-gopls=/x/gopls", "-rpc.trace", "-gopls=y"})
	if gopls != "/x/gopls" || !reflect.DeepEqual(rest, []string{"-rpc.trace", "-gopls=y"}) {
		t.Errorf("splitArgs = %q, %q", gopls, rest)
	}
}

// TestSeverities checks the severity of each tier, and that every
// category the table names exists, so a renamed category cannot
// silently fall back to a warning.
func TestSeverities(t *testing.T) {
	known := map[string]bool{}
	for _, check := range []string{"lockchan", "atomicmix", "gocapture", "lintdirective"} {
		for _, c := range analyzer.Categories(check) {
			known[c] = true
		}
	}
	for c := range severities {
		if !known[c] {
			t.Errorf("severities names %q, which no check reports", c)
		}
	}
	for cat, want := range map[string]protocol.DiagnosticSeverity{
		"lockchan-deadlock": protocol.DiagnosticSeverityError,
		"lockchan-stall":    protocol.DiagnosticSeverityWarning,
		"atomicmix-read":    protocol.DiagnosticSeverityWarning,
	} {
		if got := severity(finding{category: cat}); got != want {
			t.Errorf("severity of %s = %v, want %v", cat, got, want)
		}
	}
}

func TestWordEnd(t *testing.T) {
	text := []byte("x := atomic.AddInt64(&c.n, 1) + b.mu.x\n")
	for _, tc := range []struct{ at, want int }{
		{0, 1},   // x
		{5, 20},  // atomic.AddInt64
		{21, 25}, // &c.n
		{2, 3},   // ':' alone
		{32, 38}, // b.mu.x
	} {
		if got := wordEnd(text, tc.at); got != tc.want {
			t.Errorf("wordEnd(%q) = %q, want %q", text[tc.at:], text[tc.at:got], text[tc.at:tc.want])
		}
	}
}

// TestSettings checks the go vet flags the editor's settings become.
func TestSettings(t *testing.T) {
	p := newProxy(analyzer.All(), nil, nil)
	p.engine = newEngine(context.Background(), "go", "sharedvet", t.TempDir())
	err := p.apply([]byte(`{"checks": ["lockchan", "atomicmix"], "disable": ["atomicmix"],
		"flags": {"gocapture": {"spawners": ["a.Go", "b.Go"]}, "lockchan": {"stalls": true}}, "onChange": false}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"-checks=lockchan,atomicmix,-atomicmix", "-gocapture.spawners=a.Go,b.Go", "-lockchan.stalls=true"}
	if !reflect.DeepEqual(p.engine.cfg.flags, want) || p.onChange {
		t.Errorf("flags %q, onChange %v; want %q, false", p.engine.cfg.flags, p.onChange, want)
	}
	if err := p.apply([]byte(`{"disable": ["nosuch"]}`)); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("an unknown check: %v", err)
	}
}

func TestReadOnly(t *testing.T) {
	p := newProxy(nil, nil, nil)
	p.readOnlyDirs = []string{"/usr/lib/go", "/home/u/go/pkg/mod"}
	for path, want := range map[string]bool{
		"/usr/lib/go/src/fmt/print.go":             true,
		"/home/u/go/pkg/mod/x.io/y@v1/y.go":        true,
		"/usr/lib/gopher/main.go":                  false,
		"/home/u/src/project/main.go":              false,
		"/home/u/go/pkg/modules-of-mine/m/main.go": false,
	} {
		if got := p.readOnly(path); got != want {
			t.Errorf("readOnly(%s) = %v", path, got)
		}
	}
}

// TestWatchedDirs checks which packages a change on disk analyzes
// again: those with an open file or a finding shown, for changes to
// files that are not open (e.go's save comes as didSave).
func TestWatchedDirs(t *testing.T) {
	p := newProxy(nil, nil, nil)
	p.docs["/m/a/a.go"] = &openFile{path: "/m/a/a.go"}
	p.docs["/m/e/e.go"] = &openFile{path: "/m/e/e.go"}
	p.files["/m/b/b.go"] = &fileState{findings: []finding{{path: "/m/b/b.go"}}}
	p.files["/m/c/c.go"] = &fileState{}
	var changes []protocol.FileEvent
	for _, path := range []string{"/m/a/new.go", "/m/b/b.go", "/m/c/c.go", "/m/d/d.go", "/m/a/go.mod", "/m/e/e.go"} {
		changes = append(changes, protocol.FileEvent{URI: uri.File(path), Type: protocol.FileChangeTypeChanged})
	}
	if got, want := p.watchedDirs(changes), []string{"/m/a", "/m/b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("watchedDirs = %q, want %q", got, want)
	}
}
