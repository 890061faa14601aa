// Package trace is the switch and the vocabulary of the trace of
// excused candidates, which answers "why was this line not reported?":
// drivers turn it on (sharedvet -excused) and tell its entries from
// findings; the checks emit the entries through the reporting funnel
// (passes/internal/report.Excused).
//
// When the trace is on, a check reports each candidate finding that
// one of its named exceptions cleared as a diagnostic of category
// CHECK-excused whose message names the exception and says what it
// took to be true:
//
//	excused by guard: a mutex held here orders this access with every access it could race with
//
// Such a diagnostic is not a finding: drivers print it apart and never
// count it in the exit status. The switch is package-level rather
// than an analyzer flag so that every check shares one and so that it
// costs nothing when off: checks ask On before doing any work for it.
package trace

import (
	"strings"
	"sync/atomic"

	"golang.org/x/tools/go/analysis"
)

var on atomic.Bool

// Set turns the trace on or off for the analyses that start after it.
// Drivers set it once, from their -excused flag; tests that set it
// restore it with t.Cleanup.
func Set(enabled bool) { on.Store(enabled) }

// On reports whether the trace is on.
func On() bool { return on.Load() }

const (
	categorySuffix = "-excused"
	messagePrefix  = "excused by "
)

// Diagnostic returns the trace entry of check for a candidate at pos
// that the named exception cleared; statement is the exception's
// one-line statement.
func Diagnostic(check string, d analysis.Diagnostic, exception, statement string) analysis.Diagnostic {
	d.Category = check + categorySuffix
	d.Message = messagePrefix + exception + ": " + statement
	return d
}

// IsExcused reports whether d is an entry of the trace rather than a
// finding.
func IsExcused(d analysis.Diagnostic) bool {
	return strings.HasSuffix(d.Category, categorySuffix) && strings.HasPrefix(d.Message, messagePrefix)
}

// ExceptionOf returns the name of the exception that excused d, an
// entry of the trace, or "".
func ExceptionOf(d analysis.Diagnostic) string {
	if !IsExcused(d) {
		return ""
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(d.Message, messagePrefix), ":")
	return name
}
