package lintdirective_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/sharedvet/sharedvet/passes/lintdirective"
	"github.com/sharedvet/sharedvet/passes/lockchan"
)

// stalls turns on lockchan's stall tier for the test: the directive
// fixtures silence plain waits under a lock, not deadlocks.
func stalls(t *testing.T) {
	t.Helper()
	if err := lockchan.Analyzer.Flags.Set("stalls", "true"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lockchan.Analyzer.Flags.Set("stalls", "false") })
}

func testdata(t *testing.T) string {
	dir, err := filepath.Abs(filepath.Join("..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestSuppression checks that directives silence lockchan's findings
// through the reporting funnel: a silenced line has no want.
func TestSuppression(t *testing.T) {
	stalls(t)
	analysistest.Run(t, testdata(t), lockchan.Analyzer, "suppress/lockchan")
}

// TestMalformed checks that a directive without a reason is reported,
// and that directives for other linters are left alone.
func TestMalformed(t *testing.T) {
	stalls(t)
	a := lintdirective.New([]*analysis.Analyzer{lockchan.Analyzer})
	analysistest.Run(t, testdata(t), a, "suppress/directive", "clean")
}

// TestUnused checks -lintdirective.unused.
func TestUnused(t *testing.T) {
	stalls(t)
	a := lintdirective.New([]*analysis.Analyzer{lockchan.Analyzer})
	if err := a.Flags.Set("unused", "true"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Flags.Set("unused", "false") })
	analysistest.Run(t, testdata(t), a, "suppress/unused")
}
