package lspproxy

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// goplsVersion is the gopls the end-to-end tests run (.ci/run installs
// it and names it in $SHAREDVET_TEST_GOPLS).
const goplsVersion = "v0.23.0"

// testGopls returns the gopls to test with: $SHAREDVET_TEST_GOPLS, else
// gopls on $PATH, else (except under -short) one installed from the
// module proxy into a temporary GOBIN.
func testGopls(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SHAREDVET_TEST_GOPLS"); p != "" {
		return p
	}
	if p, err := exec.LookPath("gopls"); err == nil {
		return p
	}
	if testing.Short() {
		t.Skip("no gopls: set $SHAREDVET_TEST_GOPLS, or run without -short to install gopls@" + goplsVersion)
	}
	goplsOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sharedvet-test-gopls")
		if err != nil {
			goplsErr = err
			return
		}
		cmd := exec.Command("go", "install", "golang.org/x/tools/gopls@"+goplsVersion)
		cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			goplsErr = &installError{string(out)}
			return
		}
		goplsPath = filepath.Join(dir, "gopls")
	})
	if goplsErr != nil {
		t.Fatalf("installing gopls: %v", goplsErr)
	}
	return goplsPath
}

var (
	goplsOnce sync.Once
	goplsPath string
	goplsErr  error

	sharedvetOnce sync.Once
	sharedvetPath string
	sharedvetErr  error
)

type installError struct{ out string }

func (e *installError) Error() string { return e.out }

// testSharedvet builds the sharedvet command once per test binary.
func testSharedvet(t *testing.T) string {
	t.Helper()
	sharedvetOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sharedvet-test-bin")
		if err != nil {
			sharedvetErr = err
			return
		}
		sharedvetPath = filepath.Join(dir, "sharedvet")
		out, err := exec.Command("go", "build", "-o", sharedvetPath, "github.com/sharedvet/sharedvet/cmd/sharedvet").CombinedOutput()
		if err != nil {
			sharedvetErr = &installError{string(out)}
		}
	})
	if sharedvetErr != nil {
		t.Fatalf("building sharedvet: %v", sharedvetErr)
	}
	return sharedvetPath
}

// fixture is a module with a sharedvet finding that has a fix (the
// plain read in Get) and a gopls finding (printf's).
const fixture = `package fx

import (
	"fmt"
	"sync/atomic"
)

// Stats counts events; Inc is called from many goroutines.
type Stats struct{ n uint64 }

func (s *Stats) Inc() { atomic.AddUint64(&s.n, 1) }

func (s *Stats) Get() uint64 { return s.n }

func hello() { fmt.Printf("%d\n", "world") }
`

// writeFixture writes the fixture module into a new directory and
// returns the directory and the file's path.
func writeFixture(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/fx\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "fx.go")
	if err := os.WriteFile(file, []byte(fixture), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, file
}

func hasSource(ds []lspDiagnostic, source, code string) bool {
	for _, d := range ds {
		if d.Source == source && (code == "" || d.Code == code) {
			return true
		}
	}
	return false
}

func hasOther(ds []lspDiagnostic) bool {
	for _, d := range ds {
		if d.Source != source {
			return true
		}
	}
	return false
}

