//go:build unix

package driver

import (
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/tools/go/analysis"

	"github.com/sharedvet/sharedvet/passes/atomicmix"
)

// TestFixFileKinds checks how -fix writes files that are not plain:
// through a symbolic link (kept), to a file with another hard link
// (kept), with its mode and owner, and not at all to a read-only file.
func TestFixFileKinds(t *testing.T) {
	want := golden(t, filepath.Join("testdata", "fix", "fix.go.golden"))
	analyzers := []*analysis.Analyzer{incr}

	t.Run("symlink", func(t *testing.T) {
		dir := copyFixture(t, "fix")
		store := filepath.Join(t.TempDir(), "fix.go")
		if err := os.Rename(filepath.Join(dir, "fix.go"), store); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(store, filepath.Join(dir, "fix.go")); err != nil {
			t.Fatal(err)
		}
		if _, stderr, code := runDriver(t, analyzers, "-fix", "./..."); code == exitError {
			t.Fatalf("exit 1: %s", stderr)
		}
		if fi, err := os.Lstat(filepath.Join(dir, "fix.go")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("fix.go is no longer a symbolic link (%v)", err)
		}
		if got := golden(t, store); got != want {
			t.Errorf("the link's target:\n%s\nwant:\n%s", got, want)
		}
	})

	t.Run("hardlink", func(t *testing.T) {
		dir := copyFixture(t, "fix")
		other := filepath.Join(t.TempDir(), "fix.go")
		if err := os.Link(filepath.Join(dir, "fix.go"), other); err != nil {
			t.Skipf("no hard links here: %v", err)
		}
		runDriver(t, analyzers, "-fix", "./...")
		if got := golden(t, other); got != want {
			t.Errorf("the other link:\n%s\nwant:\n%s", got, want)
		}
	})

	t.Run("mode and owner", func(t *testing.T) {
		dir := copyFixture(t, "fix")
		name := filepath.Join(dir, "fix.go")
		if err := os.Chmod(name, 0o640); err != nil {
			t.Fatal(err)
		}
		chowned := os.Getuid() == 0 && os.Chown(name, 4321, 4321) == nil
		runDriver(t, analyzers, "-fix", "./...")
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o640 || golden(t, name) != want {
			t.Errorf("mode %v, content:\n%s\nwant 0640 and the fix", fi.Mode().Perm(), golden(t, name))
		}
		if st := fi.Sys().(*syscall.Stat_t); chowned && (st.Uid != 4321 || st.Gid != 4321) {
			t.Errorf("owner %d:%d, want 4321:4321", st.Uid, st.Gid)
		}
	})

	t.Run("read-only", func(t *testing.T) {
		dir := copyFixture(t, "fix")
		name := filepath.Join(dir, "fix.go")
		orig := golden(t, name)
		if err := os.Chmod(name, 0o444); err != nil {
			t.Fatal(err)
		}
		_, stderr, code := runDriver(t, analyzers, "-fix", "./...")
		if code != exitError || !strings.Contains(stderr, "fix.go is read-only; not written") {
			t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and a refusal", code, stderr)
		}
		if got := golden(t, name); got != orig {
			t.Errorf("the read-only file was written:\n%s", got)
		}
	})
}

// toucher changes fix.go on disk while the analysis runs, as an editor
// or a second -fix run would.
var toucher = &analysis.Analyzer{
	Name: "toucher",
	Doc:  "toucher: change fix.go during the analysis",
	Run: func(pass *analysis.Pass) (any, error) {
		for _, f := range pass.Files {
			name := pass.Fset.File(f.Pos()).Name()
			if filepath.Base(name) == "fix.go" {
				data, err := os.ReadFile(name)
				if err != nil {
					return nil, err
				}
				if err := os.WriteFile(name, append([]byte("// edited during the run\n"), data...), 0o644); err != nil {
					return nil, err
				}
			}
		}
		return nil, nil
	},
}

// TestFixChangedFile checks that a file changed between its parsing and
// the writing of its fixes is refused, not fixed at stale offsets.
func TestFixChangedFile(t *testing.T) {
	dir := copyFixture(t, "fix")
	_, stderr, code := runDriver(t, []*analysis.Analyzer{incr, toucher}, "-fix", "./...")
	if code != exitError || !strings.Contains(stderr, "fix.go changed since it was analyzed; not written") {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and a refusal", code, stderr)
	}
	got := golden(t, filepath.Join(dir, "fix.go"))
	if !strings.HasPrefix(got, "// edited during the run\n") || strings.Contains(got, "++") {
		t.Errorf("fix.go:\n%s\nwant the edit of the run and no fix", got)
	}
}

// TestFixGuard checks the refusal of a file that is not one of the
// packages' sources (cgo's generated files in the build cache).
func TestFixGuard(t *testing.T) {
	g := newFixGuard()
	g.parse(token.NewFileSet(), "/src/a.go", []byte("package a\n"))
	g.parse(token.NewFileSet(), "/cache/b.cgo1.go", []byte("package a\n"))
	g.source = map[string]bool{"/src/a.go": true}
	if err := g.check("/src/a.go", []byte("package a\n")); err != nil {
		t.Errorf("a.go refused: %v", err)
	}
	if err := g.check("/src/a.go", []byte("package b\n")); err == nil || !strings.Contains(err.Error(), "changed since") {
		t.Errorf("changed a.go: err %v", err)
	}
	if err := g.check("/cache/b.cgo1.go", []byte("package a\n")); err == nil || !strings.Contains(err.Error(), "not a source file") {
		t.Errorf("cgo file: err %v", err)
	}
}

