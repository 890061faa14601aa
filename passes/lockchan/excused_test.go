package lockchan

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/sharedvet/sharedvet/passes/internal/excusedtest"
	"github.com/sharedvet/sharedvet/passes/trace"
)

// TestExcused runs lockchan with the trace on (-excused) over its
// fixtures and checks that every exception of the table, the subtest
// rule, and the stall tier each clear a candidate on a line whose
// `// ok:` comment is there for it, so that no exception is dead and
// the trace names the rule a reader expects.
func TestExcused(t *testing.T) {
	trace.Set(true)
	t.Cleanup(func() { trace.Set(false) })
	testdata, err := filepath.Abs(filepath.Join("..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	pkgs := []string{"lockchan/basic", "lockchan/deadlock", "lockchan/defers"}
	results := analysistest.Run(traceOnly{t}, testdata, Analyzer, pkgs...)

	fired := make(map[string][]string) // exception → "file:line: text" of its lines
	for _, r := range results {
		for _, d := range r.Action.Diagnostics {
			name := trace.ExceptionOf(d)
			if name == "" {
				continue
			}
			posn := r.Action.Package.Fset.Position(d.Pos)
			fired[name] = append(fired[name], fmt.Sprintf("%s:%d: %s", filepath.Base(posn.Filename), posn.Line, lineOf(t, posn.Filename, posn.Line)))
		}
	}
	names := []string{"subtest", "stall"}
	for _, e := range exceptions {
		names = append(names, e.name)
	}
	for _, name := range names {
		if len(fired[name]) == 0 {
			t.Errorf("no fixture line is excused by %s", name)
		}
	}
	// Each excused line is a line the fixtures mark as ok; in the
	// default tier, a stall is excused too, and basic's stall-tier
	// positives (checked by TestStalls) are excused as stalls here.
	for name, lines := range fired {
		for _, l := range lines {
			stallWant := name == "stall" && strings.Contains(l, "// want")
			if !stallWant && !strings.Contains(l, "// ok") && !strings.Contains(l, "t.Run") && !strings.Contains(l, "b.Run") {
				t.Errorf("excused by %s, but not marked ok: %s", name, l)
			}
		}
	}
}

func lineOf(t *testing.T, file string, line int) string {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	if line-1 < len(lines) {
		return strings.TrimSpace(lines[line-1])
	}
	return ""
}

// traceOnly passes analysistest's errors on to the test, but for the
// entries of the trace, which carry no `// want`, and for basic's
// and defers' stall-tier wants, which TestStalls checks.
type traceOnly struct{ t *testing.T }

func (w traceOnly) Errorf(format string, args ...any) {
	w.t.Helper()
	msg := fmt.Sprintf(format, args...)
	if excusedtest.IsTraceError(msg) ||
		(strings.Contains(msg, "lockchan/basic/") || strings.Contains(msg, "lockchan/defers/")) && strings.Contains(msg, "no diagnostic was reported matching") {
		return
	}
	w.t.Error(msg)
}
