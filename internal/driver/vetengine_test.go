package driver

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/sharedvet/sharedvet/internal/vetjson"
)

func TestVetStderr(t *testing.T) {
	var relayed bytes.Buffer
	got := vetStderr(`go: downloading example.com/x v1.0.0
# example.com/m/broken
broken/broken.go:3:23: undefined: x
broken/broken.go:4:2: undefined: y
# example.com/m/other
vet: other/o.go:1:1: expected 'package', found 'EOF'
pattern ./nomatch/...: lstat ./nomatch/: no such file or directory
`, &relayed)
	var lines []string
	for _, p := range got {
		lines = append(lines, p.String())
	}
	want := []string{
		"example.com/m/broken: broken/broken.go:3:23: undefined: x (and 1 more)",
		"example.com/m/other: other/o.go:1:1: expected 'package', found 'EOF'",
		"pattern ./nomatch/...: lstat ./nomatch/: no such file or directory",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if relayed.String() != "go: downloading example.com/x v1.0.0\n" {
		t.Errorf("relayed %q, want the download line", relayed.String())
	}
}

// TestPositions checks that positions of go vet's JSON come back as
// the same file:line:col, with offsets into the file when it can be
// read, and as the same text when it cannot.
func TestPositions(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/a.go"
	writeFile(t, path, "package a\n\nfunc f() {}\n")
	p := newPositions()
	d := p.diagnostic(vetjson.Diagnostic{
		Posn: path + ":3:6", End: path + ":3:7", Message: "m",
		Related:        []vetjson.Related{{Posn: dir + "/gone.go:7:2", Message: "r"}},
		SuggestedFixes: []vetjson.Fix{{Message: "f", Edits: []vetjson.Edit{{Filename: path, Start: 16, End: 17, New: "g"}}}},
	})
	if got := p.fset.Position(d.Pos); got.String() != path+":3:6" || got.Offset != 16 {
		t.Errorf("Pos = %v (offset %d), want %s:3:6 at offset 16", got, got.Offset, path)
	}
	if got := p.fset.Position(d.Related[0].Pos).String(); got != dir+"/gone.go:7:2" {
		t.Errorf("related in an unreadable file = %s", got)
	}
	if e := d.SuggestedFixes[0].TextEdits[0]; p.fset.Position(e.Pos).Offset != 16 || string(e.NewText) != "g" {
		t.Errorf("edit = %+v", e)
	}
}

func TestCountPlan(t *testing.T) {
	plan := `mkdir -p $WORK/b005/
cd /usr/local/go/src/internal/goarch
/usr/local/go/pkg/tool/linux_amd64/compile -o $WORK/b005/_pkg_.a -trimpath "$WORK/b005=>" -p internal/goarch -lang=go1.26 -std -complete
/usr/local/go/pkg/tool/linux_amd64/compile -o $WORK/b009/_pkg_.a -trimpath "$WORK/b009=>" -p example.com/m/dep -lang=go1.26 -complete
TERM='dumb' /tmp/sharedvet -json $WORK/b005/vet.cfg
TERM='dumb' /tmp/sharedvet -json $WORK/b004/vet.cfg
cat >$WORK/b004/vet.cfg << 'EOF' # internal
`
	analyses, std := countPlan([]byte(plan))
	if analyses != 2 || std != 1 {
		t.Errorf("countPlan = %d analyses, %d compilations of std; want 2 and 1", analyses, std)
	}
}

// TestFromVetProblems checks that what go vet reports about the run
// itself becomes problems, not findings and not nothing: an analyzer's
// error (exit 1), an internal error reported as a diagnostic (exit 1),
// and a function over the size limit (a warning).
func TestFromVetProblems(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/a.go"
	writeFile(t, path, "package a\n\nfunc f() {}\n")
	findings, problems := fromVet([]vetjson.Entry{
		{Package: "example.com/a", Analyzer: "lockchan", Err: "internal error: lockchan panicked: boom"},
		{Package: "example.com/a [example.com/a.test]", Analyzer: "atomicmix", Diagnostics: []vetjson.Diagnostic{
			{Category: "internal-error", Posn: path + ":3:6", End: path + ":3:6", Message: "internal error in f: boom"},
			{Category: "function-too-large", Posn: path + ":3:6", End: path + ":3:6", Message: "f not analyzed: too large"},
			{Category: "atomicmix-read", Posn: path + ":3:6", End: path + ":3:6", Message: "a finding"},
		}},
	}, nil)
	if len(findings) != 1 || findings[0].diag.Message != "a finding" || findings[0].analyzer.Name != "atomicmix" {
		t.Errorf("findings = %+v, want the one finding", findings)
	}
	var errs, warnings int
	for _, p := range problems {
		if p.warning {
			warnings++
		} else {
			errs++
		}
	}
	if errs != 2 || warnings != 1 {
		t.Errorf("problems = %+v, want 2 errors and 1 warning", problems)
	}
	if !printProblems(io.Discard, problems) {
		t.Errorf("the problems do not fail the run")
	}
}
