package driver

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"go/token"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/sharedvet/sharedvet/internal/internalerr"
	"github.com/sharedvet/sharedvet/internal/vetjson"
)

// The vet engine runs the analysis through the go command: sharedvet
// starts `go vet -vettool=<itself> -json` on the patterns and prints
// what that reports in the chosen format. The go command analyzes one
// package per process, in dependency order and in parallel, takes the
// dependencies' types from export data and their facts from files it
// keeps, and caches each package's result in its build cache, keyed by
// the package's inputs, the tool and the flags. So a second run over an
// unchanged tree answers from the cache, an edit re-analyzes the
// packages it reaches, and memory stays that of one package at a time;
// the standalone engine holds the whole program in one process and
// caches nothing (see the README's "Engines" for measurements).

// Engines, chosen by -engine.
const (
	engineVet        = "vet"
	engineStandalone = "standalone"
)

// vetEngineAvailable is set by Main: the vet engine starts the running
// executable as the go vet tool, which must then be a sharedvet (or
// any binary built on Main). A test binary calling Run is not.
var vetEngineAvailable bool

// defaultEngine, if set (MainStandalone), is the engine of a run that
// names none.
var defaultEngine string

// configAppliedEnv tells the go vet tool that the sharedvet command
// already applied sharedvet.conf and passes the result as flags, which
// go vet's cache keys on (it does not key on the file).
const configAppliedEnv = "SHAREDVET_CONFIG_APPLIED"

// chooseEngine returns the engine of a run: the one asked for, else
// the standalone engine when only it can do what the flags ask, else
// "": pickEngine decides.
func chooseEngine(opts *options) (string, error) {
	standaloneOnly := ""
	switch {
	case opts.fix:
		standaloneOnly = "-fix" // fixes are checked against the sources as loaded
	case opts.diff:
		standaloneOnly = "-diff"
	case opts.functime != "":
		standaloneOnly = "-functime"
	case opts.cpuprofile != "", opts.memprofile != "":
		standaloneOnly = "profiling"
	case !opts.tests:
		standaloneOnly = "-test=false" // go vet always analyzes a package with its tests
	case !opts.cache:
		standaloneOnly = "-cache=false"
	}
	switch opts.engine {
	case "":
		if defaultEngine != "" {
			return defaultEngine, nil
		}
		if vetEngineAvailable && standaloneOnly == "" {
			return "", nil // pickEngine decides
		}
		return engineStandalone, nil
	case engineStandalone:
		return engineStandalone, nil
	case engineCache:
		// One process, as the standalone engine, but with a cache: it
		// profiles and leaves tests out too.
		if standaloneOnly != "" && standaloneOnly != "profiling" && standaloneOnly != "-test=false" {
			return "", fmt.Errorf("%s needs -engine=standalone", standaloneOnly)
		}
		return engineCache, nil
	case engineVet:
		if !vetEngineAvailable {
			return "", errors.New("-engine=vet: this program cannot serve as its own go vet tool")
		}
		if standaloneOnly != "" {
			return "", fmt.Errorf("%s needs -engine=standalone", standaloneOnly)
		}
		return engineVet, nil
	}
	return "", fmt.Errorf("unknown -engine %q: want vet, cache or standalone", opts.engine)
}

// vetArgs returns the arguments of go vet, after "vet", for a run of
// the suite: this executable as the tool, the build tags, the tool's
// flags and the patterns. The caller adds -json or -n.
func vetArgs(patterns []string, fs *flag.FlagSet, all, run []*analysis.Analyzer, opts *options) ([]string, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{"-vettool=" + exe}
	if opts.tags != "" {
		args = append(args, "-tags="+opts.tags)
	}
	args = append(args, vetFlags(fs, all, run)...)
	return append(args, patterns...), nil
}

