package main_test

import (
	"strings"
	"testing"
)

// TestVetBadFlag checks that under go vet a bad value of a check's
// flag is an error line, not unitchecker's usage once per package.
func TestVetBadFlag(t *testing.T) {
	bin := buildSharedvet(t)
	dir := writeModule(t, false)
	_, stderr, code := run(t, dir, "go", "vet", "-vettool="+bin, "-lockchan.depth=-1", "./good")
	if code == 0 || !strings.Contains(stderr, `invalid value "-1" for flag -lockchan.depth: must be at least 0`) || strings.Contains(stderr, "Usage") {
		t.Errorf("go vet -lockchan.depth=-1: exit %d, stderr:\n%s\nwant a failure with one error per package and no usage", code, stderr)
	}
}
