package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// suppressModule writes a module whose package sup has a finding
// silenced by //lint:ignore, one whose directive gives no reason, one
// silenced by //lint:file-ignore, and a stale directive.
func suppressModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.22\n",
		"sup/sup.go": `package sup

import "sync"

type B struct {
	mu  sync.Mutex
	out chan int
}

func (b *B) Silenced() {
	b.mu.Lock()
	defer b.mu.Unlock()
	//lint:ignore lockchan out is buffered
	b.out <- 1
}

func (b *B) NoReason() {
	b.mu.Lock()
	defer b.mu.Unlock()
	//lint:ignore lockchan
	b.out <- 2
}

func (b *B) Stale() {
	b.mu.Lock()
	b.mu.Unlock()
	//lint:ignore sharedvet the lock used to be held here
	b.out <- 3
}

// NewB starts the receiver, which takes b.mu before each receive.
func NewB() *B {
	b := &B{out: make(chan int)}
	go func() {
		for range b.out {
			b.mu.Lock()
			b.mu.Unlock()
		}
	}()
	return b
}
`,
		"sup/file.go": `//lint:file-ignore lockchan-deadlock sends here go to buffered channels

package sup

func (b *B) FileSilenced() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.out <- 4
}
`,
	}
	return writeFiles(t, dir, files)
}

const (
	wantNoReason    = "sup/sup.go:20:2: lint directive gives no reason: write //lint:ignore lockchan <reason>"
	wantNotSilenced = "sup/sup.go:21:8: send on `b.out` while holding `b.mu`"
	wantStale       = "sup/sup.go:27:2: lint directive for sharedvet silences no finding"
)

// checkSuppressed checks the output of a run on suppressModule.
func checkSuppressed(t *testing.T, mode, out string, unused bool) {
	t.Helper()
	for _, want := range []string{wantNoReason, wantNotSilenced} {
		if !strings.Contains(out, want) {
			t.Errorf("%s: missing %q in:\n%s", mode, want, out)
		}
	}
	if got := strings.Contains(out, wantStale); got != unused {
		t.Errorf("%s: stale directive reported: %v, want %v; output:\n%s", mode, got, unused, out)
	}
	for _, silenced := range []string{"sup.go:14:", "file.go:"} {
		if strings.Contains(out, silenced) {
			t.Errorf("%s: finding at %s not silenced:\n%s", mode, silenced, out)
		}
	}
}

func TestSuppressionStandalone(t *testing.T) {
	bin := buildSharedvet(t)
	dir := suppressModule(t)

	stdout, stderr, code := run(t, dir, bin, "./...")
	if code != 3 {
		t.Errorf("exit %d, want 3; stderr:\n%s", code, stderr)
	}
	checkSuppressed(t, "standalone", stdout, false)
	if !strings.Contains(stdout, wantNoReason+" (lintdirective)") {
		t.Errorf("the malformed directive is not reported by lintdirective:\n%s", stdout)
	}

	stdout, _, _ = run(t, dir, bin, "-lintdirective.unused", "./...")
	checkSuppressed(t, "standalone -lintdirective.unused", stdout, true)
}

func TestSuppressionVet(t *testing.T) {
	bin := buildSharedvet(t)
	dir := suppressModule(t)

	_, stderr, code := run(t, dir, "go", "vet", "-vettool="+bin, "./...")
	if code == 0 {
		t.Errorf("go vet: exit 0, want a failure")
	}
	checkSuppressed(t, "go vet", stderr, false)

	_, stderr, _ = run(t, dir, "go", "vet", "-vettool="+bin, "-lintdirective.unused", "./...")
	checkSuppressed(t, "go vet -lintdirective.unused", stderr, true)
}

func TestEditorFormat(t *testing.T) {
	bin := buildSharedvet(t)
	dir := writeModule(t, false)
	stdout, stderr, code := run(t, filepath.Join(dir, "bad"), bin, "-format=editor")
	if code != 0 || !strings.Contains(stdout, "bad.go:13:8: send on `b.out` while holding `b.mu`; its only receiver takes `b.mu` first, so this can deadlock (lockchan)") {
		t.Errorf("-format=editor in bad/: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 0 and the finding", code, stdout, stderr)
	}
}

