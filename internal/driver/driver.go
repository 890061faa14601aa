// Package driver runs a suite of analyzers either as a go vet tool
// (the unitchecker protocol: -flags, -V=full, *.cfg) or standalone over
// go list patterns, so that one binary serves both uses.
package driver

import (
	"bytes"
	"flag"
	"fmt"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/analysis/unitchecker"
	"golang.org/x/tools/go/packages"

	"github.com/sharedvet/sharedvet/internal/internalerr"
	"github.com/sharedvet/sharedvet/passes/lintdirective"
	"github.com/sharedvet/sharedvet/passes/trace"
)

// Exit statuses of the standalone driver, the same as go vet's.
const (
	exitClean    = 0
	exitError    = 1
	exitFindings = 3
)

// Main runs the analyzers on the packages named by the command line
// and exits. It never returns.
func Main(analyzers []*analysis.Analyzer) {
	if err := analysis.Validate(analyzers); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", progname(), err)
		os.Exit(exitError)
	}
	if isVetInvocation(os.Args[1:]) {
		// go vet speaks the unitchecker protocol; unitchecker.Main
		// registers the analyzers' flags itself. The lintdirective
		// analyzer runs too, so malformed directives are reported and
		// -lintdirective.unused works under go vet.
		all := append(analyzers, lintdirective.New(analyzers))
		internalerr.Guard(all)
		if slices.Contains(os.Args[1:], "-V=full") || slices.Contains(os.Args[1:], "--V=full") {
			// Before unitchecker, whose -V=full has no version.
			line, err := vetVersionLine(progname())
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", progname(), err)
				os.Exit(exitError)
			}
			fmt.Println(line)
			os.Exit(exitClean)
		}
		if isVetFix(os.Args[1:]) {
			// The fixes are checked before go vet gets them.
			os.Exit(vetFix(os.Args[1:], os.Stderr))
		}
		// -checks is declared before unitchecker declares the rest, so
		// that -flags lists it and go vet passes it on; its Set looks
		// up the enable flags unitchecker declares by then.
		flag.Var(&checksFlag{names: checkNames(all), lookup: flag.CommandLine.Lookup}, "checks", checksUsage)
		flag.BoolFunc("excused", "also report, as diagnostics of category CHECK-excused, every candidate an exception of a check cleared", func(s string) error {
			on, err := strconv.ParseBool(s)
			trace.Set(on)
			return err
		})
		declareReportDeps()
		// A bad configuration file or flag value is the same for every
		// package go vet starts the tool for: said once per go vet run.
		err := applyVetConfig()
		if err == nil {
			err = checkVetFlags(os.Args[1:], all)
		}
		if err != nil {
			if firstToSay(err.Error()) {
				fmt.Fprintf(os.Stderr, "%s: %v\n", progname(), err)
			}
			os.Exit(exitError)
		}
		args, err := reportDeps(os.Args[1:])
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", progname(), err)
			os.Exit(exitError)
		}
		os.Args = append(os.Args[:1], args...)
		unitGC()
		unitchecker.Main(all...)
		return
	}
	vetEngineAvailable = true
	os.Exit(Run(os.Args[1:], analyzers, os.Stdout, os.Stderr))
}

// MainStandalone is Main for a program whose runs take the standalone
// engine unless -engine says otherwise: the cost floor of the corpus
// harness, which must measure loading and SSA in one process, not the
// go command's cache.
func MainStandalone(analyzers []*analysis.Analyzer) {
	defaultEngine = engineStandalone
	Main(analyzers)
}

// isVetInvocation reports whether go vet (or another build system
// speaking the unitchecker protocol) invoked us: it asks for -flags or
// -V=full, or passes one *.cfg file.
func isVetInvocation(args []string) bool {
	for _, a := range args {
		switch {
		case a == "-flags", a == "--flags", strings.HasPrefix(a, "-V="), strings.HasPrefix(a, "--V="), a == "-V":
			return true
		case strings.HasSuffix(a, ".cfg") && !strings.HasPrefix(a, "-") && isVetConfig(a):
			return true
		}
	}
	return false
}

