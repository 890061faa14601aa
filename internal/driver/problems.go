package driver

import (
	"fmt"
	"go/token"
	"io"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/sharedvet/sharedvet/internal/internalerr"
)

// A problem is a failure of the run that the user must see, whatever
// the output format: a package that did not load or type-check, an
// analyzer that failed, or an internal error in one function. Problems
// make the exit status 1; they are printed on stderr, one line each,
// and written into JSON (an error entry of the package) and SARIF (a
// tool execution notification), next to the findings that were still
// made.
//
// A warning is a problem that does not fail the run: a function not
// analyzed because it is over a limit of size.
type problem struct {
	pkgID   string         // the ID of the package it concerns, as JSON keys it
	posn    token.Position // where, if it is about a place in a file
	msg     string         // one line, starting with the package or the position
	warning bool
}

// String is the problem's line on stderr, positions relative to the
// current directory as the findings'.
func (p problem) String() string {
	if p.posn.IsValid() {
		return relPosition(p.posn) + ": " + p.msg
	}
	return p.msg
}

// loadError returns the message of an error of packages.Load: when the
// go command failed, what it said ("go: go.mod file not found ..."),
// without go/packages' wrapping ("err: exit status 1: stderr: ").
func loadError(err error) string {
	msg := err.Error()
	if _, said, ok := strings.Cut(msg, "stderr: "); ok && strings.TrimSpace(said) != "" {
		msg = said
	}
	return strings.TrimSpace(msg)
}

// loadProblems returns one problem per package, among pkgs and their
// dependencies, that failed to load, parse or type-check: its first
// error, and how many more it has. A test variant repeats its
// package's errors and gets no line of its own.
func loadProblems(pkgs []*packages.Package) []problem {
	var out []problem
	seen := make(map[string]bool)
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		if len(p.Errors) == 0 {
			return
		}
		e := p.Errors[0]
		msg := p.PkgPath + ": " + errorKind(e) + ": " + relErrorPos(e.Pos) + e.Msg
		if len(p.Errors) > 1 {
			msg += fmt.Sprintf(" (and %d more)", len(p.Errors)-1)
		}
		if !seen[msg] {
			seen[msg] = true
			out = append(out, problem{pkgID: p.ID, msg: msg})
		}
	})
	return out
}

// errorKind names the kind of a package error for its line.
func errorKind(e packages.Error) string {
	switch e.Kind {
	case packages.ParseError:
		return "syntax error"
	case packages.TypeError:
		return "type error"
	}
	return "error"
}

// relErrorPos returns a package error's position ("file:line:col"),
// relative to the current directory, followed by ": ", or nothing if
// it has none.
func relErrorPos(pos string) string {
	if pos == "" || pos == "-" {
		return ""
	}
	// The file name may hold colons: cut the line and column off the end.
	file, rest := pos, ""
	for range 2 {
		i := strings.LastIndexByte(file, ':')
		if i < 0 {
			break
		}
		if _, err := strconv.Atoi(file[i+1:]); err != nil {
			break
		}
		file, rest = file[:i], file[i:]+rest
	}
	return relPath(file) + rest + ": "
}

// actionProblems returns the problems of the analysis: the errors of
// actions that failed by themselves, once each, and a line for each
// requested package whose analysis failed only because a package it
// imports has errors. A failure that follows from another ("failed
// prerequisites", or "analysis skipped due to errors in package" when
// the package's own errors are already said) is not repeated.
func actionProblems(graph *checker.Graph) []problem {
	var out []problem
	seen := make(map[string]bool)
	add := func(p problem) {
		if !seen[p.msg] {
			seen[p.msg] = true
			out = append(out, p)
		}
	}
	for act := range graph.All() {
		if act.Err == nil || failedPrerequisite(act) || (act.Package.IllTyped && !act.Analyzer.RunDespiteErrors) {
			continue
		}
		add(problem{pkgID: act.Package.ID, msg: act.Package.PkgPath + ": " + act.Analyzer.Name + ": " + act.Err.Error()})
	}
	for _, root := range graph.Roots {
		if root.Err == nil || len(root.Package.Errors) > 0 || isTestMain(root.Package) {
			continue // said by the package's own line
		}
		if dep := brokenImport(root.Package); dep != nil {
			add(problem{pkgID: root.Package.ID, msg: root.Package.PkgPath + ": not analyzed: it imports " + dep.PkgPath + ", which has errors"})
		}
	}
	return out
}

// failedPrerequisite reports whether act failed because an action it
// depends on failed.
func failedPrerequisite(act *checker.Action) bool {
	for _, dep := range act.Deps {
		if dep.Err != nil {
			return true
		}
	}
	return false
}

// isTestMain reports whether pkg is the main package that go test
// generates for a package's tests: it has no source of the user's.
func isTestMain(pkg *packages.Package) bool {
	return pkg.Name == "main" && strings.HasSuffix(pkg.PkgPath, ".test")
}

// brokenImport returns a package that pkg imports, directly or not,
// that has errors, or nil. The checker does not analyze a package
// whose imports have errors, since it lacks their facts.
func brokenImport(pkg *packages.Package) *packages.Package {
	var broken *packages.Package
	packages.Visit([]*packages.Package{pkg}, func(p *packages.Package) bool {
		if broken == nil && p != pkg && len(p.Errors) > 0 {
			broken = p
		}
		return broken == nil
	}, nil)
	return broken
}

// internalErrors returns the internal errors and the functions over a
// limit that the passes reported as diagnostics (package internalerr),
// of every action, since a shared analyzer's are not among the
// requested checks' findings; once each.
func internalErrors(graph *checker.Graph) []problem {
	var out []problem
	seen := make(map[string]bool)
	for act := range graph.All() {
		for _, d := range act.Diagnostics {
			if !isInternalError(d) {
				continue
			}
			p := problem{pkgID: act.Package.ID, posn: act.Package.Fset.Position(d.Pos), msg: d.Message, warning: internalerr.IsLimit(d)}
			if k := p.posn.String() + p.msg; !seen[k] {
				seen[k] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// sortProblems sorts problems by package, then position and message.
func sortProblems(ps []problem) {
	sort.Slice(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.pkgID != b.pkgID {
			return a.pkgID < b.pkgID
		}
		if a.posn.Filename != b.posn.Filename {
			return a.posn.Filename < b.posn.Filename
		}
		if a.posn.Offset != b.posn.Offset {
			return a.posn.Offset < b.posn.Offset
		}
		return a.msg < b.msg
	})
}

// printProblems prints each problem on a line of stderr, and reports
// whether any is an error, not a warning.
func printProblems(w io.Writer, ps []problem) (failed bool) {
	for _, p := range ps {
		fmt.Fprintf(w, "%s: %s\n", progname(), p)
		failed = failed || !p.warning
	}
	return failed
}

// isInternalError reports whether d is about sharedvet's run (an
// internal error, a function over a limit) rather than a finding.
func isInternalError(d analysis.Diagnostic) bool { return internalerr.Is(d) || internalerr.IsLimit(d) }