// TestFixAtomicmix applies atomicmix's fixes end to end and compares
// the result with the fixture's golden file.
func TestFixAtomicmix(t *testing.T) {
	bin := buildSharedvet(t)
	src := filepath.Join("..", "..", "testdata", "src", "atomicmix", "fixes")
	input, err := os.ReadFile(filepath.Join(src, "fixes.go"))
	if err != nil {
		t.Skipf("no atomicmix fix fixture: %v", err)
	}
	want, err := os.ReadFile(filepath.Join(src, "fixes.go.golden"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module fixes\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "fixes.go")
	if err := os.WriteFile(file, input, 0o644); err != nil {
		t.Fatal(err)
	}

	stdout, stderr, _ := run(t, dir, bin, "-diff", ".")
	if !strings.Contains(stdout, "+\treturn atomic.LoadInt64(&m.n) + 1") || stderr != "" {
		t.Errorf("-diff: stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	if got, _ := os.ReadFile(file); string(got) != string(input) {
		t.Errorf("-diff wrote the file")
	}

	_, stderr, code := run(t, dir, bin, "-fix", ".")
	if code == 1 {
		t.Errorf("-fix: exit 1, stderr:\n%s", stderr)
	}
	if got, _ := os.ReadFile(file); string(got) != string(want) {
		t.Errorf("-fix wrote:\n%s\nwant (fixes.go.golden):\n%s", got, want)
	}

	// go vet -fix checks the fixes in a child process, then hands them
	// to the go command, which writes them.
	if err := os.WriteFile(file, input, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := run(t, dir, "go", "vet", "-vettool="+bin, "-fix", "."); code != 0 {
		t.Errorf("go vet -fix: exit %d, stderr:\n%s", code, stderr)
	}
	if got, _ := os.ReadFile(file); string(got) != string(want) {
		t.Errorf("go vet -fix wrote:\n%s\nwant (fixes.go.golden):\n%s", got, want)
	}
}

// TestShowIgnored checks that -show-ignored prints what a directive
// silenced, with the directive and its reason below, in text and as a
// SARIF suppression, without making it a finding (exit 0).
func TestShowIgnored(t *testing.T) {
	bin := buildSharedvet(t)
	dir := writeFiles(t, t.TempDir(), map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.22\n",
		"sup/sup.go": `package sup

import "sync"

type B struct {
	mu  sync.Mutex
	out chan int
}

// NewB starts the receiver, which takes b.mu before each receive.
func NewB() *B {
	b := &B{out: make(chan int)}
	go func() {
		for range b.out {
			b.mu.Lock()
			b.mu.Unlock()
		}
	}()
	return b
}

func (b *B) Send() {
	b.mu.Lock()
	defer b.mu.Unlock()
	//lint:ignore lockchan reviewed: Send is only called before NewB's receiver starts
	b.out <- 1
}
`,
	})
	const (
		finding   = "sup/sup.go:26:8: send on `b.out` while holding `b.mu`"
		directive = "\tsup/sup.go:25:2: silenced by //lint:ignore: reviewed: Send is only called before NewB's receiver starts\n"
	)
	stdout, stderr, code := run(t, dir, bin, "./...")
	if code != 0 || stdout != "" {
		t.Fatalf("without -show-ignored: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 0, nothing", code, stdout, stderr)
	}
	stdout, stderr, code = run(t, dir, bin, "-show-ignored", "./...")
	if code != 0 || !strings.Contains(stdout, finding) || !strings.Contains(stdout, directive) {
		t.Errorf("-show-ignored: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 0, %q and %q", code, stdout, stderr, finding, directive)
	}
	stdout, _, code = run(t, dir, bin, "-show-ignored", "-format=sarif", "./...")
	if code != 0 || !strings.Contains(stdout, `"suppressions": [`) || !strings.Contains(stdout, `"justification": "reviewed: Send is only called before NewB's receiver starts"`) {
		t.Errorf("-show-ignored -format=sarif: exit %d, stdout:\n%s", code, stdout)
	}
	_, stderr, _ = run(t, dir, "go", "vet", "-vettool="+bin, "-lintdirective.show-ignored", "./...")
	if !strings.Contains(stderr, finding) || !strings.Contains(stderr, "silenced by //lint:ignore") {
		t.Errorf("go vet -lintdirective.show-ignored: stderr:\n%s", stderr)
	}
}
