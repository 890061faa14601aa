package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestEnginesAgree checks that the cache engine (the default), the vet
// engine and the standalone engine print the same thing in every format, including
// related locations, problems and the exit status, on a module with
// findings, a package that does not type-check and the trace.
func TestEnginesAgree(t *testing.T) {
	bin := buildSharedvet(t)
	dir := writeModule(t, true)
	for _, args := range [][]string{
		{"./..."},
		{"./bad", "./user", "./good"},
		{"-json", "./bad", "./user"},
		{"-format=sarif", "./bad", "./user"},
		{"-format=editor", "./bad"},
		{"-lockchan.stalls", "-excused", "./good", "./bad"},
		{"-checks=atomicmix", "./bad"},
	} {
		sout, serr, scode := run(t, dir, bin, append([]string{"-engine=standalone"}, args...)...)
		for _, engine := range []string{"vet", "cache"} {
			out, stderr, code := run(t, dir, bin, append([]string{"-engine=" + engine}, args...)...)
			if out != sout || code != scode {
				t.Errorf("sharedvet %v: the engines differ\n%s (exit %d):\n%s\nstandalone (exit %d):\n%s", args, engine, code, out, scode, sout)
			}
			if (stderr == "") != (serr == "") {
				t.Errorf("sharedvet %v: only one engine printed problems\n%s:\n%s\nstandalone:\n%s", args, engine, stderr, serr)
			}
		}
	}
	// A package that does not type-check is one line on stderr and
	// exit 1 in both engines.
	for _, engine := range []string{"vet", "cache"} {
		_, stderr, code := run(t, dir, bin, "-engine="+engine, "./broken")
		if code != 1 || !strings.Contains(stderr, "broken") || !strings.Contains(stderr, "undefined") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%s engine on a broken package: exit %d, stderr %q; want exit 1 and one line naming the package and the error", engine, code, stderr)
		}
	}
}

// TestEngineCaches checks what the vet engine's cache and the cache
// engine's must get right: the second run answers the same; a change
// of sharedvet.conf or of a flag is a change of the result, though go
// vet keys its cache on the tool and the flags, not on that file; and
// an edit is seen.
func TestEngineCaches(t *testing.T) {
	bin := buildSharedvet(t)
	for _, engine := range []string{"vet", "cache"} {
		t.Run(engine, func(t *testing.T) { testEngineCache(t, bin, engine) })
	}
}

func testEngineCache(t *testing.T, bin, engine string) {
	dir := writeModule(t, false)
	run := func(t *testing.T, dir, name string, args ...string) (string, string, int) {
		t.Helper()
		if name == bin {
			args = append([]string{"-engine=" + engine}, args...)
		}
		return runEnv(t, dir, nil, name, args...)
	}
	first, _, code := run(t, dir, bin, "./...")
	if code != 3 || !strings.Contains(first, wantFinding) {
		t.Fatalf("first run: exit %d, stdout:\n%s", code, first)
	}
	if again, _, code := run(t, dir, bin, "./..."); again != first || code != 3 {
		t.Errorf("second run differs (exit %d):\n%s\nwant:\n%s", code, again, first)
	}
	writeFiles(t, dir, map[string]string{"sharedvet.conf": "checks = [\"all\", \"-lockchan\"]\n"})
	if out, _, code := run(t, dir, bin, "./..."); code != 0 || out != "" {
		t.Errorf("after sharedvet.conf turned lockchan off: exit %d, stdout:\n%s\nwant no findings (a cached result was reused)", code, out)
	}
	// The same under go vet -vettool, where the tool finds the file
	// itself: its hash is part of the tool's version line.
	if _, stderr, code := run(t, dir, "go", "vet", "-vettool="+bin, "./..."); code != 0 || strings.Contains(stderr, wantVetFinding) {
		t.Errorf("go vet after sharedvet.conf turned lockchan off: exit %d, stderr:\n%s", code, stderr)
	}
	if err := os.Remove(filepath.Join(dir, "sharedvet.conf")); err != nil {
		t.Fatal(err)
	}
	if out, _, _ := run(t, dir, bin, "./..."); out != first {
		t.Errorf("after sharedvet.conf was removed:\n%s\nwant:\n%s", out, first)
	}
	if out, _, code := run(t, dir, bin, "-lockchan=false", "./..."); code != 0 || out != "" {
		t.Errorf("-lockchan=false after a cached run: exit %d, stdout:\n%s", code, out)
	}
	// Fix the bug: the finding goes.
	path := filepath.Join(dir, "bad", "bad.go")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fixed := strings.Replace(string(src), "\tb.out <- v\n", "\t_ = v\n", 1)
	if fixed == string(src) {
		t.Fatalf("bad.go has no send to remove:\n%s", src)
	}
	writeFiles(t, dir, map[string]string{"bad/bad.go": fixed})
	if out, _, _ := run(t, dir, bin, "./..."); strings.Contains(out, "bad/bad.go") {
		t.Errorf("after the edit that removed the send, still:\n%s", out)
	}
}

