package main_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The end-to-end tests build the sharedvet binary and run it, as users
// do, standalone and as a go vet tool, on a small module.

// TestMain gives the cache engine a cache of the tests' own, which the
// tests' binaries inherit, so that they neither read nor fill the
// user's.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sharedvet-test-cache")
	if err != nil {
		panic(err)
	}
	os.Setenv("SHAREDVET_CACHE", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildSharedvet builds the command into a temporary directory.
func buildSharedvet(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "sharedvet")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// writeModule writes a module with one package that has a lockchan
// finding, one that is clean, and, if broken, one that does not
// type-check.
func writeModule(t *testing.T, broken bool) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.22\n",
		"bad/bad.go": `package bad

import "sync"

type B struct {
	mu  sync.Mutex
	out chan int
}

func (b *B) Send(v int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.out <- v
}

// NewB starts the receiver, which takes b.mu before each receive: a
// Send can deadlock with it.
func NewB() *B {
	b := &B{out: make(chan int)}
	go b.drain()
	return b
}

func (b *B) drain() {
	for range b.out {
		b.mu.Lock()
		b.mu.Unlock()
	}
}
`,
		// Facts carry "Put may block" from pipe to its importer,
		// across processes under go vet.
		"pipe/pipe.go": `package pipe

func Put(c chan int) { c <- 1 }
`,
		"user/user.go": `package user

import (
	"sync"

	"example.com/m/pipe"
)

var mu sync.Mutex

func f(c chan int) {
	mu.Lock()
	pipe.Put(c)
	mu.Unlock()
}

// G's receiver takes mu before each receive: f can deadlock with it.
func G() {
	c := make(chan int)
	go func() {
		for range c {
			mu.Lock()
			mu.Unlock()
		}
	}()
	f(c)
}
`,
		"good/good.go": `package good

import "sync"

type G struct {
	mu  sync.Mutex
	out chan int
}

func (g *G) Send(v int) {
	g.mu.Lock()
	g.mu.Unlock()
	g.out <- v
}
`,
	}
	if broken {
		files["broken/broken.go"] = "package broken\n\nfunc F() int { return undefined }\n"
	}
	return writeFiles(t, dir, files)
}

// writeFiles writes files (path relative to dir → content) under dir
// and returns dir.
func writeFiles(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// run runs name with args in dir and returns stdout, stderr and the
// exit status.
func run(t *testing.T, dir, name string, args ...string) (string, string, int) {
	t.Helper()
	return runEnv(t, dir, nil, name, args...)
}

// runEnv is run with more environment variables.
func runEnv(t *testing.T, dir string, env []string, name string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GOFLAGS=", "GOTOOLCHAIN=local"), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &exit):
		return stdout.String(), stderr.String(), exit.ExitCode()
	}
	t.Fatalf("%s %v: %v", name, args, err)
	return "", "", -1
}

// wantFinding is the text format's line for the finding in bad;
// go vet prints it without the check's name (wantVetFinding).
const (
	wantCrossFinding = "user/user.go:13:10: call to `pipe.Put` may block on a channel send (example.com/m/pipe/pipe.go:3) while holding `mu`"
	wantFinding      = wantVetFinding + " (lockchan)"
	wantVetFinding   = "bad/bad.go:13:8: send on `b.out` while holding `b.mu`; its only receiver takes `b.mu` first, so this can deadlock"
	// The text format prints related information under the finding.
	wantRelated = wantFinding + "\n\tbad/bad.go:11:11: `b.mu` locked here\n"
)