// TestDiffQuotedName checks that -diff quotes a file name with a space
// or non-ASCII letters as git does, and that patch applies the diff.
func TestDiffQuotedName(t *testing.T) {
	want := golden(t, filepath.Join("testdata", "fix", "fix.go.golden"))
	dir := copyFixture(t, "fix")
	const name = "my fixé.go"
	if err := os.Rename(filepath.Join(dir, "fix.go"), filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, _ := runDriver(t, []*analysis.Analyzer{incr}, "-diff", "./...")
	if !strings.HasPrefix(stdout, "--- \"my fix\\303\\251.go\"\n+++ \"my fix\\303\\251.go\" (fixed)\n") {
		t.Fatalf("-diff printed:\n%s\nstderr:\n%s\nwant the name quoted", stdout, stderr)
	}
	patch, err := exec.LookPath("patch")
	if err != nil {
		t.Skip("no patch command")
	}
	cmd := exec.Command(patch, "-p0")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdout)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch: %v\n%s", err, out)
	}
	if got := golden(t, filepath.Join(dir, name)); got != want {
		t.Errorf("patched:\n%s\nwant:\n%s", got, want)
	}
}

// TestFixCgo checks that a fix in a cgo file, whose syntax is the file
// cgo generated in the build cache, is refused with a message at its
// finding and writes nothing, standalone and under go vet -fix, while
// a fix in the package's other file is written (the package, cgo's
// files included, type-checks). The checks offer no such fix (a
// generated file gets none), which the atomicmix case shows.
func TestFixCgo(t *testing.T) {
	if _, err := exec.LookPath("cc"); err != nil {
		if _, err := exec.LookPath("gcc"); err != nil {
			t.Skip("no C compiler")
		}
	}
	t.Setenv("CGO_ENABLED", "1")
	cgoFile := "package cg\n\n// int two(void) { return 2; }\nimport \"C\"\n\nfunc Two() int {\n\tn := int(C.two())\n\t// fix: n++\n\treturn n\n}\n"
	files := map[string]string{
		"cg/c.go":     cgoFile,
		"cg/plain.go": "package cg\n\nfunc plain(n int) int {\n\t// fix: n++\n\treturn n\n}\n",
	}

	t.Run("standalone", func(t *testing.T) {
		dir := writeFixtures(t, files)
		_, stderr, code := runDriver(t, []*analysis.Analyzer{scripted}, "-fix", "./...")
		const want = `cg/c.go:8:2: fix "Replace with n++" edits `
		if code != exitError || !strings.Contains(stderr, want) || !strings.Contains(stderr, "which the build generated (as cgo does), not a source file; not applied") {
			t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and: %s...", code, stderr, want)
		}
		if strings.Contains(stderr, "applied 1 fix(es) in 1 file(s)") {
			cached := strings.Fields(stderr[strings.Index(stderr, want)+len(want):])[0]
			if data, err := os.ReadFile(cached); err == nil && strings.Contains(string(data), "\tn++") {
				t.Errorf("the cgo file in the build cache was written: %s", cached)
			}
		} else {
			t.Errorf("stderr:\n%s\nwant plain.go's fix applied", stderr)
		}
		if got := golden(t, filepath.Join(dir, "cg", "c.go")); got != cgoFile {
			t.Errorf("c.go written:\n%s", got)
		}
		if got := golden(t, filepath.Join(dir, "cg", "plain.go")); !strings.Contains(got, "\tn++") {
			t.Errorf("plain.go not fixed:\n%s", got)
		}
	})

	t.Run("go vet -fix", func(t *testing.T) {
		tool := buildScriptedTool(t)
		dir := writeFixtures(t, files)
		goVet(t, "-vettool="+tool, "-fix", "./...")
		if got := golden(t, filepath.Join(dir, "cg", "c.go")); got != cgoFile {
			t.Errorf("c.go written:\n%s", got)
		}
		if got := golden(t, filepath.Join(dir, "cg", "plain.go")); !strings.Contains(got, "\tn++") {
			t.Errorf("plain.go not fixed:\n%s", got)
		}
	})

	t.Run("atomicmix", func(t *testing.T) {
		writeFixtures(t, map[string]string{
			"cg/c.go":     "package cg\n\n// int two(void) { return 2; }\nimport \"C\"\n\nimport \"sync/atomic\"\n\ntype S struct{ n int64 }\n\nfunc (s *S) Inc() { atomic.AddInt64(&s.n, int64(C.two())) }\n\nfunc (s *S) Get() int64 { return s.n }\n",
			"cg/plain.go": "package cg\n\nimport \"sync/atomic\"\n\ntype T struct{ n int64 }\n\nfunc (t *T) Inc() { atomic.AddInt64(&t.n, 1) }\n\nfunc (t *T) Get() int64 { return t.n }\n",
		})
		stdout, stderr, _ := runDriver(t, []*analysis.Analyzer{atomicmix.Analyzer}, "-fix", "./...")
		if !strings.Contains(stdout, "cg/c.go:12:36: non-atomic read of `s.n`") || !strings.Contains(stderr, "fixed cg/plain.go:9:36:") || strings.Contains(stderr, "not applied") {
			t.Errorf("stdout:\n%s\nstderr:\n%s\nwant c.go's finding without a fix and plain.go's fixed", stdout, stderr)
		}
	})
}