// TestVetEngineDependencyFirst checks that a package analyzed first as
// a dependency keeps its findings when it is named later. go vet's
// cache does not key on whether it asked for a package's findings, so
// without -report-dependencies the second run printed nothing from its
// cache (as go vet's own analyzers do: go vet ./b, then go vet ./a).
// Only the named packages are printed.
func TestVetEngineDependencyFirst(t *testing.T) {
	bin := buildSharedvet(t)
	for _, engine := range []string{"-engine=vet", "-engine=cache"} {
		dir := writeModule(t, false)
		writeFiles(t, dir, map[string]string{"caller/caller.go": "package caller\n\nimport \"example.com/m/bad\"\n\nfunc Use() { bad.NewB().Send(1) }\n"})
		if out, _, code := run(t, dir, bin, engine, "./caller"); code != 0 || out != "" {
			t.Errorf("%s ./caller, which imports bad: exit %d, stdout:\n%s\nwant bad's findings left out", engine, code, out)
		}
		for format, wantCode := range map[string]int{"text": 3, "json": 0} {
			if out, _, code := run(t, dir, bin, engine, "-format="+format, "./bad"); code != wantCode || !strings.Contains(out, "bad.go:13") {
				t.Errorf("%s -format=%s ./bad after ./caller: exit %d, stdout:\n%s\nwant the finding at bad.go:13", engine, format, code, out)
			}
		}
	}
}

// TestEngineChoice checks which engine runs: the flags that only the
// standalone engine serves choose it, and asking for the vet engine
// with one of them is an error, not a silent switch.
func TestEngineChoice(t *testing.T) {
	bin := buildSharedvet(t)
	dir := writeModule(t, false)
	if _, stderr, code := run(t, dir, bin, "-engine=vet", "-fix", "./..."); code != 1 || !strings.Contains(stderr, "-fix needs -engine=standalone") {
		t.Errorf("-engine=vet -fix: exit %d, stderr %q", code, stderr)
	}
	if _, stderr, code := run(t, dir, bin, "-engine=fast", "./..."); code != 1 || !strings.Contains(stderr, "unknown -engine") {
		t.Errorf("-engine=fast: exit %d, stderr %q", code, stderr)
	}
	if out, _, code := run(t, dir, bin, "-test=false", "./bad"); code != 3 || !strings.Contains(out, wantFinding) {
		t.Errorf("-test=false (standalone): exit %d, stdout:\n%s", code, out)
	}
}

// TestNoCache checks that -cache=false (the standalone engine) prints
// what the cached engine does, and that it cannot be combined with
// -engine=vet.
func TestNoCache(t *testing.T) {
	bin := buildSharedvet(t)
	dir := writeModule(t, false)
	want, _, _ := run(t, dir, bin, "./bad")
	got, stderr, code := run(t, dir, bin, "-cache=false", "./bad")
	if got != want || code != 3 {
		t.Errorf("-cache=false: exit %d, stdout:\n%s\nstderr:\n%s\nwant:\n%s", code, got, stderr, want)
	}
	if _, stderr, code := run(t, dir, bin, "-engine=vet", "-cache=false", "./bad"); code != 1 || !strings.Contains(stderr, "-cache=false needs -engine=standalone") {
		t.Errorf("-engine=vet -cache=false: exit %d, stderr %q", code, stderr)
	}
}

// TestEngineOnEmptyBuildCache checks the choice sharedvet makes when
// the user makes none: on a build cache that has not compiled the
// standard library (a CI job that keeps no cache), the standalone
// engine, which compiles nothing, and the cache engine otherwise, which
// leaves a marker so that later runs need not ask go vet -n again.
func TestEngineOnEmptyBuildCache(t *testing.T) {
	bin := buildSharedvet(t)
	dir := writeModule(t, false)
	userCache := t.TempDir()
	marker := func() bool {
		m, _ := filepath.Glob(filepath.Join(userCache, "sharedvet", "build-cache-used-*"))
		return len(m) > 0
	}
	env := []string{"XDG_CACHE_HOME=" + userCache, "GOCACHE=" + filepath.Join(userCache, "go-build")}
	out, stderr, code := runEnv(t, dir, env, bin, "./bad")
	if code != 3 || !strings.Contains(out, wantFinding) {
		t.Fatalf("on an empty build cache: exit %d, stdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	if marker() {
		t.Errorf("on an empty build cache the cache engine ran (the go command compiles the standard library first); want the standalone engine")
	}
	// On the build cache of the go command that built the test (it
	// has compiled the standard library), the cache engine runs.
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	results := filepath.Join(t.TempDir(), "results")
	env = []string{"XDG_CACHE_HOME=" + userCache, "GOCACHE=" + strings.TrimSpace(string(gocache)), "SHAREDVET_CACHE=" + results}
	if out2, _, code := runEnv(t, dir, env, bin, "./bad"); code != 3 || out2 != out {
		t.Errorf("on a warm build cache: exit %d, stdout:\n%s\nwant:\n%s", code, out2, out)
	}
	if entries, _ := os.ReadDir(results); !marker() || len(entries) == 0 {
		t.Errorf("on a warm build cache the cache engine did not run (marker %v, %d entries in its cache)", marker(), len(entries))
	}
}