// isVetConfig reports whether name is a go vet config file: a regular
// file holding a JSON object. A package directory named x.cfg is a
// pattern, not a config.
func isVetConfig(name string) bool {
	f, err := os.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return false
	}
	buf := make([]byte, 512)
	n, _ := f.Read(buf)
	return bytes.HasPrefix(bytes.TrimSpace(buf[:n]), []byte("{"))
}

// options are the standalone driver's own flags.
type options struct {
	json       bool
	format     string // text, json, sarif or editor
	fix        bool
	diff       bool
	explain    string
	list       bool
	version    bool
	tests      bool
	tags       string
	cpuprofile string
	memprofile string
	functime   string
	excused    bool
	engine     string // cache, vet, standalone, or "" to choose (chooseEngine)
	cache      bool   // false: use and fill no cache (the standalone engine)
	enabled    map[*analysis.Analyzer]*enableFlag
}

// Output formats.
const (
	formatText   = "text"   // file:line:col: message (check), related locations indented below
	formatJSON   = "json"   // the JSON tree of go vet -json
	formatSARIF  = "sarif"  // SARIF 2.1.0, for GitHub code scanning
	formatEditor = "editor" // text on stdout, exit 0, for editors' lint runners
)

// Run is the standalone driver: it parses args, loads and analyzes the
// packages, prints diagnostics to stdout and errors to stderr, and
// returns the exit status.
//
// Besides the analyzers, it runs the lintdirective analyzer built for
// them, which reports malformed //lint:ignore directives.
func Run(args []string, analyzers []*analysis.Analyzer, stdout, stderr io.Writer) int {
	directives := lintdirective.New(analyzers)
	all := append(append([]*analysis.Analyzer(nil), analyzers...), directives)
	fs, opts := newFlagSet(all, stderr)
	if err := parseQuietly(fs, args); err != nil {
		return exitError
	}
	if fs.NArg() > 0 || opts.format == formatEditor {
		var err error
		if fs, opts, err = applyConfig(all, args, stderr); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", progname(), err)
			return exitError
		}
	}
	if err := opts.check(); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progname(), err)
		return exitError
	}
	switch {
	case opts.explain != "":
		return explain(opts.explain, all, stdout, stderr)
	case opts.version:
		fmt.Fprintf(stdout, "%s %s\n", progname(), version())
		return exitClean
	case opts.list:
		if err := listChecks(stdout, all); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", progname(), err)
			return exitError
		}
		return exitClean
	}
	patterns := fs.Args()
	if len(patterns) == 0 && opts.format == formatEditor {
		patterns = []string{"."}
	}
	if len(patterns) == 0 {
		fs.Usage()
		return exitError
	}
	if opts.cpuprofile != "" {
		stop, err := startCPUProfile(opts.cpuprofile)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", progname(), err)
			return exitError
		}
		defer stop()
	}
	if opts.memprofile != "" {
		defer writeHeapProfile(opts.memprofile, stderr)
	}
	run := selected(all, opts.enabled)
	if i := slices.Index(run, directives); i >= 0 {
		// Rebuilt for the checks that run, so that it requires (and
		// runs) only those.
		run[i] = lintdirective.New(slices.Delete(slices.Clone(run), i, i+1))
	}
	engine, err := chooseEngine(opts)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progname(), err)
		return exitError
	}
	if engine == "" || engine == engineVet {
		args, err := vetArgs(patterns, fs, all, run, opts)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", progname(), err)
			return exitError
		}
		if engine == "" {
			engine = pickEngine(args)
		}
		if engine == engineVet {
			return vetAnalyze(patterns, args, all, run, opts, stdout, stderr)
		}
	}
	if engine == engineCache {
		return cacheAnalyze(patterns, fs, all, run, opts, stdout, stderr)
	}
	internalerr.Guard(run)
	trace.Set(opts.excused)
	defer trace.Set(false)
	return analyze(patterns, run, opts, stdout, stderr)
}

