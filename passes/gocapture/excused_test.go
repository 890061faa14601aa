package gocapture_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/sharedvet/sharedvet/passes/gocapture"
	"github.com/sharedvet/sharedvet/passes/internal/excusedtest"
	"github.com/sharedvet/sharedvet/passes/trace"
)

// A fixtureRun is a set of fixture packages that analysistest loads
// from one directory: the GOPATH tree of testdata, or a module of
// versions with its own go.mod.
type fixtureRun struct {
	dir  string // relative to testdata/src, or "" for testdata itself
	pkgs []string
}

// fixtureRuns are the runs whose lines carry checked `// excused`
// comments: the check's own fixtures (not clean, which every check
// shares, nor spawners, which need a flag).
var fixtureRuns = []fixtureRun{
	{"", []string{
		"gocapture/basic", "gocapture/claims", "gocapture/joins", "gocapture/maps",
		"gocapture/seed", "gocapture/generics", "gocapture/nested", "gocapture/behind",
		"gocapture/inline", "gocapture/starters",
		"gocapture/rangefunc",
		"gocapture/methods",
		"gocapture/pools",
	}},
	{"gocapture/versions/go122", []string{"./..."}},
	{"gocapture/versions/go121", []string{"./..."}},
}

// root returns the directory analysistest loads the run from.
func (r fixtureRun) root(t *testing.T) string {
	if r.dir == "" {
		return testdata(t)
	}
	return filepath.Join(testdata(t), "src", r.dir)
}

// files returns the Go files of the run's packages.
func (r fixtureRun) files(t *testing.T) []string {
	var out []string
	for _, pkg := range r.pkgs {
		dir := filepath.Join(testdata(t), "src", pkg)
		if pkg == "./..." {
			dir = r.root(t)
		}
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(path, ".go") {
				out = append(out, path)
			}
			return nil
		})
	}
	return out
}

// TestExcused runs the check with the trace on over the fixtures and
// compares the exceptions it names with the lines' `// excused NAME`
// comments: each exception must fire where a comment says, and no line
// may be excused without one. The findings are still checked by their
// `// want` comments.
func TestExcused(t *testing.T) {
	trace.Set(true)
	t.Cleanup(func() { trace.Set(false) })
	got := make(map[string][]string) // file:line → exceptions
	for _, run := range fixtureRuns {
		for _, r := range analysistest.Run(traceOnly{t}, run.root(t), gocapture.Analyzer, run.pkgs...) {
			for _, d := range r.Action.Diagnostics {
				if name := trace.ExceptionOf(d); name != "" {
					posn := r.Action.Package.Fset.Position(d.Pos)
					key := fmt.Sprintf("%s:%d", posn.Filename, posn.Line)
					if !slices.Contains(got[key], name) {
						got[key] = append(got[key], name)
					}
				}
			}
		}
	}
	fired := make(map[string]bool)
	// A line with a finding may also have excused pairs (with another
	// goroutine), which its // want comment leaves no room to name:
	// they are not checked.
	want, reported := make(map[string][]string), make(map[string]bool)
	for _, l := range fixtureLines(t) {
		switch {
		case l.excused != nil:
			want[l.key] = l.excused
		case strings.Contains(l.text, "// want "):
			reported[l.key] = true
		}
	}
	for key, names := range got {
		slices.Sort(names)
		w := slices.Sorted(slices.Values(want[key]))
		if !slices.Equal(names, w) && !reported[key] {
			t.Errorf("%s: excused by %s, want %s", excusedtest.Rel(key), strings.Join(names, ", "), excusedtest.OrNone(w))
		}
		for _, n := range names {
			fired[n] = true
		}
	}
	for key, names := range want {
		if got[key] == nil {
			t.Errorf("%s: not excused, want excused by %s", excusedtest.Rel(key), strings.Join(names, ", "))
		}
	}
	for _, name := range gocapture.ExceptionNames() {
		if !fired[name] {
			t.Errorf("no fixture line is excused by %s", name)
		}
	}
}

// A fixtureLine is a line of a fixture package's file.
type fixtureLine struct {
	run     int    // the index of its run in fixtureRuns
	pkg     string // its package, as the run names it
	key     string // file:line
	text    string
	excused []string // the names of its // excused comment
}

// fixtureLines returns the lines of the fixture packages' files.
func fixtureLines(t *testing.T) []fixtureLine {
	var out []fixtureLine
	for i, run := range fixtureRuns {
		for _, pkg := range run.pkgs {
			for _, l := range excusedtest.Lines(t, (fixtureRun{run.dir, []string{pkg}}).files(t)) {
				out = append(out, fixtureLine{run: i, pkg: pkg, key: l.Key, text: l.Text, excused: l.Excused})
			}
		}
	}
	return out
}

