package driver

import (
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"

	"github.com/sharedvet/sharedvet/passes/gocapture"
	"github.com/sharedvet/sharedvet/passes/lockchan"
)

// TestBadFlagValue checks that a bad value of a check's flag is refused
// with one line, not the usage, before anything is analyzed.
func TestBadFlagValue(t *testing.T) {
	analyzers := []*analysis.Analyzer{lockchan.Analyzer, gocapture.Analyzer}
	for _, tc := range []struct{ arg, want string }{
		{"-lockchan.depth=-1", `invalid value "-1" for flag -lockchan.depth: must be at least 0`},
		{"-lockchan.depth=two", `invalid value "two" for flag -lockchan.depth: not an integer`},
		{"-gocapture.spawners=example.com/pool.Go,Submit", `invalid value "example.com/pool.Go,Submit" for flag -gocapture.spawners: "Submit" is not a function name`},
	} {
		stdout, stderr, code := runDriver(t, analyzers, tc.arg, "./nonexistent")
		if code != exitError || stdout != "" || !strings.HasPrefix(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant exit 1 and one line: %s", tc.arg, code, stderr, tc.want)
		}
	}
}

// TestVetFlags checks the validation of the flags go vet passes.
func TestVetFlags(t *testing.T) {
	analyzers := []*analysis.Analyzer{lockchan.Analyzer, gocapture.Analyzer}
	if err := checkVetFlags([]string{"-lockchan.depth=3", "-gocapture.spawners", "a.Go", "-json", "x.cfg"}, analyzers); err != nil {
		t.Errorf("good flags refused: %v", err)
	}
	t.Cleanup(func() { lockchan.Analyzer.Flags.Set("depth", "2"); gocapture.Analyzer.Flags.Set("spawners", "") })
	for _, args := range [][]string{
		{"-lockchan.depth=-1", "x.cfg"},
		{"--lockchan.depth", "-1", "x.cfg"},
		{"-gocapture.spawners=Go", "x.cfg"},
	} {
		if err := checkVetFlags(args, analyzers); err == nil || !strings.Contains(err.Error(), "invalid value") {
			t.Errorf("%q: err %v, want invalid value", args, err)
		}
	}
}

// TestVetInvocation checks that the vet protocol is recognised by a
// config file's content, not by a name ending in .cfg: a package
// directory x.cfg is a pattern.
func TestVetInvocation(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vet.cfg")
	writeFile(t, cfg, `{"ID": "example.com/p", "Compiler": "gc"}`)
	writeFile(t, filepath.Join(dir, "x.cfg", "x.go"), "package x\n")
	notJSON := filepath.Join(dir, "notes.cfg")
	writeFile(t, notJSON, "[section]\nkey = value\n")
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{cfg}, true},
		{[]string{"-json", cfg}, true},
		{[]string{"-flags"}, true},
		{[]string{"-V=full"}, true},
		{[]string{filepath.Join(dir, "x.cfg")}, false},
		{[]string{"./x.cfg"}, false}, // does not exist here
		{[]string{notJSON}, false},
	} {
		if got := isVetInvocation(tc.args); got != tc.want {
			t.Errorf("isVetInvocation(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}