// check validates the combination of flags.
func (opts *options) check() error {
	if opts.json {
		if opts.format != formatText && opts.format != formatJSON {
			return fmt.Errorf("-json conflicts with -format=%s", opts.format)
		}
		opts.format = formatJSON
	}
	switch opts.format {
	case formatText, formatJSON, formatSARIF, formatEditor:
	default:
		return fmt.Errorf("unknown -format %q: want text, json, sarif or editor", opts.format)
	}
	if opts.fix && opts.diff {
		return fmt.Errorf("-fix and -diff are exclusive: -diff shows what -fix would write")
	}
	return nil
}

// explain prints the documentation of the named check.
func explain(name string, analyzers []*analysis.Analyzer, stdout, stderr io.Writer) int {
	for _, a := range analyzers {
		if a.Name == name {
			fmt.Fprintf(stdout, "%s\n", a.Doc)
			if a.URL != "" {
				fmt.Fprintf(stdout, "\nOnline: %s\n", a.URL)
			}
			return exitClean
		}
	}
	var names []string
	for _, a := range analyzers {
		names = append(names, a.Name)
	}
	fmt.Fprintf(stderr, "%s: -explain: unknown check %q (known: %s)\n", progname(), name, strings.Join(names, ", "))
	return exitError
}

// newFlagSet declares the driver's flags, an enable flag per analyzer
// (-NAME=false disables it, as under go vet), and every analyzer flag
// prefixed by its analyzer's name (-NAME.FLAG), as go vet spells them.
func newFlagSet(analyzers []*analysis.Analyzer, stderr io.Writer) (*flag.FlagSet, *options) {
	fs := flag.NewFlagSet(progname(), flag.ContinueOnError)
	fs.SetOutput(stderr)
	opts := &options{enabled: make(map[*analysis.Analyzer]*enableFlag)}
	fs.BoolVar(&opts.json, "json", false, "same as -format=json")
	fs.StringVar(&opts.format, "format", formatText, "output `format`: text (file:line:col: message (check), related locations indented below), json (the tree of go vet -json), sarif (SARIF 2.1.0 for code scanning) or editor (one line per finding, exit status 0, package . by default)")
	fs.BoolVar(&opts.fix, "fix", false, "apply the suggested fixes")
	fs.BoolVar(&opts.diff, "diff", false, "print the suggested fixes as a unified diff, without applying them")
	fs.StringVar(&opts.explain, "explain", "", "print the documentation of `check` and exit")
	fs.BoolVar(&opts.list, "list", false, "list the checks, one line each with its title and diagnostic categories, and exit")
	fs.BoolVar(&opts.version, "version", false, "print the version (module version and VCS revision of the build) and exit")
	fs.BoolVar(&opts.tests, "test", true, "also analyze test files")
	fs.BoolVar(&opts.tests, "tests", true, "same as -test (staticcheck's spelling)")
	fs.StringVar(&opts.tags, "tags", "", "a comma-separated `list` of build tags to consider satisfied, as go build -tags")
	fs.StringVar(&opts.cpuprofile, "cpuprofile", "", "write a CPU profile to `file`")
	fs.StringVar(&opts.memprofile, "memprofile", "", "write a heap profile to `file` at exit")
	fs.StringVar(&opts.functime, "functime", "", "analyze one package at a time and write each function's analysis time and its share of its package's time to `file`")
	fs.BoolVar(&opts.excused, "excused", false, "also print, for every candidate that an exception of a check cleared, where and why: `file:line:col: excused by NAME: statement`; these are not findings and do not change the exit status")
	fs.StringVar(&opts.engine, "engine", "", "how to run the analysis: `cache` (one process, a package at a time in dependency order, results in sharedvet's cache; the default), vet (through go vet: results in the go build cache, a process per package) or standalone (the whole program in one process: no cache, faster on an empty build cache, more memory; needed by -fix, -diff and -functime, which choose it)")
	fs.BoolVar(&opts.cache, "cache", true, "reuse and store results (the cache and vet engines); -cache=false analyzes everything afresh in one process (the standalone engine)")
	fs.Var(&checksFlag{names: checkNames(analyzers), lookup: fs.Lookup}, "checks", checksUsage)
	addShowIgnored(fs, analyzers)
	for _, a := range analyzers {
		opts.enabled[a] = new(enableFlag)
		fs.Var(opts.enabled[a], a.Name, "run the "+a.Name+" check (-NAME alone runs only the checks named so; -NAME=false skips one)")
		a.Flags.VisitAll(func(f *flag.Flag) {
			fs.Var(f.Value, a.Name+"."+f.Name, f.Usage)
		})
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s [flags] packages...\n\nFlags:\n", progname())
		fs.PrintDefaults()
	}
	return fs, opts
}