// vetAnalyze runs the analyzers on patterns through go vet and reports
// as analyze does.
func vetAnalyze(patterns, args []string, all, run []*analysis.Analyzer, opts *options, stdout, stderr io.Writer) int {
	// The packages named, so that go vet can be asked to print the
	// findings of dependencies too, which its cache then holds should
	// they be named later (vetjson.ReportDepsFlag). If go list fails,
	// go vet will say why.
	var buildFlags []string
	if opts.tags != "" {
		buildFlags = []string{"-tags=" + opts.tags}
	}
	roots, rootsErr := vetjson.Roots(context.Background(), "go", "", nil, buildFlags, patterns)
	if rootsErr == nil {
		args = append([]string{"-" + vetjson.ReportDepsFlag}, args...)
	}
	cmd := exec.Command("go", append([]string{"vet", "-json"}, args...)...)
	cmd.Env = append(os.Environ(), configAppliedEnv+"=1")
	var out, errOut bytes.Buffer
	prog := newProgress(stderr)
	cmd.Stdout = prog.vetOutput(&out)
	cmd.Stderr = &errOut
	runErr := cmd.Run()
	prog.clear()
	var exit *exec.ExitError
	if runErr == nil || errors.As(runErr, &exit) {
		markBuildCacheUsed() // go vet ran, whatever it found
	}
	entries, decodeErr := vetjson.Decode(&out)
	if rootsErr == nil {
		entries = slices.DeleteFunc(entries, func(e vetjson.Entry) bool { return !vetjson.FromRoot(e.Package, roots) })
	}
	findings, problems := fromVet(entries, all)
	problems = append(problems, vetStderr(errOut.String(), stderr)...)
	if decodeErr != nil {
		problems = append(problems, problem{msg: decodeErr.Error()})
	}
	status := exitClean
	if runErr != nil && len(problems) == 0 {
		// go vet failed without saying why in a way we understood.
		problems = append(problems, problem{msg: fmt.Sprintf("go vet: %v", runErr)})
	}
	if runErr != nil {
		status = exitError
	}
	return report(findings, problems, run, nil, status, opts, stdout, stderr)
}

// vetFlags returns the flags to pass to the go vet tool for the flags
// set in fs: the checks that run (if not all), the analyzers' own
// flags with their values, and the trace and directive switches. The
// configuration file's flags are among them, since applyConfig parsed
// them into fs.
func vetFlags(fs *flag.FlagSet, all, run []*analysis.Analyzer) []string {
	var out []string
	if len(run) < len(all) {
		on := make(map[string]bool)
		for _, a := range run {
			on[a.Name] = true
		}
		for _, a := range all {
			out = append(out, fmt.Sprintf("-%s=%t", a.Name, on[a.Name]))
		}
	}
	names := make(map[string]bool)
	for _, a := range all {
		names[a.Name] = true
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "excused":
			out = append(out, "-excused="+f.Value.String())
		case "show-ignored":
			out = append(out, "-lintdirective.show-ignored="+f.Value.String())
		default:
			if check, _, ok := strings.Cut(f.Name, "."); ok && names[check] {
				out = append(out, "-"+f.Name+"="+f.Value.String())
			}
		}
	})
	return out
}

// fromVet converts go vet's entries into findings, each once, and the
// problems they carry: an analyzer's error, and the internal errors
// and size limits the passes report as diagnostics.
func fromVet(entries []vetjson.Entry, analyzers []*analysis.Analyzer) ([]finding, []problem) {
	byName := make(map[string]*analysis.Analyzer)
	for _, a := range analyzers {
		byName[a.Name] = a
	}
	pos := newPositions()
	var set findingSet
	var problems []problem
	seen := make(map[string]bool)
	for _, e := range entries {
		if e.Err != "" {
			msg := pkgPath(e.Package) + ": " + e.Analyzer + ": " + e.Err
			if !seen[msg] {
				seen[msg] = true
				problems = append(problems, problem{pkgID: e.Package, msg: msg})
			}
			continue
		}
		a := byName[e.Analyzer]
		if a == nil {
			a = &analysis.Analyzer{Name: e.Analyzer}
		}
		for _, vd := range e.Diagnostics {
			d := pos.diagnostic(vd)
			posn := pos.fset.Position(d.Pos)
			if isInternalError(d) {
				p := problem{pkgID: e.Package, posn: posn, msg: d.Message, warning: internalerr.IsLimit(d)}
				if k := posn.String() + p.msg; !seen[k] {
					seen[k] = true
					problems = append(problems, p)
				}
				continue
			}
			set.add(finding{a, e.Package, pos.fset, posn, d})
		}
	}
	return set.sorted(), problems
}

// pkgPath returns the import path of a package ID ("p [p.test]" → "p").
func pkgPath(id string) string {
	path, _, _ := strings.Cut(id, " ")
	return path
}

