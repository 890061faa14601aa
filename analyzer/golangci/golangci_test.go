package golangci_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sharedvet/sharedvet/analyzer"
	"github.com/sharedvet/sharedvet/analyzer/golangci"
	"github.com/sharedvet/sharedvet/passes/gocapture"
	"github.com/sharedvet/sharedvet/passes/lockchan"
)

func TestSettings(t *testing.T) {
	t.Cleanup(func() {
		gocapture.Analyzer.Flags.Set("spawners", "")
		lockchan.Analyzer.Flags.Set("stalls", "false")
		lockchan.Analyzer.Flags.Set("depth", "2")
	})
	for _, tc := range []struct {
		name    string
		raw     any
		wantErr string
		wantN   int // analyzers built, lintdirective included
	}{
		{"none", nil, "", len(analyzer.All()) + 1},
		{"empty", map[string]any{}, "", len(analyzer.All()) + 1},
		{"checks", map[string]any{"checks": []any{"lockchan"}}, "", 2},
		{"checks all but one", map[string]any{"checks": []any{"all", "-lockchan"}}, "", len(analyzer.All())},
		{"checks removal first", map[string]any{"checks": []any{"-lockchan", "-gocapture"}}, "", len(analyzer.All()) - 1},
		{"disable", map[string]any{"disable": []any{"lockchan"}}, "", len(analyzer.All())},
		{"flag", map[string]any{"flags": map[string]any{"lintdirective": map[string]any{"unused": false}}}, "", len(analyzer.All()) + 1},
		{"list flag", map[string]any{"flags": map[string]any{"gocapture": map[string]any{"spawners": []any{"example.com/pool.Go", "(*example.com/pool.Pool).Submit"}}}}, "", len(analyzer.All()) + 1},
		{"lockchan typed", map[string]any{"lockchan": map[string]any{"stalls": true, "depth": 3}}, "", len(analyzer.All()) + 1},
		{"lockchan typed unknown", map[string]any{"lockchan": map[string]any{"stall": true}}, `sharedvet: decoding settings: json: unknown field "stall"`, 0},
		{"unknown key", map[string]any{"chekcs": []any{"lockchan"}}, `sharedvet: decoding settings: json: unknown field "chekcs"`, 0},
		{"unknown check", map[string]any{"checks": []any{"nosuch"}}, `sharedvet: unknown check "nosuch"`, 0},
		{"unknown flag", map[string]any{"flags": map[string]any{"lockchan": map[string]any{"nosuch": 1}}}, `sharedvet: check lockchan has no flag "nosuch"`, 0},
		{"bad flag value", map[string]any{"flags": map[string]any{"lintdirective": map[string]any{"unused": "maybe"}}}, `sharedvet: flag lintdirective.unused`, 0},
		{"all disabled", map[string]any{"checks": []any{"lockchan"}, "disable": []any{"lockchan"}}, "disable every check", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := golangci.New(tc.raw)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			as, err := p.BuildAnalyzers()
			if err != nil || len(as) != tc.wantN || as[len(as)-1].Name != "lintdirective" {
				t.Errorf("BuildAnalyzers: %d analyzers, err %v; want %d ending with lintdirective", len(as), err, tc.wantN)
			}
			if p.GetLoadMode() != "typesinfo" {
				t.Errorf("GetLoadMode = %q", p.GetLoadMode())
			}
		})
	}
}