// analyze loads the packages and runs the analyzers on them. A package
// that fails to load or type-check is reported on stderr and makes the
// status an error, but the remaining packages are still analyzed.
func analyze(patterns []string, analyzers []*analysis.Analyzer, opts *options, stdout, stderr io.Writer) int {
	cfg := loadConfig(opts)
	var guard *fixGuard
	if opts.fix || opts.diff {
		guard = newFixGuard()
		cfg.ParseFile = guard.parse
	}
	prog := newProgress(stderr)
	prog.loading()
	pkgs, err := packages.Load(cfg, patterns...)
	prog.clear()
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", progname(), loadError(err))
		return exitError
	}
	if guard != nil {
		guard.sources(pkgs, cfg.BuildFlags)
	}
	noteCgoSkipped(pkgs, opts.tags, stderr)
	if len(pkgs) == 0 {
		fmt.Fprintf(stderr, "%s: no packages matched %s\n", progname(), strings.Join(patterns, " "))
		return exitError
	}
	var timer *funcTimer
	var copts *checker.Options
	if opts.functime != "" {
		// Created before the analysis, so that an unwritable path
		// fails the run at once rather than costing its findings.
		out, err := os.Create(opts.functime)
		if err != nil {
			fmt.Fprintf(stderr, "%s: -functime: %v\n", progname(), err)
			return exitError
		}
		defer out.Close()
		timer = newFuncTimer(out)
		copts = &checker.Options{Sequential: true}
	}
	stopProgress := prog.track(analyzers, pkgs)
	graph, err := checker.Analyze(analyzers, pkgs, copts)
	stopProgress()
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progname(), err)
		return exitError
	}
	status := exitClean
	if timer != nil {
		if err := timer.write(graph); err != nil {
			// The findings are still printed.
			fmt.Fprintf(stderr, "%s: -functime: %v\n", progname(), err)
			status = exitError
		}
	}
	findings := collect(graph)
	problems := append(loadProblems(pkgs), actionProblems(graph)...)
	problems = append(problems, internalErrors(graph)...)
	return report(findings, problems, analyzers, guard, status, opts, stdout, stderr)
}

// report prints the problems on stderr and the findings in the chosen
// format, applies or shows the fixes (-fix, -diff: guard is then the
// standalone engine's), and returns the exit status.
func report(findings []finding, problems []problem, analyzers []*analysis.Analyzer, guard *fixGuard, status int, opts *options, stdout, stderr io.Writer) int {
	sortProblems(problems)
	if printProblems(stderr, problems) {
		status = exitError
	}
	if opts.fix {
		// What -fix changed goes to stderr; the findings it left are
		// the output, and decide the exit status.
		active, silenced := splitSilenced(findings)
		fixed, ok := applyFixes(active, guard, false, io.Discard, stderr)
		if !ok {
			status = exitError
		}
		findings = append(reportFixed(active, fixed, stderr), silenced...)
	}
	if err := output(findings, problems, analyzers, opts, stdout); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progname(), err)
		return exitError
	}
	if opts.diff {
		active, _ := splitSilenced(findings)
		if _, ok := applyFixes(active, guard, true, stdout, stderr); !ok {
			status = exitError
		}
	}
	switch {
	case status == exitError:
		return exitError
	case countFindings(findings) > 0 && (opts.format == formatText || opts.format == formatSARIF):
		return exitFindings
	}
	return exitClean
}

