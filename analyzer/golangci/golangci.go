// Package golangci registers sharedvet as a golangci-lint v2 module
// plugin named "sharedvet". Blank-import it into a custom golangci-lint
// (built with golangci-lint custom from a .custom-gcl.yml, or by hand:
// see the README's Integrations section) and enable it in .golangci.yml:
//
//	linters:
//	  enable: [sharedvet]
//	  settings:
//	    custom:
//	      sharedvet:
//	        type: module
//	        settings:
//	          checks: [lockchan]
//	          flags:
//	            lintdirective:
//	              unused: true
//
// Every analyzer of analyzer.All() is run (all of them unless checks
// names some), with the lintdirective analyzer that reports malformed
// //lint:ignore directives; the findings of all of them come out under
// the linter name sharedvet, so //nolint:sharedvet silences them.
package golangci

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/sharedvet/sharedvet/analyzer"
	"github.com/sharedvet/sharedvet/passes/lintdirective"
)

// Name is the linter's name in .golangci.yml and in //nolint comments.
const Name = "sharedvet"

func init() { register.Plugin(Name, New) }

// Settings are the plugin's settings, under
// linters.settings.custom.sharedvet.settings. Unknown keys are an error.
type Settings struct {
	// Checks selects the analyzers to run, as sharedvet.conf's checks
	// and -checks do (NAME, -NAME, all); empty means all of them.
	Checks []string `json:"checks"`
	// Disable names analyzers not to run.
	Disable []string `json:"disable"`
	// Flags sets analyzer flags: analyzer name → flag name → value,
	// as -NAME.FLAG=value would on the command line.
	Flags map[string]map[string]any `json:"flags"`
	// Lockchan holds lockchan's settings, typed; they override Flags.
	Lockchan *LockchanSettings `json:"lockchan"`
}

// LockchanSettings are lockchan's flags as typed settings.
type LockchanSettings struct {
	// Stalls also reports the waits under a lock whose other side does
	// not need the lock (-lockchan.stalls): stalls, not deadlocks.
	Stalls bool `json:"stalls"`
	// Depth is how many calls deep a blocking operation may lie below a
	// call made under a lock (-lockchan.depth); 0 keeps the default.
	Depth int `json:"depth"`
}

// flags returns s.Flags with the typed settings folded in.
func (s Settings) flags() map[string]map[string]any {
	if s.Lockchan == nil {
		return s.Flags
	}
	out := make(map[string]map[string]any, len(s.Flags)+1)
	for k, v := range s.Flags {
		out[k] = v
	}
	lc := make(map[string]any)
	for k, v := range out["lockchan"] {
		lc[k] = v
	}
	lc["stalls"] = s.Lockchan.Stalls
	if s.Lockchan.Depth != 0 {
		lc["depth"] = s.Lockchan.Depth
	}
	out["lockchan"] = lc
	return out
}

// plugin is the configured linter.
type plugin struct {
	analyzers []*analysis.Analyzer
}

// New decodes the settings and configures the analyzers. It rejects an
// unknown key, check or flag with an error that names it.
func New(raw any) (register.LinterPlugin, error) {
	s, err := register.DecodeSettings[Settings](raw)
	if err != nil {
		return nil, fmt.Errorf("sharedvet: %w", err)
	}
	checks, err := selectChecks(analyzer.All(), s)
	if err != nil {
		return nil, err
	}
	checks = foldRelated(checks)
	all := append(slices.Clone(checks), lintdirective.New(checks))
	if err := setFlags(all, s.flags()); err != nil {
		return nil, err
	}
	return &plugin{analyzers: all}, nil
}

// BuildAnalyzers returns the configured analyzers.
func (p *plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) { return p.analyzers, nil }

// GetLoadMode asks for type information: the analyzers build SSA.
func (p *plugin) GetLoadMode() string { return register.LoadModeTypesInfo }

// selectChecks returns the analyzers s.Checks selects (all if none),
// read as a -checks list (analyzer.ParseChecks: NAME, -NAME, all), less
// those named by s.Disable.
func selectChecks(all []*analysis.Analyzer, s Settings) ([]*analysis.Analyzer, error) {
	known := strings.Split(names(all), ", ")
	list := "all"
	if len(s.Checks) > 0 {
		list = strings.Join(s.Checks, ",")
	}
	for _, name := range s.Disable {
		if !slices.Contains(known, name) {
			return nil, fmt.Errorf("sharedvet: unknown check %q (known: %s)", name, names(all))
		}
		list += ",-" + name
	}
	selected, err := analyzer.ParseChecks(list, known)
	if err != nil {
		if len(s.Checks) > 0 && len(s.Disable) > 0 && strings.Contains(err.Error(), "selects no check") {
			return nil, fmt.Errorf("sharedvet: the settings disable every check")
		}
		return nil, fmt.Errorf("sharedvet: %v", err)
	}
	var out []*analysis.Analyzer
	for _, a := range all {
		if selected[a.Name] {
			out = append(out, a)
		}
	}
	return out, nil
}

// setFlags sets the analyzer flags of the settings.
func setFlags(analyzers []*analysis.Analyzer, flags map[string]map[string]any) error {
	byName := make(map[string]*analysis.Analyzer)
	for _, a := range analyzers {
		byName[a.Name] = a
	}
	for _, name := range sortedKeys(flags) {
		a := byName[name]
		if a == nil {
			return fmt.Errorf("sharedvet: flags for unknown or disabled check %q (running: %s)", name, names(analyzers))
		}
		for _, flag := range sortedKeys(flags[name]) {
			if a.Flags.Lookup(flag) == nil {
				return fmt.Errorf("sharedvet: check %s has no flag %q", name, flag)
			}
			if err := a.Flags.Set(flag, analyzer.FlagValue(flags[name][flag])); err != nil {
				return fmt.Errorf("sharedvet: flag %s.%s: %v", name, flag, err)
			}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func names(analyzers []*analysis.Analyzer) string {
	var out []string
	for _, a := range analyzers {
		out = append(out, a.Name)
	}
	return strings.Join(out, ", ")
}

// foldRelated returns copies of the checks whose diagnostics carry
// their related information in the message. golangci-lint turns each
// related location into an issue of its own, at its own line, where a
// //nolint on the finding's line does not reach it; folded, one
// finding is one issue. The copies keep the checks' names, flags and
// fact types, so settings and //nolint:CHECK work as before.
func foldRelated(checks []*analysis.Analyzer) []*analysis.Analyzer {
	out := make([]*analysis.Analyzer, len(checks))
	for i, a := range checks {
		c := *a
		run := a.Run
		c.Run = func(pass *analysis.Pass) (any, error) {
			p := *pass
			p.Report = func(d analysis.Diagnostic) {
				d.Message = withRelated(pass, d)
				d.Related = nil
				pass.Report(d)
			}
			return run(&p)
		}
		out[i] = &c
	}
	return out
}

// withRelated returns d's message followed by its related information,
// "send on b.out while holding b.mu (b.mu locked here: broker.go:19)".
func withRelated(pass *analysis.Pass, d analysis.Diagnostic) string {
	if len(d.Related) == 0 {
		return d.Message
	}
	var parts []string
	for _, r := range d.Related {
		posn := pass.Fset.Position(r.Pos)
		parts = append(parts, fmt.Sprintf("%s: %s:%d", r.Message, filepath.Base(posn.Filename), posn.Line))
	}
	return d.Message + " (" + strings.Join(parts, "; ") + ")"
}
