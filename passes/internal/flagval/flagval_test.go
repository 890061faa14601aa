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

func TestNameSet(t *testing.T) {
	var set map[string]bool
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(flagval.NameSet(&set, []string{"guard", "origin"}), "disable", "")
	if err := fs.Parse([]string{"-disable=guard,nope"}); err == nil {
		t.Errorf("-disable=guard,nope accepted")
	}
	if len(set) != 0 {
		t.Errorf("a refused value changed the flag to %v", set)
	}
	if err := fs.Parse([]string{"-disable=origin, guard"}); err != nil || !set["guard"] || !set["origin"] || len(set) != 2 {
		t.Errorf("-disable=origin, guard: err %v, set %v", err, set)
	}
	if got := fs.Lookup("disable").Value.String(); got != "guard,origin" {
		t.Errorf("String() = %q, want guard,origin", got)
	}
	if err := fs.Parse([]string{"-disable="}); err != nil || len(set) != 0 {
		t.Errorf("-disable=: err %v, set %v", err, set)
	}
}
