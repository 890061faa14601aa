// Package driver runs a suite of analyzers either as a go vet tool
// (the unitchecker protocol: -flags, -V=full, *.cfg) or standalone over
// go list patterns, so that one binary serves both uses.
package driver

import (
	"flag"
	"fmt"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/analysis/unitchecker"
	"golang.org/x/tools/go/packages"
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
		// registers the analyzers' flags itself.
		unitchecker.Main(analyzers...)
		return
	}
	os.Exit(Run(os.Args[1:], analyzers, os.Stdout, os.Stderr))
}

// isVetInvocation reports whether go vet (or another build system
// speaking the unitchecker protocol) invoked us: it asks for -flags or
// -V=full, or passes one *.cfg file.
func isVetInvocation(args []string) bool {
	for _, a := range args {
		switch {
		case a == "-flags", a == "--flags", strings.HasPrefix(a, "-V="), strings.HasPrefix(a, "--V="), a == "-V":
			return true
		case strings.HasSuffix(a, ".cfg") && !strings.HasPrefix(a, "-"):
			return true
		}
	}
	return false
}

// options are the standalone driver's own flags.
type options struct {
	json       bool
	tests      bool
	cpuprofile string
	memprofile string
	enabled    map[*analysis.Analyzer]*bool
}

// Run is the standalone driver: it parses args, loads and analyzes the
// packages, prints diagnostics to stdout and errors to stderr, and
// returns the exit status.
func Run(args []string, analyzers []*analysis.Analyzer, stdout, stderr io.Writer) int {
	fs, opts := newFlagSet(analyzers, stderr)
	if err := fs.Parse(args); err != nil {
		return exitError
	}
	patterns := fs.Args()
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
	return analyze(patterns, selected(analyzers, opts), opts, stdout, stderr)
}

// newFlagSet declares the driver's flags, an enable flag per analyzer
// (-NAME=false disables it, as under go vet), and every analyzer flag
// prefixed by its analyzer's name (-NAME.FLAG), as go vet spells them.
func newFlagSet(analyzers []*analysis.Analyzer, stderr io.Writer) (*flag.FlagSet, *options) {
	fs := flag.NewFlagSet(progname(), flag.ContinueOnError)
	fs.SetOutput(stderr)
	opts := &options{enabled: make(map[*analysis.Analyzer]*bool)}
	fs.BoolVar(&opts.json, "json", false, "print diagnostics and errors as the JSON tree of go vet -json")
	fs.BoolVar(&opts.tests, "test", true, "also analyze test files")
	fs.StringVar(&opts.cpuprofile, "cpuprofile", "", "write a CPU profile to `file`")
	fs.StringVar(&opts.memprofile, "memprofile", "", "write a heap profile to `file` at exit")
	for _, a := range analyzers {
		opts.enabled[a] = fs.Bool(a.Name, true, "enable the "+a.Name+" analysis")
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

// selected returns the analyzers whose enable flag is set.
func selected(analyzers []*analysis.Analyzer, opts *options) []*analysis.Analyzer {
	var out []*analysis.Analyzer
	for _, a := range analyzers {
		if *opts.enabled[a] {
			out = append(out, a)
		}
	}
	return out
}

// analyze loads the packages and runs the analyzers on them. A package
// that fails to load or type-check is reported on stderr and makes the
// status an error, but the remaining packages are still analyzed.
func analyze(patterns []string, analyzers []*analysis.Analyzer, opts *options, stdout, stderr io.Writer) int {
	cfg := &packages.Config{
		Mode:  packages.LoadAllSyntax | packages.NeedModule,
		Tests: opts.tests,
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progname(), err)
		return exitError
	}
	status := exitClean
	if n := printLoadErrors(pkgs, stderr); n > 0 {
		status = exitError
	}
	if len(pkgs) == 0 {
		fmt.Fprintf(stderr, "%s: no packages matched %s\n", progname(), strings.Join(patterns, " "))
		return exitError
	}
	graph, err := checker.Analyze(analyzers, pkgs, nil)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progname(), err)
		return exitError
	}
	if opts.json {
		if err := graph.PrintJSON(stdout); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", progname(), err)
			return exitError
		}
	}
	findings, failed := report(graph, opts.json, stdout, stderr)
	switch {
	case failed || status == exitError:
		return exitError
	case findings > 0 && !opts.json:
		return exitFindings
	}
	return exitClean
}

// printLoadErrors prints each package's load, parse and type errors
// once, naming the package, and returns how many it printed.
func printLoadErrors(pkgs []*packages.Package, stderr io.Writer) int {
	n := 0
	seen := make(map[string]bool)
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			msg := fmt.Sprintf("%s: package %s: %v", progname(), p.PkgPath, e)
			if !seen[msg] {
				seen[msg] = true
				fmt.Fprintln(stderr, msg)
				n++
			}
		}
	})
	return n
}

// report prints the root diagnostics as text (unless JSON was already
// printed), deduplicated across a package and its test variant, and
// the errors of failed actions. It returns the number of findings and
// whether any root action failed.
func report(graph *checker.Graph, jsonDone bool, stdout, stderr io.Writer) (findings int, failed bool) {
	type key struct {
		posn token.Position
		msg  string
	}
	seen := make(map[key]bool)
	var found []key
	for act := range graph.All() {
		if !act.IsRoot {
			continue
		}
		if act.Err != nil {
			failed = true
			fmt.Fprintf(stderr, "%s: %s: package %s: %v\n", progname(), act.Analyzer.Name, act.Package.PkgPath, act.Err)
			continue
		}
		for _, d := range act.Diagnostics {
			k := key{act.Package.Fset.Position(d.Pos), d.Message}
			if seen[k] {
				continue
			}
			seen[k] = true
			found = append(found, k)
		}
	}
	sort.Slice(found, func(i, j int) bool {
		a, b := found[i].posn, found[j].posn
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Offset != b.Offset {
			return a.Offset < b.Offset
		}
		return found[i].msg < found[j].msg
	})
	if !jsonDone {
		for _, k := range found {
			fmt.Fprintf(stdout, "%s: %s\n", relPosition(k.posn), k.msg)
		}
	}
	findings = len(found)
	return findings, failed
}

// relPosition prints posn with its file name relative to the current
// directory when the file is under it, as go vet does.
func relPosition(posn token.Position) string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, posn.Filename); err == nil && !strings.HasPrefix(rel, "..") {
			posn.Filename = rel
		}
	}
	return posn.String()
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