func TestStandalone(t *testing.T) {
	bin := buildSharedvet(t)
	dir := writeModule(t, false)

	stdout, stderr, code := run(t, dir, bin, "./...")
	if code != 3 || !strings.Contains(stdout, wantRelated) || !strings.Contains(stdout, wantCrossFinding) {
		t.Errorf("sharedvet ./...: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 3, %q and %q", code, stdout, stderr, wantRelated, wantCrossFinding)
	}
	if strings.Contains(stdout, "good") {
		t.Errorf("finding in the clean package:\n%s", stdout)
	}

	stdout, stderr, code = run(t, dir, bin, "./good")
	if code != 0 || stdout != "" {
		t.Errorf("sharedvet ./good: exit %d, stdout %q, stderr %q; want exit 0 and no output", code, stdout, stderr)
	}

	stdout, _, code = run(t, dir, bin, "-json", "./...")
	if code != 0 || !strings.Contains(stdout, `"lockchan": [`) || !strings.Contains(stdout, "\"`b.mu` locked here\"") {
		t.Errorf("sharedvet -json: exit %d, stdout:\n%s", code, stdout)
	}

	stdout, _, code = run(t, dir, bin, "-lockchan=false", "./...")
	if code != 0 || stdout != "" {
		t.Errorf("sharedvet -lockchan=false: exit %d, stdout %q; want exit 0 and no output", code, stdout)
	}
}

