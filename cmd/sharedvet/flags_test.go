package main_test

import (
	"strings"
	"testing"
)

// TestVetBadFlag checks that under go vet a bad value of a check's
// flag is one error line for the whole run (go vet starts the tool once
// per package, here four), not unitchecker's usage once per package,
// and that go vet fails.
func TestVetBadFlag(t *testing.T) {
	bin := buildSharedvet(t)
	dir := writeModule(t, false)
	_, stderr, code := run(t, dir, "go", "vet", "-vettool="+bin, "-lockchan.depth=-1", "./...")
	const want = `invalid value "-1" for flag -lockchan.depth: must be at least 0`
	if code == 0 || strings.Count(stderr, want) != 1 || strings.Contains(stderr, "Usage") {
		t.Errorf("go vet -lockchan.depth=-1: exit %d, stderr:\n%s\nwant a failure with one error and no usage", code, stderr)
	}
}