// vetStderr turns what go vet printed on stderr into problems: a
// package that does not build is a "# pkg" line followed by its errors,
// and becomes one line, "pkg: first error (and N more)"; a line of the
// go command's own ("go: ...", "pattern ...: ...") is a problem as it
// stands. Progress the go command prints ("go: downloading ...") is
// passed on to the user's stderr at once.
func vetStderr(text string, stderr io.Writer) []problem {
	var out []problem
	var pkg string
	var errs []string
	flush := func() {
		if pkg != "" && len(errs) > 0 {
			msg := pkg + ": " + errs[0]
			if len(errs) > 1 {
				msg += fmt.Sprintf(" (and %d more)", len(errs)-1)
			}
			out = append(out, problem{pkgID: pkg, msg: msg})
		}
		pkg, errs = "", nil
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "# "):
			flush()
			pkg = strings.TrimPrefix(line, "# ")
		case strings.HasPrefix(line, "go: downloading ") || strings.HasPrefix(line, "go: finding "):
			fmt.Fprintln(stderr, line)
		case pkg != "" && (strings.HasPrefix(line, "\t") || strings.HasPrefix(line, "  ") || line == "too many errors"):
			// a continuation of the package's errors
		case pkg != "" && vetjson.IsPositionedError(line):
			errs = append(errs, relErrorLine(strings.TrimPrefix(line, "vet: ")))
		default:
			flush()
			out = append(out, problem{msg: strings.TrimPrefix(line, "vet: ")})
		}
	}
	flush()
	return out
}

// relErrorLine returns an error line of the go command with its
// leading position relative to the current directory, as the findings'.
func relErrorLine(line string) string {
	head, rest, ok := strings.Cut(line, ": ")
	if !ok {
		return line
	}
	if file, _, _, ok := vetjson.SplitPosn(head); ok && strings.HasSuffix(file, ".go") {
		return strings.TrimSuffix(relErrorPos(head), ": ") + ": " + rest
	}
	return line
}

// positions maps the positions of go vet's JSON back into a FileSet,
// so that its findings are printed, fixed and converted by the same
// code as the standalone engine's. A file is added with its lines the
// first time a position names it.
type positions struct {
	fset  *token.FileSet
	files map[string]*token.File
}

func newPositions() *positions {
	return &positions{fset: token.NewFileSet(), files: make(map[string]*token.File)}
}

// diagnostic converts one diagnostic of the JSON.
func (p *positions) diagnostic(vd vetjson.Diagnostic) analysis.Diagnostic {
	d := analysis.Diagnostic{
		Pos:      p.pos(vd.Posn),
		End:      p.pos(vd.End),
		Category: vd.Category,
		Message:  vd.Message,
	}
	if d.End < d.Pos {
		d.End = token.NoPos
	}
	for _, r := range vd.Related {
		d.Related = append(d.Related, analysis.RelatedInformation{Pos: p.pos(r.Posn), End: p.pos(r.End), Message: r.Message})
	}
	for _, fix := range vd.SuggestedFixes {
		sf := analysis.SuggestedFix{Message: fix.Message}
		for _, e := range fix.Edits {
			f := p.file(e.Filename)
			if f == nil || e.Start < 0 || e.End < e.Start || e.End > f.Size() {
				sf.TextEdits = nil
				break
			}
			sf.TextEdits = append(sf.TextEdits, analysis.TextEdit{Pos: f.Pos(e.Start), End: f.Pos(e.End), NewText: []byte(e.New)})
		}
		if len(sf.TextEdits) > 0 {
			d.SuggestedFixes = append(d.SuggestedFixes, sf)
		}
	}
	return d
}

// pos returns the Pos of a "file:line:col" position. A file that cannot
// be read (or a line past its end) still gets a Pos that prints as the
// position go vet gave, through a one-byte file of its own.
func (p *positions) pos(posn string) token.Pos {
	name, line, col, ok := vetjson.SplitPosn(posn)
	if !ok {
		return token.NoPos
	}
	if f := p.file(name); f != nil && line <= f.LineCount() {
		off := f.Offset(f.LineStart(line)) + max(col-1, 0)
		return f.Pos(min(off, f.Size()))
	}
	f := p.fset.AddFile(name, -1, 1)
	f.AddLineColumnInfo(0, name, line, max(col, 1))
	return f.Pos(0)
}

// file returns the file of the given name, read from disk, or nil if
// it cannot be read.
func (p *positions) file(name string) *token.File {
	if f, ok := p.files[name]; ok {
		return f
	}
	var f *token.File
	if content, err := os.ReadFile(name); err == nil {
		f = p.fset.AddFile(name, -1, len(content))
		f.SetLinesForContent(content)
	}
	p.files[name] = f
	return f
}