// output prints the findings in the chosen format, and in JSON and
// SARIF the problems too (text has them on stderr); -diff prints diffs
// instead.
func output(findings []finding, problems []problem, analyzers []*analysis.Analyzer, opts *options, stdout io.Writer) error {
	if opts.diff {
		return nil
	}
	switch opts.format {
	case formatJSON:
		return writeJSON(stdout, findings, problems)
	case formatSARIF:
		return writeSARIF(stdout, findings, problems, analyzers)
	}
	for _, f := range findings {
		printText(stdout, f, opts.format == formatText)
	}
	return nil
}

// printText prints a finding as "file:line:col: message (check)" and,
// with related, each related location on a line of its own, indented
// by a tab, as go vet prints them:
//
//	broker.go:23:5: send on b.out while holding b.mu (lockchan)
//		broker.go:20:12: b.mu locked here
//
// The editor format leaves them out: runners that parse
// file:line:col: lines would take each one for a finding.
func printText(w io.Writer, f finding, related bool) {
	fmt.Fprintf(w, "%s: %s (%s)\n", relPosition(f.posn), f.diag.Message, f.analyzer.Name)
	if !related {
		return
	}
	for _, r := range f.diag.Related {
		if !r.Pos.IsValid() {
			continue
		}
		fmt.Fprintf(w, "\t%s: %s\n", relPosition(f.fset.Position(r.Pos)), r.Message)
	}
}

// A finding is a diagnostic of a root action.
type finding struct {
	analyzer *analysis.Analyzer
	pkgID    string // the package that reported it, as JSON keys it
	fset     *token.FileSet
	posn     token.Position
	diag     analysis.Diagnostic
}

// collect returns the findings of the root actions, sorted, each once
// (see findingSet). Internal errors are problems, not findings (see
// internalErrors).
func collect(graph *checker.Graph) []finding {
	var set findingSet
	for _, act := range graph.Roots {
		for _, d := range act.Diagnostics {
			if !isInternalError(d) {
				set.add(finding{act.Analyzer, act.Package.ID, act.Package.Fset, act.Package.Fset.Position(d.Pos), d})
			}
		}
	}
	return set.sorted()
}

// A findingSet holds findings each once: a package and its test
// variant report the findings in their common files twice, and JSON
// keeps them under the package's own ID (the shorter, "p" rather than
// "p [p.test]").
type findingSet struct {
	index map[findingKey]int
	found []finding
}

type findingKey struct {
	posn     token.Position
	msg      string
	category string
}

func (s *findingSet) add(f finding) {
	if s.index == nil {
		s.index = make(map[findingKey]int)
	}
	k := findingKey{f.posn, f.diag.Message, f.diag.Category}
	if i, dup := s.index[k]; dup {
		if id := f.pkgID; len(id) < len(s.found[i].pkgID) || (len(id) == len(s.found[i].pkgID) && id < s.found[i].pkgID) {
			s.found[i].pkgID = id
		}
		return
	}
	s.index[k] = len(s.found)
	s.found = append(s.found, f)
}

// sorted returns the findings by file, offset and message.
func (s *findingSet) sorted() []finding {
	sort.Slice(s.found, func(i, j int) bool {
		a, b := s.found[i].posn, s.found[j].posn
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Offset != b.Offset {
			return a.Offset < b.Offset
		}
		return s.found[i].diag.Message < s.found[j].diag.Message
	})
	return s.found
}

// countFindings returns the number of findings that are not entries
// of the trace (-excused), which never count in the exit status.
func countFindings(findings []finding) int {
	n := 0
	for _, f := range findings {
		if !trace.IsExcused(f.diag) && !lintdirective.Silenced(f.diag) {
			n++
		}
	}
	return n
}

// relPosition prints posn with its file name relative to the current
// directory when the file is under it, as go vet does.
func relPosition(posn token.Position) string {
	posn.Filename = relPath(posn.Filename)
	return posn.String()
}

// relPath returns filename relative to the current directory when the
// file is under it, else unchanged.
func relPath(filename string) string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, filename); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return filename
}

func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func writeHeapProfile(path string, stderr io.Writer) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progname(), err)
		return
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progname(), err)
	}
}

func progname() string {
	name := os.Args[0]
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	return strings.TrimSuffix(name, ".exe")
}