// TestEndToEnd runs sharedvet gopls with the real gopls under a
// scripted editor: both sides' diagnostics arrive, hover still answers,
// a quick fix applies and compiles, saving it clears only sharedvet's
// diagnostic, an unsaved edit is analyzed, and a malformed message is
// dropped without ending the session.
func TestEndToEnd(t *testing.T) {
	gopls := testGopls(t)
	sv := testSharedvet(t)
	dir, file := writeFixture(t)
	uri := fileURI(file)

	c := startClient(t, dir, sv, "gopls", "-gopls="+gopls)
	c.initialize(dir, map[string]any{"sharedvet": map[string]any{"onChange": true}})
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": "go", "version": 1, "text": fixture}})

	// Both sources arrive, in one list.
	ds := c.waitFor("sharedvet's and gopls's diagnostics", uri, func(ds []lspDiagnostic) bool {
		return hasSource(ds, source, "atomicmix-read") && hasOther(ds)
	})
	var mine lspDiagnostic
	for _, d := range ds {
		if d.Source == source {
			mine = d
		}
	}
	if mine.Range.Start.Line != 12 || !strings.Contains(mine.Message, "non-atomic read of `s.n`") {
		t.Errorf("sharedvet diagnostic = %+v, want the read of s.n on line 13", mine)
	}
	if mine.Severity != 2 {
		t.Errorf("severity = %d, want 2 (warning)", mine.Severity)
	}
	if mine.CodeDescription == nil || !strings.HasSuffix(mine.CodeDescription.Href, "#atomicmix") {
		t.Errorf("codeDescription = %+v, want a link to #atomicmix", mine.CodeDescription)
	}
	if len(mine.RelatedInformation) != 1 || mine.RelatedInformation[0].Location.Range.Start.Line != 10 {
		t.Errorf("relatedInformation = %+v, want the atomic access on line 11", mine.RelatedInformation)
	}

	// Hover is gopls's.
	hover := c.call("textDocument/hover", map[string]any{
		"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": 8, "character": 6}})
	if !strings.Contains(string(hover), "Stats") {
		t.Errorf("hover = %s, want gopls's description of Stats", hover)
	}

	// A malformed message is dropped and logged; the session goes on.
	c.out.write([]byte(`{"jsonrpc":"2.0","method":`))
	c.waitLog("dropped a malformed message")
	hover = c.call("textDocument/hover", map[string]any{
		"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": 8, "character": 6}})
	if !strings.Contains(string(hover), "Stats") {
		t.Errorf("hover after a malformed message = %s", hover)
	}

	// The quick fix is offered with gopls's actions, applies and compiles.
	actions := c.call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"range":        mine.Range,
		"context":      map[string]any{"diagnostics": []any{}},
	})
	fixed := applyQuickFix(t, actions, uri, "Replace with atomic.LoadUint64(&s.n)", fixture)
	if !strings.Contains(fixed, "return atomic.LoadUint64(&s.n) }") {
		t.Fatalf("fixed text:\n%s", fixed)
	}
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": 2},
		"contentChanges": []any{map[string]any{"text": fixed}},
	})
	if err := os.WriteFile(file, []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("go", "build", "-C", dir, "./...").CombinedOutput(); err != nil {
		t.Errorf("the fixed module does not build: %v\n%s", err, out)
	}
	c.notify("textDocument/didSave", map[string]any{"textDocument": map[string]any{"uri": uri}})

	// Saving clears sharedvet's diagnostic and keeps gopls's.
	c.waitFor("only gopls's diagnostics after the fix", uri, func(ds []lspDiagnostic) bool {
		return !hasSource(ds, source, "") && hasOther(ds)
	})

	// An unsaved edit is analyzed: an incremental change adds a plain
	// write at the end of the buffer, which the disk does not have.
	lines := strings.Count(fixed, "\n")
	c.notify("textDocument/didChange", map[string]any{
		"textDocument": map[string]any{"uri": uri, "version": 3},
		"contentChanges": []any{map[string]any{
			"range": map[string]any{"start": map[string]any{"line": lines, "character": 0}, "end": map[string]any{"line": lines, "character": 0}},
			"text":  "\nfunc (s *Stats) Reset() { s.n = 0 }\n",
		}},
	})
	c.waitFor("sharedvet's diagnostic of the unsaved write", uri, func(ds []lspDiagnostic) bool {
		for _, d := range ds {
			if d.Source == source && d.Code == "atomicmix-write" && d.Range.Start.Line == lines+1 {
				return true
			}
		}
		return false
	})

	if code := c.shutdown(); code != 0 {
		t.Errorf("exit status after shutdown and exit = %d, want 0", code)
	}
}

