package lintdirective

import (
	_ "embed"
	"flag"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/sharedvet/sharedvet/passes/internal/directive"
	"github.com/sharedvet/sharedvet/passes/internal/docs"
)

//go:embed doc.go
var doc string

// Categories of the diagnostics.
const (
	categoryMalformed = "lintdirective-malformed"
	categoryUnused    = "lintdirective-unused"
)

// reportUnused is -lintdirective.unused: report directives that
// silenced nothing. Off by default, as in staticcheck, because a
// directive for a check that is disabled looks unused.
var reportUnused bool

// flags holds the analyzer flags. Every analyzer New returns gets a
// copy, which shares the flag definitions (a map) and so the variable
// a driver sets, whichever copy it parses into.
var flags flag.FlagSet

func init() {
	flags.BoolVar(&reportUnused, "unused", false, "report lint directives that silence no finding")
	flags.BoolVar(&directive.ShowIgnored, "show-ignored", false, "report the findings lint directives silence, each with its directive as related information")
}

// Silenced reports whether a directive silenced d, which is reported
// only under -lintdirective.show-ignored: its related information
// names the directive. Drivers show such findings apart and do not
// count them as findings.
func Silenced(d analysis.Diagnostic) bool {
	_, ok := SilencedBy(d)
	return ok
}

// SilencedBy returns the reason of the directive that silenced d, if
// one did.
func SilencedBy(d analysis.Diagnostic) (reason string, ok bool) {
	for _, r := range d.Related {
		if rest, ok := strings.CutPrefix(r.Message, directive.SilencedPrefix); ok {
			_, reason, _ := strings.Cut(rest, ": ")
			return reason, true
		}
	}
	return "", false
}

// New returns the lintdirective analyzer for a suite of checks. It
// requires the checks, so it runs after them on each package and sees
// which directives they used; drivers add it to the suite they run
// (the sharedvet command and the golangci-lint plugin do).
func New(checks []*analysis.Analyzer) *analysis.Analyzer {
	var names []string
	for _, c := range checks {
		names = append(names, c.Name)
	}
	return &analysis.Analyzer{
		Name:     "lintdirective",
		Doc:      docs.MustExtract(doc, "lintdirective"),
		URL:      "https://github.com/sharedvet/sharedvet#lintdirective",
		Requires: append([]*analysis.Analyzer{directive.Analyzer}, checks...),
		Flags:    flags,
		Run: func(pass *analysis.Pass) (any, error) {
			check(pass, pass.ResultOf[directive.Analyzer].(*directive.Index), names)
			return nil, nil
		},
		RunDespiteErrors: true,
	}
}

// check reports the package's directives for the checks that give no
// reason and, if asked, those that silenced nothing.
func check(pass *analysis.Pass, idx *directive.Index, checks []string) {
	for _, d := range idx.Directives() {
		if msg := badName(d, checks); msg != "" {
			pass.Report(analysis.Diagnostic{
				Pos:      d.Pos,
				Category: categoryMalformed,
				Message:  msg,
				URL:      pass.Analyzer.URL,
			})
			continue
		}
		if !d.Concerns(checks) {
			continue
		}
		switch {
		case d.Reason == "":
			pass.Report(analysis.Diagnostic{
				Pos:      d.Pos,
				Category: categoryMalformed,
				Message:  "lint directive gives no reason: write //lint:" + d.Kind + " " + strings.Join(d.Checks, ",") + " <reason>",
				URL:      pass.Analyzer.URL,
			})
		case reportUnused && !idx.Used(d):
			pass.Report(analysis.Diagnostic{
				Pos:      d.Pos,
				Category: categoryUnused,
				Message:  "lint directive for " + strings.Join(d.Checks, ",") + " silences no finding",
				URL:      pass.Analyzer.URL,
			})
		}
	}
}

// badName returns what is wrong with a check name of the directive, or
// "" if nothing is. A directive names sharedvet's checks with their
// exact names; a name that is empty, or that misses one of the checks
// (or the suite's name) only by case or by a letter or two, silences
// nothing, so it is reported rather than left for another linter.
func badName(d *directive.Directive, checks []string) string {
	known := append([]string{directive.Suite}, checks...)
	for _, name := range d.Checks {
		if name == "" {
			if d.Concerns(checks) {
				return "lint directive has an empty check name: write //lint:" + d.Kind + " CHECK[,CHECK] <reason>"
			}
			continue
		}
		// A category is its check's name, a dash and a word.
		check, rest, _ := strings.Cut(name, "-")
		for _, k := range known {
			if check == k {
				break
			}
			if strings.EqualFold(check, k) || (len(check) >= 5 && distance(check, k) <= 2) {
				fix := k
				if rest != "" {
					fix += "-" + strings.ToLower(rest)
				}
				return "lint directive names " + name + ", which is no check: write " + fix
			}
		}
	}
	return ""
}

// distance returns the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
