package main_test

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The README's commands are run as a new user runs them: from the
// root of a clone, by /bin/sh, in an environment emptied by env -i but
// for the go command's directory on PATH, with GOBIN set and unset.
// The commands are read from README.md, so that changing them there
// changes what is tested.

// repoRoot is the root of the repository, from this package's
// directory.
const repoRoot = "../.."

// wantVettool is the one spelling of -vettool the documentation may
// use: it cannot expand to an empty -vettool=, with which go vet runs
// its own suite instead and reports a false "clean".
const wantVettool = `-vettool="$(command -v sharedvet || echo sharedvet-not-on-PATH)"`

// vetFinding matches a finding go vet prints for the examples.
var vetFinding = regexp.MustCompile(`(?m)^broker/broker\.go:\d+:\d+: `)

func TestReadmeTryIt(t *testing.T) {
	if testing.Short() {
		t.Skip("installs sharedvet and runs the test suite with -short")
	}
	blocks := readmeBlocks(t, "Try it", "sh")
	if len(blocks) != 2 {
		t.Fatalf("README's Try it section has %d sh blocks, want 2 (install and run; the tests)", len(blocks))
	}
	tryIt, testCmd := blocks[0], blocks[1]
	vet := vetCommand(t)

	for _, gobin := range []bool{false, true} {
		home := t.TempDir()
		env := cleanEnv(t, home)
		installDir := filepath.Join(home, "go", "bin") // GOPATH is unset: $HOME/go
		if gobin {
			installDir = filepath.Join(t.TempDir(), "gobin")
			env = append(env, "GOBIN="+installDir)
		}

		stdout, stderr, code := runShell(t, repoRoot, env, tryIt)
		if code != 3 || !strings.Contains(stdout, "examples/broker/broker.go:") || !strings.Contains(stdout, "(lockchan)") {
			t.Errorf("GOBIN set: %v: %s\nexit %d, stdout:\n%s\nstderr:\n%s\nwant exit 3 and the examples' findings", gobin, tryIt, code, stdout, stderr)
		}
		if _, err := os.Stat(filepath.Join(installDir, "sharedvet")); err != nil {
			t.Errorf("GOBIN set: %v: sharedvet not installed in %s: %v", gobin, installDir, err)
		}

		// Not on PATH: go vet must fail, not fall back to its own suite.
		_, stderr, code = runShell(t, filepath.Join(repoRoot, "examples"), env, vet)
		if code == 0 || !strings.Contains(stderr, "sharedvet-not-on-PATH") {
			t.Errorf("GOBIN set: %v: sharedvet not on PATH: %s\nexit %d, stderr:\n%s\nwant a failure naming sharedvet-not-on-PATH", gobin, vet, code, stderr)
		}
		// On PATH: go vet runs sharedvet.
		onPath := withPath(env, installDir)
		_, stderr, code = runShell(t, filepath.Join(repoRoot, "examples"), onPath, vet)
		if code == 0 || !vetFinding.MatchString(stderr) {
			t.Errorf("GOBIN set: %v: sharedvet on PATH: %s\nexit %d, stderr:\n%s\nwant the examples' findings", gobin, vet, code, stderr)
		}
	}

	// The test command, with -short through GOFLAGS: the full run would
	// run this test again, and builds golangci-lint. The system's
	// directories are on PATH too, as on any machine (some tests run
	// shell scripts that call sh and sleep), but not GOPATH/bin.
	env := append(withPath(cleanEnv(t, t.TempDir()), "/usr/bin:/bin"), "GOFLAGS=-short")
	stdout, stderr, code := runShell(t, repoRoot, env, testCmd)
	if code != 0 {
		t.Errorf("%s (GOFLAGS=-short): exit %d, stdout:\n%s\nstderr:\n%s", testCmd, code, stdout, stderr)
	}
}

