package driver

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/tools/go/analysis"
)

// cacheModule writes a module of one package, p, makes it the current
// directory and gives the cache engine an empty cache of its own.
func cacheModule(t *testing.T) (cacheDir string) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the go command")
	}
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.22\n",
		"p/p.go": "package p\n\nfunc F() int { return 1 }\n",
	}
	for name, src := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	t.Setenv("GOFLAGS", "")
	cacheDir = filepath.Join(t.TempDir(), "cache")
	t.Setenv(resultsCacheEnv, cacheDir)
	return cacheDir
}

// countCheck returns an analyzer that reports each file's first
// declaration and counts its runs in runs.
func countCheck(runs *atomic.Int32) *analysis.Analyzer {
	return &analysis.Analyzer{
		Name: "countcheck",
		Doc:  "countcheck: reports each file's first declaration",
		Run: func(pass *analysis.Pass) (any, error) {
			runs.Add(1)
			for _, f := range pass.Files {
				pass.Reportf(f.Decls[0].Pos(), "function here")
			}
			return nil, nil
		},
	}
}

// TestCacheEngineReuses checks that a second run over an unchanged
// package answers from the cache without analyzing it, and prints the
// same.
func TestCacheEngineReuses(t *testing.T) {
	cacheModule(t)
	var runs atomic.Int32
	check := countCheck(&runs)
	var out1, out2, errs bytes.Buffer
	if code := Run([]string{"-engine=cache", "./p"}, []*analysis.Analyzer{check}, &out1, &errs); code != exitFindings {
		t.Fatalf("first run: exit %d, stderr:\n%s", code, errs.String())
	}
	if !strings.Contains(out1.String(), "p/p.go:3:1: function here (countcheck)") {
		t.Errorf("first run printed:\n%s", out1.String())
	}
	before := runs.Load()
	if code := Run([]string{"-engine=cache", "./p"}, []*analysis.Analyzer{check}, &out2, &errs); code != exitFindings {
		t.Fatalf("second run: exit %d, stderr:\n%s", code, errs.String())
	}
	if out2.String() != out1.String() {
		t.Errorf("second run printed:\n%s\nwant:\n%s", out2.String(), out1.String())
	}
	if runs.Load() != before {
		t.Errorf("second run analyzed the package again (%d runs, then %d)", before, runs.Load())
	}
}

// TestCacheEngineFailure checks that an analysis that fails, even one a
// check requires (which the runner skips the check for), fails the run
// with a problem naming it, and that its incomplete result is not
// reused: the cache is cleared, and the next run fails again.
func TestCacheEngineFailure(t *testing.T) {
	cacheDir := cacheModule(t)
	dep := &analysis.Analyzer{
		Name: "faildep",
		Doc:  "faildep: fails",
		Run:  func(*analysis.Pass) (any, error) { return nil, errors.New("it broke") },
	}
	check := &analysis.Analyzer{
		Name:     "needsdep",
		Doc:      "needsdep: needs faildep",
		Requires: []*analysis.Analyzer{dep},
		Run: func(pass *analysis.Pass) (any, error) {
			pass.Reportf(pass.Files[0].Package, "never reported")
			return nil, nil
		},
	}
	for i := range 2 {
		var out, errs bytes.Buffer
		code := Run([]string{"-engine=cache", "./p"}, []*analysis.Analyzer{check}, &out, &errs)
		if code != exitError || !strings.Contains(errs.String(), "example.com/m/p: faildep: it broke") {
			t.Errorf("run %d: exit %d, stderr:\n%s\nwant exit 1 and faildep's error", i+1, code, errs.String())
		}
		if _, err := os.Stat(cacheDir); !os.IsNotExist(err) {
			t.Errorf("run %d: the cache is still there after a failed analysis (%v)", i+1, err)
		}
	}
}

// TestCacheEngineDamagedEntry checks that a cached entry whose bytes
// were damaged (same size, so the cache's own check passes) is not
// trusted: the run clears the cache, analyzes again and prints what
// the first run printed, with a warning.
func TestCacheEngineDamagedEntry(t *testing.T) {
	cacheDir := cacheModule(t)
	var runs atomic.Int32
	check := countCheck(&runs)
	var want, errs bytes.Buffer
	if code := Run([]string{"-engine=cache", "./p"}, []*analysis.Analyzer{check}, &want, &errs); code != exitFindings {
		t.Fatalf("first run: exit %d, stderr:\n%s", code, errs.String())
	}
	damaged := 0
	filepath.WalkDir(cacheDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "-d") {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		damaged++
		return os.WriteFile(path, bytes.Repeat([]byte{0xff}, int(info.Size())), 0o666)
	})
	if damaged == 0 {
		t.Fatalf("no cached output files (*-d) under %s", cacheDir)
	}
	before := runs.Load()
	var got bytes.Buffer
	errs.Reset()
	code := Run([]string{"-engine=cache", "./p"}, []*analysis.Analyzer{check}, &got, &errs)
	if code != exitFindings || got.String() != want.String() {
		t.Errorf("after damaging %d cached files: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 3 and:\n%s", damaged, code, got.String(), errs.String(), want.String())
	}
	if !strings.Contains(errs.String(), "damaged entry") {
		t.Errorf("stderr does not say the cache was damaged:\n%s", errs.String())
	}
	if runs.Load() == before {
		t.Errorf("the package was not analyzed again")
	}
}

// TestPickEngineUnwritableCache checks that a run that names no engine
// takes the vet engine when the cache engine's directory cannot be
// made (a read-only home in a CI container), rather than failing.
func TestPickEngineUnwritableCache(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	t.Setenv(resultsCacheEnv, filepath.Join(file, "cache"))
	if got := pickEngine(nil); got != engineVet {
		t.Errorf("pickEngine with an unwritable cache directory = %q, want %q", got, engineVet)
	}
}

// TestCacheEngineTypeErrors checks that a package nobody imports, which
// the go command therefore does not compile, and which does not
// type-check, is one line of its first error and how many more, as go
// vet's, and fails the run.
func TestCacheEngineTypeErrors(t *testing.T) {
	cacheModule(t)
	src := "package p\n\nfunc F() int { return \"x\" }\n\nfunc G() string { return 1 }\n"
	if err := os.WriteFile("p/p.go", []byte(src), 0o666); err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int32
	var out, errs bytes.Buffer
	code := Run([]string{"-engine=cache", "./p"}, []*analysis.Analyzer{countCheck(&runs)}, &out, &errs)
	want := `example.com/m/p: p/p.go:3:23: cannot use "x" (untyped string constant) as int value in return statement (and 1 more)`
	if code != exitError || strings.Count(errs.String(), "\n") != 1 || !strings.Contains(errs.String(), want) {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and one line ending in:\n%s", code, errs.String(), want)
	}
}
