// Package lintdirective defines an Analyzer that checks the
// //lint:ignore and //lint:file-ignore directives addressed to
// sharedvet.
//
// # Analyzer lintdirective
//
// lintdirective: report malformed or unused sharedvet lint directives
//
// A reviewed finding is silenced with a directive in staticcheck's
// syntax, naming the checks (analyzer names such as lockchan, their
// categories such as lockchan-stall, or sharedvet for all of them) and
// the reason:
//
//	//lint:ignore CHECK[,CHECK] reason
//	//lint:file-ignore CHECK[,CHECK] reason
//
// A line directive silences the findings on the line of the statement
// it is written above (or ends); a file directive, those of its file.
// A directive without a reason silences nothing and is reported, so
// that every silenced finding says why. With -lintdirective.unused, a
// directive that silenced nothing is reported too, so that stale
// directives do not pile up.
//
// WRONG:
//
//	//lint:ignore lockchan
//	b.out <- v
//
// RIGHT:
//
//	//lint:ignore lockchan out is buffered and drained by a goroutine that never locks b.mu
//	b.out <- v
//
// A directive whose check name is empty, or misses the name of a check
// (or sharedvet) by case or by a letter or two (Lockchan, lokchan), is
// reported as well: it would silence nothing. A reason made only of
// white space is no reason. Directives that name only other linters'
// checks (staticcheck's SA1000, say) are left alone.
//
// Limitations: a directive for a check that is disabled is not
// reported as unused when the check is not run.
package lintdirective