// traceOnly passes analysistest's errors on to the test, but for the
// entries of the trace, which carry no `// want` and are checked by
// TestExcused itself.
type traceOnly struct{ t *testing.T }

func (w traceOnly) Errorf(format string, args ...any) {
	w.t.Helper()
	msg := fmt.Sprintf(format, args...)
	if excusedtest.IsTraceError(msg) {
		return
	}
	w.t.Error(msg)
}

// TestDisable turns each exception off in turn (-gocapture.disable)
// and checks that the lines its // excused comment names alone are
// then reported or cleared by another exception, or that their
// function is reported (an access under a constant condition is
// traced where it is, its race at the write), never silent; and that
// at least one of the lines that name it is reported: what the
// exception buys is visible.
func TestDisable(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the fixtures once per exception")
	}
	trace.Set(true)
	t.Cleanup(func() { trace.Set(false) })
	named := make(map[string][]fixtureLine)     // exception → lines that name it
	pkgsOf := make(map[string]map[int][]string) // exception → run → the packages of those lines
	for _, l := range fixtureLines(t) {
		for _, name := range l.excused {
			named[name] = append(named[name], l)
			if pkgsOf[name] == nil {
				pkgsOf[name] = make(map[int][]string)
			}
			if !slices.Contains(pkgsOf[name][l.run], l.pkg) {
				pkgsOf[name][l.run] = append(pkgsOf[name][l.run], l.pkg)
			}
		}
	}
	// A function with a // want line is reported, whatever is
	// disabled: a goroutine's other pairs may be judged for the trace
	// alone once it has a race (fixture badReadRacesOneWriter).
	wanted := make(map[string]bool)
	for _, l := range fixtureLines(t) {
		if strings.Contains(l.text, "// want ") {
			wanted[funcOf(l.key)] = true
		}
	}
	flag := gocapture.Analyzer.Flags.Lookup("disable")
	t.Cleanup(func() { flag.Value.Set("") })
	for _, name := range gocapture.ExceptionNames() {
		if err := flag.Value.Set(name); err != nil {
			t.Fatal(err)
		}
		rec := &recorder{lines: make(map[string]string), funcs: make(map[string]bool)}
		for run, pkgs := range pkgsOf[name] {
			analysistest.Run(rec, fixtureRuns[run].root(t), gocapture.Analyzer, pkgs...)
		}
		reported := 0
		for _, l := range named[name] {
			line := excusedtest.Rel(l.key)
			msg := rec.lines[line]
			if msg != "" && !strings.HasPrefix(msg, "excused by ") {
				reported++
			}
			if msg == "" && len(l.excused) == 1 && !rec.funcs[funcOf(l.key)] && !wanted[funcOf(l.key)] {
				t.Errorf("-disable=%s: %s is neither reported nor excused", name, line)
			}
		}
		if reported == 0 {
			t.Errorf("-disable=%s: none of the %d lines that name it is reported", name, len(named[name]))
		}
	}
}

// funcOf returns the file and line of the declaration of the function
// that holds the line key (file:line): the last line before it that
// starts with "func ".
func funcOf(key string) string {
	i := strings.LastIndex(key, ":")
	file, n := key[:i], 0
	fmt.Sscan(key[i+1:], &n)
	data, err := os.ReadFile(file)
	if err != nil {
		return "" // not a fixture's file
	}
	lines := strings.Split(string(data), "\n")
	for n--; n >= 0; n-- {
		if n < len(lines) && strings.HasPrefix(lines[n], "func ") {
			abs, _ := filepath.Abs(file)
			return fmt.Sprintf("%s:%d", excusedtest.Rel(abs), n+1)
		}
	}
	return ""
}

// A recorder keeps, for each line, the first diagnostic that
// analysistest found unexpected: the findings and trace entries that
// a disabled exception let through; and the functions with a finding.
type recorder struct {
	lines map[string]string
	funcs map[string]bool
}

func (r *recorder) Errorf(format string, args ...any) {
	file, line, diag, ok := excusedtest.Unexpected(fmt.Sprintf(format, args...))
	if !ok {
		return
	}
	key := excusedtest.Rel(file) + ":" + line
	if !strings.HasPrefix(diag, "excused by ") {
		if !filepath.IsAbs(file) {
			file = filepath.Join("..", "..", "testdata", "src", file)
		}
		r.funcs[funcOf(file+":"+line)] = true
	}
	if prev, ok := r.lines[key]; !ok || strings.HasPrefix(prev, "excused by ") {
		r.lines[key] = diag
	}
}