// TestFunctime checks that -functime writes a line for each function
// of the analyzed package, with its package's time, and still reports.
func TestFunctime(t *testing.T) {
	bin := buildSharedvet(t)
	dir := writeModule(t, false)
	out := filepath.Join(t.TempDir(), "functime.tsv")

	stdout, stderr, code := run(t, dir, bin, "-functime", out, "./bad")
	if code != 3 || !strings.Contains(stdout, wantFinding) {
		t.Fatalf("sharedvet -functime: exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if lines[0] != "package\tpackage_ms\tfunction\tfunction_ms\tshare\tby_analyzer_ms" {
		t.Errorf("header %q", lines[0])
	}
	var found bool
	for _, l := range lines[1:] {
		f := strings.Split(l, "\t")
		if len(f) != 6 {
			t.Fatalf("line %q: want 6 fields", l)
		}
		if strings.HasSuffix(f[2], ").Send") && strings.Contains(f[5], "lockchan=") && f[1] != "0.000" {
			found = true
		}
	}
	if !found {
		t.Errorf("no line for the bad package's send method with a lockchan time and a package time:\n%s", data)
	}
}

func TestStandaloneTypeError(t *testing.T) {
	bin := buildSharedvet(t)
	dir := writeModule(t, true)

	stdout, stderr, code := run(t, dir, bin, "./...")
	if code != 1 {
		t.Errorf("exit %d, want 1 (an error)", code)
	}
	if !strings.Contains(stderr, "example.com/m/broken") || !strings.Contains(stderr, "undefined") {
		t.Errorf("stderr does not name the broken package and its error:\n%s", stderr)
	}
	if !strings.Contains(stdout, wantFinding) {
		t.Errorf("the other packages were not analyzed; stdout:\n%s", stdout)
	}
}

func TestBadPattern(t *testing.T) {
	bin := buildSharedvet(t)
	dir := writeModule(t, false)
	_, stderr, code := run(t, dir, bin, "./nonexistent/...")
	if code != 1 || stderr == "" {
		t.Errorf("exit %d, stderr %q; want exit 1 and a message", code, stderr)
	}
}

func TestVetTool(t *testing.T) {
	bin := buildSharedvet(t)
	dir := writeModule(t, false)

	_, stderr, code := run(t, dir, "go", "vet", "-vettool="+bin, "./...")
	if code == 0 || !strings.Contains(stderr, wantVetFinding) || !strings.Contains(stderr, wantCrossFinding) {
		t.Errorf("go vet -vettool: exit %d, stderr:\n%s\nwant a failure with %q and %q", code, stderr, wantVetFinding, wantCrossFinding)
	}

	_, stderr, code = run(t, dir, "go", "vet", "-vettool="+bin, "./good")
	if code != 0 {
		t.Errorf("go vet -vettool ./good: exit %d, stderr:\n%s", code, stderr)
	}

	// An analyzer flag, spelled as go vet spells it.
	_, stderr, code = run(t, dir, "go", "vet", "-vettool="+bin, "-lockchan=false", "./...")
	if code != 0 {
		t.Errorf("go vet -vettool -lockchan=false: exit %d, stderr:\n%s", code, stderr)
	}
}

// TestChecksBothModes checks that -checks and -NAME select the same
// checks standalone and under go vet: the module's findings are all
// lockchan's.
func TestChecksBothModes(t *testing.T) {
	bin := buildSharedvet(t)
	dir := writeModule(t, false)
	for _, tc := range []struct {
		args     []string
		findings bool
	}{
		{[]string{"-checks=atomicmix,gocapture"}, false},
		{[]string{"-checks=all,-lockchan"}, false},
		{[]string{"-checks=-lockchan"}, false},
		{[]string{"-checks=lockchan"}, true},
		{[]string{"-checks", "atomicmix", "-lockchan"}, true},
		{[]string{"-atomicmix"}, false}, // -NAME alone runs only the checks named so
		{[]string{"-lockchan"}, true},
	} {
		args := append(tc.args, "./...")
		stdout, stderr, code := run(t, dir, bin, args...)
		if got := strings.Contains(stdout, wantFinding); got != tc.findings || code == 1 {
			t.Errorf("sharedvet %v: exit %d, findings %v, want %v; stdout:\n%s\nstderr:\n%s", args, code, got, tc.findings, stdout, stderr)
		}
		_, stderr, code = run(t, dir, "go", append([]string{"vet", "-vettool=" + bin}, args...)...)
		if got := strings.Contains(stderr, wantVetFinding); got != tc.findings || got != (code != 0) {
			t.Errorf("go vet %v: exit %d, findings %v, want %v; stderr:\n%s", args, code, got, tc.findings, stderr)
		}
	}
}

// TestVersion checks -version, and -V=full in the form the go command
// parses to key its cache of vet results on the executable's hash.
func TestVersion(t *testing.T) {
	bin := buildSharedvet(t)
	stdout, _, code := run(t, ".", bin, "-version")
	if code != 0 || !regexp.MustCompile(`^sharedvet (devel|v\S+) \(.*go1\.\d+.*\)\n$`).MatchString(stdout) {
		t.Errorf("-version: exit %d, stdout %q", code, stdout)
	}
	stdout, _, code = run(t, ".", bin, "-V=full")
	if code != 0 || !regexp.MustCompile(`^sharedvet version devel .*go1\.\d+.* buildID=[0-9a-f]{64}\n$`).MatchString(stdout) {
		t.Errorf("-V=full: exit %d, stdout %q", code, stdout)
	}
}

// TestConfigBothModes checks that sharedvet.conf chooses the checks in
// both modes (under go vet, found from each package's directory), and
// that the command line overrides it.
func TestConfigBothModes(t *testing.T) {
	bin := buildSharedvet(t)
	dir := writeModule(t, false)
	writeFiles(t, dir, map[string]string{"sharedvet.conf": "# the module's findings are all lockchan's\nchecks = [\"all\", \"-lockchan\"]\n"})
	for _, tc := range []struct {
		args     []string
		findings bool
	}{
		{nil, false},
		{[]string{"-checks=lockchan"}, true},
		{[]string{"-lockchan"}, true},
	} {
		args := append(tc.args, "./...")
		stdout, stderr, code := run(t, dir, bin, args...)
		if got := strings.Contains(stdout, wantFinding); got != tc.findings || code == 1 {
			t.Errorf("sharedvet %v: exit %d, findings %v, want %v; stdout:\n%s\nstderr:\n%s", args, code, got, tc.findings, stdout, stderr)
		}
		_, stderr, code = run(t, dir, "go", append([]string{"vet", "-vettool=" + bin}, args...)...)
		if got := strings.Contains(stderr, wantVetFinding); got != tc.findings || got != (code != 0) {
			t.Errorf("go vet %v: exit %d, findings %v, want %v; stderr:\n%s", args, code, got, tc.findings, stderr)
		}
	}
}
