package lockchan_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/sharedvet/sharedvet/passes/lockchan"
)

func testdata(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// setFlag sets one of the analyzer's flags for the rest of the test.
func setFlag(t *testing.T, name, value string) {
	t.Helper()
	flag := lockchan.Analyzer.Flags.Lookup(name)
	old := flag.Value.String()
	t.Cleanup(func() { flag.Value.Set(old) })
	if err := flag.Value.Set(value); err != nil {
		t.Fatal(err)
	}
}

// TestDeadlocks runs the default tier: only waits whose other side
// needs the held lock are reported.
func TestDeadlocks(t *testing.T) {
	analysistest.Run(t, testdata(t), lockchan.Analyzer,
		"lockchan/deadlock",
		"lockchan/crossdeadlock/pipe",
		"lockchan/crossdeadlock/user",
		"lockchan/callback/watch",
		"lockchan/callback/user",
		"lockchan/callback/local",
		"lockchan/drain",
		"clean",
	)
}

// TestStalls runs the -lockchan.stalls tier, which reports every wait
// under a lock that the precision rules do not clear.
func TestStalls(t *testing.T) {
	setFlag(t, "stalls", "true")
	analysistest.Run(t, testdata(t), lockchan.Analyzer,
		"lockchan/basic",
		"lockchan/defers",
		"lockchan/seed",
		"lockchan/crosspkg/blocker",
		"lockchan/crosspkg/user",
		"lockchan/generics",
		"lockchan/callback/opaque",
		"clean",
	)
}

func TestDepthFlag(t *testing.T) {
	setFlag(t, "stalls", "true")
	analysistest.Run(t, testdata(t), lockchan.Analyzer, "lockchan/depthdefault")
	setFlag(t, "depth", "3")
	analysistest.Run(t, testdata(t), lockchan.Analyzer, "lockchan/depth")
}