// applyQuickFix finds the code action titled title among actions,
// checks it is sharedvet's quick fix for uri at the editor's version,
// and returns text with its edits applied.
func applyQuickFix(t *testing.T, actions json.RawMessage, uri, title, text string) string {
	t.Helper()
	var list []struct {
		Title string `json:"title"`
		Kind  string `json:"kind"`
		Edit  struct {
			DocumentChanges []struct {
				TextDocument struct {
					URI     string `json:"uri"`
					Version *int   `json:"version"`
				} `json:"textDocument"`
				Edits []struct {
					Range   lspRange `json:"range"`
					NewText string   `json:"newText"`
				} `json:"edits"`
			} `json:"documentChanges"`
		} `json:"edit"`
	}
	if err := json.Unmarshal(actions, &list); err != nil {
		t.Fatalf("code actions: %v: %s", err, actions)
	}
	for _, a := range list {
		if a.Title != title {
			continue
		}
		if a.Kind != "quickfix" || len(a.Edit.DocumentChanges) != 1 {
			t.Fatalf("action %q: kind %q, %d document changes", title, a.Kind, len(a.Edit.DocumentChanges))
		}
		dc := a.Edit.DocumentChanges[0]
		if dc.TextDocument.URI != uri || dc.TextDocument.Version == nil || *dc.TextDocument.Version != 1 {
			t.Errorf("edit's document = %s version %v, want %s version 1", dc.TextDocument.URI, dc.TextDocument.Version, uri)
		}
		// Apply from the last edit back, so earlier offsets hold.
		b := []byte(text)
		for i := len(dc.Edits) - 1; i >= 0; i-- {
			e := dc.Edits[i]
			b = replaceRange(b, toRange(e.Range), e.NewText)
		}
		return string(b)
	}
	t.Fatalf("no code action %q in %s", title, actions)
	return ""
}

// goCache returns the go command's build cache directory.
func goCache(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// TestGoplsSettings checks that gopls's answer to a pull request for a
// file's diagnostics (gopls's pullDiagnostics setting) gains sharedvet's
// findings of the file, and that gopls's buildFlags, which the editor
// gives gopls when it asks for its settings, apply to sharedvet's
// analysis too: a file behind a build tag is analyzed.
func TestGoplsSettings(t *testing.T) {
	gopls := testGopls(t)
	sv := testSharedvet(t)
	dir, file := writeFixture(t)
	tagged := filepath.Join(dir, "tagged.go")
	taggedText := "//go:build integration\n\npackage fx\n\nfunc (s *Stats) Reset() { s.n = 0 }\n"
	if err := os.WriteFile(tagged, []byte(taggedText), 0o644); err != nil {
		t.Fatal(err)
	}
	uri := fileURI(file)
	c := startClient(t, dir, sv, "gopls", "-gopls="+gopls)
	c.settings = map[string]any{"gopls": map[string]any{"buildFlags": []string{"-tags=integration"}}}
	c.initialize(dir, map[string]any{"pullDiagnostics": true})
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": "go", "version": 1, "text": fixture}})
	c.waitLog("sharedvet gopls: analyzed ")
	var report struct {
		Kind  string          `json:"kind"`
		Items []lspDiagnostic `json:"items"`
	}
	r := c.call("textDocument/diagnostic", map[string]any{"textDocument": map[string]any{"uri": uri}})
	if err := json.Unmarshal(r, &report); err != nil {
		t.Fatalf("%v: %s", err, r)
	}
	if report.Kind == "unchanged" || !hasSource(report.Items, source, "atomicmix-read") || !hasOther(report.Items) {
		t.Errorf("pulled diagnostics = %s, want a full report (gopls v0.23 leaves its kind empty) with sharedvet's atomicmix-read and gopls's", r)
	}
	c.waitFor("sharedvet's diagnostic in the file behind a build tag", fileURI(tagged), func(ds []lspDiagnostic) bool {
		return hasSource(ds, source, "atomicmix-write")
	})
	c.shutdown()
}

// TestMain removes the sharedvet and gopls the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if sharedvetPath != "" {
		os.RemoveAll(filepath.Dir(sharedvetPath))
	}
	if goplsPath != "" {
		os.RemoveAll(filepath.Dir(goplsPath))
	}
	os.Exit(code)
}
