package flagval_test

import (
	"flag"
	"io"
	"testing"

	"github.com/sharedvet/sharedvet/passes/internal/flagval"
)

func TestIntAtLeast(t *testing.T) {
	depth := 2
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(flagval.IntAtLeast(&depth, 0), "depth", "")
	for _, bad := range []string{"-1", "x", ""} {
		if err := fs.Parse([]string{"-depth=" + bad}); err == nil {
			t.Errorf("-depth=%q accepted", bad)
		}
	}
	if depth != 2 {
		t.Errorf("a refused value changed the flag to %d", depth)
	}
	if err := fs.Parse([]string{"-depth=0"}); err != nil || depth != 0 {
		t.Errorf("-depth=0: err %v, depth %d", err, depth)
	}
	if got := fs.Lookup("depth").DefValue; got != "2" {
		t.Errorf("default %q, want 2", got)
	}
}