// TestCustomGolangciLint builds golangci-lint v2.15.0 with the plugin
// compiled in (testdata/golangci/custom, its own module, so that this
// module does not depend on golangci-lint), runs it on a fixture, and
// checks that sharedvet's findings come out and that //nolint:sharedvet
// and //lint:ignore silence them.
func TestCustomGolangciLint(t *testing.T) {
	if testing.Short() {
		t.Skip("builds golangci-lint")
	}
	root, err := filepath.Abs(filepath.Join("..", "..", "testdata", "golangci"))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "custom-gcl")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = filepath.Join(root, "custom")
	build.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off", "GOTOOLCHAIN=local")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	lint := exec.Command(bin, "run", "--show-stats=false", "./...")
	lint.Dir = filepath.Join(root, "fixture")
	lint.Env = append(os.Environ(), "GOLANGCI_LINT_CACHE="+t.TempDir(), "GOFLAGS=", "GOWORK=off", "GOTOOLCHAIN=local")
	var stdout, stderr bytes.Buffer
	lint.Stdout, lint.Stderr = &stdout, &stderr
	err = lint.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("golangci-lint run: %v (want exit status 1, issues found)\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"fixture.go:16:8: lockchan: send on `b.out` while holding `b.mu`; it stalls other users of the lock, but its receivers are not all known (`b.mu` locked here: fixture.go:14) (sharedvet)",
		"fixture.go:35:2: lintdirective: lint directive gives no reason: write //lint:ignore lockchan <reason> (sharedvet)",
		"fixture.go:36:8: lockchan: send on `b.out` while holding `b.mu`; it stalls other users of the lock, but its receivers are not all known (`b.mu` locked here: fixture.go:33) (sharedvet)", // a directive without a reason silences nothing
		"fixture.go:42:2: lintdirective: lint directive for lockchan silences no finding (sharedvet)",                                                                                             // the unused flag was set
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}
	// golangci-lint prefixes each message with the analyzer's name; the
	// plugin folds related information into the message, so that it is
	// not reported as issues of its own.
	if strings.Contains(out, "related information") {
		t.Errorf("related information reported as issues of its own")
	}
	for _, silenced := range []string{"fixture.go:22:", "fixture.go:29:", "fixture.go:43:"} {
		if strings.Contains(out, silenced) {
			t.Errorf("a finding at %s was not silenced", silenced)
		}
	}
	if t.Failed() {
		t.Logf("stdout:\n%s\nstderr:\n%s", out, stderr.String())
	}

	// The editors' invocations, as the README documents them.
	t.Run("vscode", func(t *testing.T) {
		// What vscode-go runs for go.lintTool "golangci-lint-v2" on a
		// package: in the package's directory, with these flags.
		out := runLint(t, bin, lint.Dir, lint.Env, 0, "run", "--issues-exit-code=0",
			"--output.text.print-issued-lines=false", "--show-stats=false", "--output.text.path=stdout", "--path-mode=abs")
		want := filepath.Join(lint.Dir, "fixture.go") + ":16:8: lockchan: send on `b.out` while holding `b.mu`; it stalls other users of the lock, but its receivers are not all known (`b.mu` locked here: fixture.go:14) (sharedvet)"
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	})
	t.Run("langserver", func(t *testing.T) {
		// golangci-lint-langserver's command for golangci-lint v2.
		out := runLint(t, bin, lint.Dir, lint.Env, 1, "run", "--output.json.path=stdout", "--show-stats=false", "--issues-exit-code=1")
		var report struct {
			Issues []struct {
				FromLinter string
				Text       string
				Pos        struct {
					Filename     string
					Line, Column int
				}
			}
		}
		if err := json.Unmarshal([]byte(out), &report); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		found := false
		for _, is := range report.Issues {
			if is.FromLinter == "sharedvet" && is.Pos.Line == 16 && is.Pos.Column == 8 && is.Text == "lockchan: send on `b.out` while holding `b.mu`; it stalls other users of the lock, but its receivers are not all known (`b.mu` locked here: fixture.go:14)" {
				found = true
			}
		}
		if !found {
			t.Errorf("no sharedvet issue at 16:8 in:\n%s", out)
		}
	})
}

// runLint runs the custom golangci-lint and returns its stdout,
// checking its exit status.
func runLint(t *testing.T, bin, dir string, env []string, wantCode int, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != wantCode {
		t.Errorf("%v: exit %d, want %d; stderr:\n%s", args, code, wantCode, stderr.String())
	}
	return stdout.String()
}

// TestLockchanSettings checks that the typed lockchan settings reach
// the analyzer's flags.
func TestLockchanSettings(t *testing.T) {
	t.Cleanup(func() {
		lockchan.Analyzer.Flags.Set("stalls", "false")
		lockchan.Analyzer.Flags.Set("depth", "2")
	})
	if _, err := golangci.New(map[string]any{"lockchan": map[string]any{"stalls": true, "depth": 3}}); err != nil {
		t.Fatal(err)
	}
	for flag, want := range map[string]string{"stalls": "true", "depth": "3"} {
		if got := lockchan.Analyzer.Flags.Lookup(flag).Value.String(); got != want {
			t.Errorf("-lockchan.%s = %s, want %s", flag, got, want)
		}
	}
}
