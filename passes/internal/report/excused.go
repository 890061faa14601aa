package report

import (
	"go/token"

	"golang.org/x/tools/go/analysis"

	"github.com/sharedvet/sharedvet/passes/trace"
)

// Excused reports, when the trace is on (package trace), that the
// pass's check considered a candidate at pos and the named exception
// cleared it; statement is the exception's one-line statement. A check
// whose exceptions are judged in one place (atomicmix's judge) calls
// it for every candidate the judge clears. An invalid position is
// dropped, as for findings. Directives do not silence the trace: it is
// asked for explicitly.
func Excused(pass *analysis.Pass, pos token.Pos, exception, statement string) {
	if !trace.On() || !pos.IsValid() {
		return
	}
	pass.Report(trace.Diagnostic(pass.Analyzer.Name, analysis.Diagnostic{Pos: pos, URL: pass.Analyzer.URL}, exception, statement))
}