// TestVettoolSpelling checks that the documentation spells -vettool
// only in a way that cannot silently become -vettool=.
func TestVettoolSpelling(t *testing.T) {
	files := []string{filepath.Join(repoRoot, "README.md"), "main.go"}
	docs, _ := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	more, _ := filepath.Glob(filepath.Join(repoRoot, "docs", "*", "*.md"))
	files = append(append(files, docs...), more...)
	re := regexp.MustCompile(`-vettool=("[^"]*"|\S*)`)
	n := 0
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllString(string(data), -1) {
			// go vet -vettool=PATH in prose names a path, not a command.
			if m == "-vettool=" || strings.Contains(m, "$(") && m != wantVettool {
				t.Errorf("%s: %s may expand to an empty -vettool=; write %s", name, m, wantVettool)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no -vettool= found in the documentation: was it moved?")
	}
}

// vetCommand returns the README's go vet command line.
func vetCommand(t *testing.T) string {
	t.Helper()
	for _, b := range readmeBlocks(t, "Usage", "sh") {
		if strings.HasPrefix(b, "go vet -vettool=") {
			if !strings.Contains(b, wantVettool) {
				t.Fatalf("README's go vet command %q does not use %s", b, wantVettool)
			}
			return b
		}
	}
	t.Fatal("no go vet -vettool command in the README's Usage section")
	return ""
}

// readmeBlocks returns the fenced code blocks of language lang in the
// README's section "## heading", each with surrounding space trimmed.
func readmeBlocks(t *testing.T, heading, lang string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	var in, inBlock bool
	var cur strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case inBlock && line == "```":
			blocks = append(blocks, strings.TrimSpace(cur.String()))
			cur.Reset()
			inBlock = false
		case inBlock:
			cur.WriteString(line + "\n")
		case strings.HasPrefix(line, "## "):
			in = line == "## "+heading
		case in && line == "```"+lang:
			inBlock = true
		}
	}
	if len(blocks) == 0 {
		t.Fatalf("README.md has no %s block under ## %s", lang, heading)
	}
	return blocks
}

// cleanEnv returns an environment with only the go command's directory
// on PATH and home as HOME. The build and module caches are shared
// with the calling go command, so that the run does not download or
// rebuild the world; they hold no settings.
func cleanEnv(t *testing.T, home string) []string {
	t.Helper()
	goenv := func(name string) string {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", name, err)
		}
		return strings.TrimSpace(string(out))
	}
	env := []string{
		"PATH=" + filepath.Join(goenv("GOROOT"), "bin"),
		"HOME=" + home,
		"GOCACHE=" + goenv("GOCACHE"),
		"GOMODCACHE=" + goenv("GOMODCACHE"),
		"GOTOOLCHAIN=local",
	}
	// The module proxy, as configured for the calling go command (CI
	// may have its own).
	if p := os.Getenv("GOPROXY"); p != "" {
		env = append(env, "GOPROXY="+p)
	}
	return env
}

// withPath returns env with dir appended to its PATH.
func withPath(env []string, dir string) []string {
	out := make([]string, len(env))
	for i, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			kv += string(os.PathListSeparator) + dir
		}
		out[i] = kv
	}
	return out
}

// runShell runs script with /bin/sh -c in dir with exactly env, and
// returns its stdout, stderr and exit status.
func runShell(t *testing.T, dir string, env []string, script string) (string, string, int) {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.Dir = dir
	cmd.Env = env
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
	t.Fatalf("/bin/sh -c %q: %v", script, err)
	return "", "", -1
}

// TestReadmeSnippets checks configuration the README shows for other
// tools, which no test here runs as shown: the golangci-lint config
// must not hide findings behind golangci-lint's default limits, the
// code-scanning job must be allowed to upload, and the Neovim snippet
// must use the API that replaced require('lspconfig').
func TestReadmeSnippets(t *testing.T) {
	for _, tc := range []struct {
		lang, marker string
		want         []string
		not          []string
	}{
		{"yaml", "- sharedvet", []string{"max-issues-per-linter: 0", "max-same-issues: 0"}, nil},
		{"yaml", "upload-sarif", []string{"security-events: write"}, []string{"which sharedvet", "go env GOPATH"}},
		{"lua", "golangci_lint_ls", []string{"vim.lsp.config('golangci_lint_ls'", "vim.lsp.enable('golangci_lint_ls')"}, []string{"require('lspconfig')"}},
	} {
		var found bool
		for _, b := range readmeBlocks(t, "Integrations", tc.lang) {
			if !strings.Contains(b, tc.marker) {
				continue
			}
			found = true
			for _, w := range tc.want {
				if !strings.Contains(b, w) {
					t.Errorf("README %s block with %q lacks %q:\n%s", tc.lang, tc.marker, w, b)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(b, n) {
					t.Errorf("README %s block with %q has %q:\n%s", tc.lang, tc.marker, n, b)
				}
			}
		}
		if !found {
			t.Errorf("README has no %s block with %q under ## Integrations", tc.lang, tc.marker)
		}
	}
}
