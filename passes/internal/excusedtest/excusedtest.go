// Package excusedtest is what the checks' tests of the trace share:
// reading the `// excused NAME` expectations of fixture lines, telling
// the trace's entries apart in analysistest's errors, and naming
// fixture lines. It is test support, imported only by _test files.
package excusedtest

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// comment is a checked expectation of the trace: the line's candidates
// are cleared by the named exceptions, and only by them.
var comment = regexp.MustCompile(`// excused ([a-z]+(?:, [a-z]+)*)$`)

// A Line is a line of a fixture file.
type Line struct {
	Key     string   // file:line
	Text    string   // the line
	Excused []string // the names of its // excused comment
}

// Lines returns the lines of the files.
func Lines(t *testing.T, files []string) []Line {
	t.Helper()
	var out []Line
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, text := range strings.Split(string(data), "\n") {
			l := Line{Key: fmt.Sprintf("%s:%d", f, i+1), Text: text}
			if m := comment.FindStringSubmatch(text); m != nil {
				l.Excused = strings.Split(m[1], ", ")
			}
			out = append(out, l)
		}
	}
	return out
}

// IsTraceError reports whether an error of analysistest is about an
// entry of the trace, which carries no `// want`: the tests of the
// trace check those entries themselves.
func IsTraceError(msg string) bool {
	return strings.Contains(msg, ": unexpected diagnostic: excused by ") || strings.Contains(msg, `: diagnostic "excused by `)
}

var unexpected = regexp.MustCompile(`^(\S+):(\d+):\d+: unexpected diagnostic: (.*)$`)

// Unexpected parses analysistest's error for a diagnostic that no
// `// want` expected into its file, line and message.
func Unexpected(msg string) (file, line, diag string, ok bool) {
	m := unexpected.FindStringSubmatch(msg)
	if m == nil {
		return "", "", "", false
	}
	return m[1], m[2], m[3], true
}

// Rel returns a fixture's file:line key relative to testdata/src.
func Rel(key string) string {
	if i := strings.Index(key, "/testdata/src/"); i >= 0 {
		return key[i+len("/testdata/src/"):]
	}
	return key
}

// OrNone lists exception names for a test's message.
func OrNone(names []string) string {
	if len(names) == 0 {
		return "no excuse (add a // excused comment if the exception is right)"
	}
	return strings.Join(names, ", ")
}
