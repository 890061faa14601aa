package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestFunctimeUnwritable checks that an unwritable -functime path fails
// the run at once, with exit status 1, rather than after the analysis
// with the findings lost.
func TestFunctimeUnwritable(t *testing.T) {
	bin := buildSharedvet(t)
	dir := writeModule(t, false)
	out := filepath.Join(t.TempDir(), "no", "such", "dir", "functime.tsv")
	stdout, stderr, code := run(t, dir, bin, "-functime", out, "./bad")
	if code != 1 || !strings.Contains(stderr, "-functime: open "+out) || stdout != "" {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 1 and the error before any analysis", code, stdout, stderr)
	}
}

// TestFixClosedStdout checks that -fix writes its fixes even when the
// reader of its output went away (sharedvet -fix ./... | head -0): the
// fixes are applied before the findings left are printed.
func TestFixClosedStdout(t *testing.T) {
	bin := buildSharedvet(t)
	dir := writeModule(t, false)
	input, err := os.ReadFile(filepath.Join("..", "..", "testdata", "src", "atomicmix", "fixes", "fixes.go"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "testdata", "src", "atomicmix", "fixes", "fixes.go.golden"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "fixes", "fixes.go")
	writeFiles(t, dir, map[string]string{"fixes/fixes.go": string(input)})

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close() // the reader is gone before sharedvet prints
	cmd := exec.Command(bin, "-fix", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOTOOLCHAIN=local")
	cmd.Stdout = w
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	w.Close()
	if err == nil {
		t.Errorf("sharedvet printed findings on a closed pipe without failing")
	}
	if got, _ := os.ReadFile(file); string(got) != string(want) {
		t.Errorf("-fix with a closed stdout (%v) wrote:\n%s\nwant (fixes.go.golden):\n%s\nstderr:\n%s", err, got, want, stderr.String())
	}
}
