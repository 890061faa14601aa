package atomicmix_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/sharedvet/sharedvet/passes/atomicmix"
	"github.com/sharedvet/sharedvet/passes/internal/excusedtest"
	"github.com/sharedvet/sharedvet/passes/trace"
)

// fixturePackages are the packages of TestAtomicmix.
var fixturePackages = []string{
	"atomicmix/basic", "atomicmix/seed", "atomicmix/generics", "atomicmix/locals",
	"atomicmix/summaries", "atomicmix/origin", "atomicmix/bench", "atomicmix/testscope",
	"atomicmix/initmethod", "atomicmix/hooks", "atomicmix/claim", "atomicmix/mainjoin", "atomicmix/mainbefore",
	"atomicmix/countdown", "atomicmix/testjoin", "atomicmix/testjoinstray",
	"atomicmix/enclosure/pool", "atomicmix/enclosure/client", "atomicmix/enclosure/shared",
	"atomicmix/guards", "atomicmix/crosspkg/counter", "atomicmix/crosspkg/user",
	"atomicmix/crosspkg/atomicuser", "atomicmix/joincall", "atomicmix/joincall/lib",
	"atomicmix/joincall/user", "atomicmix/unsafename", "clean",
}

// TestExcused runs the check with the trace on over the fixtures and
// compares the exceptions it names with the lines' `// excused NAME`
// comments: each exception must fire where a comment says, and no line
// may be excused without one. The findings are still checked by their
// `// want` comments.
func TestExcused(t *testing.T) {
	trace.Set(true)
	t.Cleanup(func() { trace.Set(false) })
	results := analysistest.Run(traceOnly{t}, testdata(t), atomicmix.Analyzer, fixturePackages...)

	got := make(map[string][]string) // file:line → exceptions
	for _, r := range results {
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
	fired := make(map[string]bool)
	// A line with a finding may also have excused accesses (another
	// field of the same copy), which its // want comment leaves no room
	// to name: they are not checked.
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
	for _, name := range atomicmix.ExceptionNames() {
		if !fired[name] {
			t.Errorf("no fixture line is excused by %s", name)
		}
	}
}

// A fixtureLine is a line of a fixture package's file.
type fixtureLine struct {
	pkg, key, text string   // key: file:line
	excused        []string // the names of its // excused comment
}

// fixtureLines returns the lines of the fixture packages' files.
func fixtureLines(t *testing.T) []fixtureLine {
	var out []fixtureLine
	for _, pkg := range fixturePackages {
		files, _ := filepath.Glob(filepath.Join(testdata(t), "src", pkg, "*.go"))
		for _, l := range excusedtest.Lines(t, files) {
			out = append(out, fixtureLine{pkg: pkg, key: l.Key, text: l.Text, excused: l.Excused})
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

// TestDisable turns each exception off in turn (-atomicmix.disable)
// and checks that the lines its // excused comment names alone are then
// reported or cleared by another exception, never silent, and that at
// least one of them is reported: what the exception buys is visible.
func TestDisable(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the fixtures once per exception")
	}
	trace.Set(true)
	t.Cleanup(func() { trace.Set(false) })
	only := make(map[string][]string)   // exception → lines excused by it alone
	pkgsOf := make(map[string][]string) // exception → the packages of those lines
	for _, l := range fixtureLines(t) {
		if len(l.excused) == 1 {
			name := l.excused[0]
			only[name] = append(only[name], excusedtest.Rel(l.key))
			if !slices.Contains(pkgsOf[name], l.pkg) {
				pkgsOf[name] = append(pkgsOf[name], l.pkg)
			}
		}
	}
	flag := atomicmix.Analyzer.Flags.Lookup("disable")
	t.Cleanup(func() { flag.Value.Set("") })
	for _, name := range atomicmix.ExceptionNames() {
		off := name
		if name == "guard" {
			// Rule 16 is rule 11 counting more locks: it clears
			// whatever rule 11 does.
			off += ",callerlocks"
		}
		if err := flag.Value.Set(off); err != nil {
			t.Fatal(err)
		}
		rec := &recorder{lines: make(map[string]string)}
		analysistest.Run(rec, testdata(t), atomicmix.Analyzer, pkgsOf[name]...)
		reported := 0
		for _, line := range only[name] {
			switch msg := rec.lines[line]; {
			case msg == "":
				t.Errorf("-disable=%s: %s is neither reported nor excused", name, line)
			case !strings.HasPrefix(msg, "excused by "):
				reported++
			}
		}
		if reported == 0 {
			t.Errorf("-disable=%s: none of the %d lines it alone excuses is reported", name, len(only[name]))
		}
	}
}

// A recorder keeps, for each line, the first diagnostic that
// analysistest found unexpected: the findings and trace entries that
// a disabled exception let through.
type recorder struct{ lines map[string]string }

func (r *recorder) Errorf(format string, args ...any) {
	file, line, diag, ok := excusedtest.Unexpected(fmt.Sprintf(format, args...))
	if !ok {
		return
	}
	key := excusedtest.Rel(file) + ":" + line
	if prev, ok := r.lines[key]; !ok || strings.HasPrefix(prev, "excused by ") {
		r.lines[key] = diag
	}
}
