package analyzer_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNogoStyle builds a nogo-style binary from the passes alone
// (testdata/nogo: unitchecker.Main over the exported Analyzer values,
// as rules_go's nogo generates) and runs it through the unitchecker
// protocol on the example package: the analyzers need nothing of
// sharedvet's driver, and their flags work as analyzer flags.
func TestNogoStyle(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary and runs go vet")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "nogo")
	build := exec.Command("go", "build", "-o", bin, "./testdata/nogo")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	vet := exec.Command("go", "vet", "-vettool="+bin, "-lockchan.depth=3", "./examples/...")
	vet.Dir = root
	out, err := vet.CombinedOutput()
	if err == nil {
		t.Fatalf("go vet with the nogo-style tool found nothing:\n%s", out)
	}
	for _, want := range []string{
		"broker.go:44:7: send on `b.in` while holding `b.mu`; its only receiver takes `b.mu` first, so this can deadlock",
		"stats.go:16:46: non-atomic read of `s.delivered`",
		"goroutine writes",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}
