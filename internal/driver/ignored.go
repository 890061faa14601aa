package driver

import (
	"flag"

	"golang.org/x/tools/go/analysis"

	"github.com/sharedvet/sharedvet/passes/lintdirective"
)

// Findings a //lint:ignore directive silenced are reported only under
// -show-ignored (-lintdirective.show-ignored), with the directive as
// related information. They are shown, as staticcheck's -show-ignored
// shows them, but are not findings: they do not make the exit status,
// and -fix and -diff leave them alone.

// showIgnoredUsage is the usage of -show-ignored.
const showIgnoredUsage = "also print the findings //lint:ignore directives silence, each with its directive and reason below it; they do not change the exit status (same as -lintdirective.show-ignored)"

// addShowIgnored declares -show-ignored as another name of the
// lintdirective analyzer's show-ignored flag, if it is in analyzers.
func addShowIgnored(fs *flag.FlagSet, analyzers []*analysis.Analyzer) {
	for _, a := range analyzers {
		if a.Name == "lintdirective" {
			if f := a.Flags.Lookup("show-ignored"); f != nil {
				fs.Var(f.Value, "show-ignored", showIgnoredUsage)
			}
			return
		}
	}
}

// splitSilenced separates the findings a directive silenced from the
// others.
func splitSilenced(findings []finding) (active, silenced []finding) {
	for _, f := range findings {
		if lintdirective.Silenced(f.diag) {
			silenced = append(silenced, f)
		} else {
			active = append(active, f)
		}
	}
	return active, silenced
}

// silencedReason returns the reason of the directive that silenced d.
func silencedReason(d analysis.Diagnostic) (string, bool) { return lintdirective.SilencedBy(d) }
