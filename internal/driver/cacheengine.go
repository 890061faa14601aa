package driver

import (
	"errors"
	"flag"
	"fmt"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"github.com/sharedvet/sharedvet/internal/staticrunner"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"
	"honnef.co/go/tools/config"
	"honnef.co/go/tools/lintcmd/cache"

	"github.com/sharedvet/sharedvet/internal/internalerr"
	"github.com/sharedvet/sharedvet/internal/vetjson"
	"github.com/sharedvet/sharedvet/passes/lintdirective"
	"github.com/sharedvet/sharedvet/passes/trace"
)

// The cache engine analyzes in one process, in dependency order, with
// staticcheck's runner (a copy in internal/staticrunner): each package
// is type-checked from source against its dependencies' types, decoded
// once per run from their export data in the go build cache; its
// analysis's facts, findings and directives go to a content-addressed
// cache of sharedvet's own, and then the package is dropped from
// memory. So memory is that of the packages analyzed at once (one per
// CPU) and of the dependencies' types, a second run over an unchanged
// tree reads the cache, and an edit re-analyzes the packages whose
// inputs it changed; unlike the vet engine, no process is started per
// package (what made the vet engine's cold runs cost more than the
// floor: a fresh heap and three files per process).
//
// The runner is staticcheck's and what staticcheck itself runs on; the
// copy changes what its API has no place for (internal/staticrunner's
// README lists it). sharedvet adds what the runner leaves to its
// caller: the cache's key covers the executable and the flags, an
// analyzer's failure is a problem of the run (the runner drops it) and
// a cache that may hold an incomplete result is cleared.

const engineCache = "cache"

// resultsCacheEnv names the directory of the cache engine's cache, by
// default sharedvet/results in the user cache directory.
const resultsCacheEnv = "SHAREDVET_CACHE"

// resultsCacheDir returns the cache engine's directory.
func resultsCacheDir() (string, error) {
	if dir := os.Getenv(resultsCacheEnv); dir != "" {
		return filepath.Abs(dir)
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory (set %s): %v", resultsCacheEnv, err)
	}
	return filepath.Join(dir, "sharedvet", "results"), nil
}

// cacheRunMu serializes runs of the cache engine in one process: the
// cache's salt and the record of analyzers' failures are global.
var cacheRunMu sync.Mutex

// cacheEngineGC is the collector's setting during a run: the live heap
// is that of a few packages, so the default collects every few
// megabytes of work. A cold run on etcd took 14.4 s of CPU at 100 and
// 12.4 s at 400 (single runs; the floor 13.0 s); on grpc, cold,
// farm-bench pairs, 250 and 300 cost 1.02x and 1.00x the CPU of 400
// (within the noise) and peaked at 0.75x and 0.80x.
const cacheEngineGC = 250

// cacheAnalyze runs the analyzers on patterns with the cache engine and
// reports as analyze does.
func cacheAnalyze(patterns []string, fs *flag.FlagSet, all, run []*analysis.Analyzer, opts *options, stdout, stderr io.Writer) int {
	cacheRunMu.Lock()
	defer cacheRunMu.Unlock()
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(cacheEngineGC))
	}
	internalerr.Guard(run)
	trace.Set(opts.excused)
	defer trace.Set(false)
	checks := tagged(run)
	recordFailures(checks)

	res, err := cacheAttempt(patterns, fs, all, run, checks, opts, stderr)
	var notes []problem
	if err == nil && res.damaged {
		// An entry that decodes wrong is not trusted: the cache is
		// cleared and everything analyzed again.
		notes = append(notes, problem{msg: "the cache held a damaged entry; it was cleared and the analysis run again", warning: true})
		if err = os.RemoveAll(res.dir); err == nil {
			res, err = cacheAttempt(patterns, fs, all, run, checks, opts, stderr)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progname(), err)
		return exitError
	}
	problems := append(notes, res.problems...)
	status := exitClean
	if res.goFailed {
		status = exitError
	}
	for _, p := range problems {
		if !p.warning {
			status = exitError
		}
	}
	return report(res.findings, problems, run, nil, status, opts, stdout, stderr)
}

// A cacheRun is what one attempt of the cache engine found.
type cacheRun struct {
	dir      string
	findings []finding
	problems []problem
	goFailed bool // the go command failed to list or compile the packages
	damaged  bool // a cached entry did not decode
}

// cacheAttempt opens the cache, runs the checks on patterns with the
// runner and converts what it found. An error is one of the cache
// itself; what the go command or an analyzer said is in the problems.
func cacheAttempt(patterns []string, fs *flag.FlagSet, all, run, checks []*analysis.Analyzer, opts *options, stderr io.Writer) (cacheRun, error) {
	c, dir, err := openResultsCache(fs, all, run, opts)
	if err != nil {
		return cacheRun{}, err
	}
	out := cacheRun{dir: dir}
	r, err := staticrunner.New(config.Config{}, c)
	if err != nil {
		return cacheRun{}, err
	}
	cfg := &packages.Config{Tests: opts.tests}
	if opts.tags != "" {
		cfg.BuildFlags = []string{"-tags=" + opts.tags}
	}
	failures.reset()
	stop := newProgress(stderr).watchRunner(&r.Stats)
	results, err := r.Run(cfg, checks, patterns)
	stop()
	if err != nil {
		// The go command failed, as go vet's would: a package that does
		// not compile is its "# pkg" line and errors.
		out.problems = vetStderr(loadError(err), stderr)
		out.goFailed = true
		return out, nil
	}
	markBuildCacheUsed() // the go command compiled what the runner needed
	entries, problems, damaged := fromRunner(results)
	findings, more := fromVet(entries, all)
	out.findings, out.problems, out.damaged = findings, append(problems, more...), damaged
	if failed := failures.take(); len(failed) > 0 {
		out.problems = append(out.problems, failed...)
		// The runner cached what the failed analysis left; a later run
		// must not take it for complete.
		if err := os.RemoveAll(dir); err != nil {
			out.problems = append(out.problems, problem{msg: "clearing the cache: " + err.Error()})
		}
	} else {
		c.Trim()
	}
	return out, nil
}

// openResultsCache opens the cache engine's cache, salted for this
// run's executable and flags, and returns it with its directory.
func openResultsCache(fs *flag.FlagSet, all, run []*analysis.Analyzer, opts *options) (*cache.DiskCache, string, error) {
	dir, err := resultsCacheDir()
	if err != nil {
		return nil, "", err
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, "", err
	}
	c, err := cache.Open(dir)
	if err != nil {
		return nil, "", err
	}
	salt, err := cacheSalt(fs, all, run, opts)
	if err != nil {
		return nil, "", err
	}
	cache.SetSalt(salt)
	return c, dir, nil
}

// cacheSalt returns what the cache's keys add to a package's inputs:
// the executable (its hash, and sharedvet.conf's, as go vet keys on)
// and the flags that change the analysis.
func cacheSalt(fs *flag.FlagSet, all, run []*analysis.Analyzer, opts *options) ([]byte, error) {
	line, err := vetVersionLine(progname())
	if err != nil {
		return nil, err
	}
	flags := vetFlags(fs, all, run)
	flags = append(flags, "-tags="+opts.tags, "-test="+strconv.FormatBool(opts.tests))
	return []byte(line + "\x00" + strings.Join(flags, "\x00")), nil
}

// The runner keeps a diagnostic's position, category and message, not
// which analyzer made it; the checks run as copies that put their name
// in front of the category, separated by analyzerSep.
const analyzerSep = "\x00"

// tagged returns copies of the checks whose diagnostics carry the
// check's name, lintdirective rebuilt
// on the copies so that it requires them and not the originals.
func tagged(run []*analysis.Analyzer) []*analysis.Analyzer {
	var checks []*analysis.Analyzer
	hasDirective := false
	for _, a := range run {
		if a.Name == "lintdirective" {
			hasDirective = true
			continue
		}
		checks = append(checks, tag(a))
	}
	if hasDirective {
		checks = append(checks, tag(lintdirective.New(checks)))
	}
	return checks
}

func tag(a *analysis.Analyzer) *analysis.Analyzer {
	c := *a
	c.Run = func(pass *analysis.Pass) (any, error) {
		report := pass.Report
		pass.Report = func(d analysis.Diagnostic) {
			d.Category = a.Name + analyzerSep + d.Category
			report(d)
		}
		return a.Run(pass)
	}
	return &c
}

// failures records the analyzers' errors of a run: the runner drops
// them, and skips the checks that need a failed analysis.
var failures failureLog

// recording holds the analyzers whose Run records its errors in
// failures.
var recording sync.Map

// recordFailures makes the analyzers, and those they require, record
// their errors in failures. As internalerr.Guard, it changes each
// analyzer once, for the life of the process.
func recordFailures(analyzers []*analysis.Analyzer) {
	for _, a := range analyzers {
		if _, done := recording.LoadOrStore(a, true); done {
			continue
		}
		run := a.Run
		a.Run = func(pass *analysis.Pass) (any, error) {
			res, err := run(pass)
			if err != nil {
				failures.add(pass.Pkg.Path(), a.Name, err)
			}
			return res, err
		}
		recordFailures(a.Requires)
	}
}

type failureLog struct {
	mu   sync.Mutex
	list []problem
}

func (l *failureLog) reset() { l.mu.Lock(); l.list = nil; l.mu.Unlock() }

func (l *failureLog) add(pkg, analyzer string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, problem{pkgID: pkg, msg: pkg + ": " + analyzer + ": " + err.Error()})
}

func (l *failureLog) take() []problem {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.list
	l.list = nil
	return out
}

// fromRunner converts the runner's results for the packages named into
// go vet's entries, and its failures into problems: the packages that
// did not load or type-check, and those it could not analyze. damaged
// says that a cached entry failed to decode.
func fromRunner(results []staticrunner.Result) (entries []vetjson.Entry, problems []problem, damaged bool) {
	for _, res := range results {
		id := res.Package.ID
		switch {
		case res.Failed:
			var typeErrs []packages.Error
			for _, err := range res.Errors {
				if isCacheReadError(err) {
					damaged = true
				}
				if perr, ok := err.(packages.Error); ok && perr.Kind != packages.ListError && perr.Pos != "" {
					typeErrs = append(typeErrs, perr)
					continue
				}
				problems = append(problems, runnerError(id, err))
			}
			if len(typeErrs) > 0 {
				problems = append(problems, typeErrors(id, typeErrs))
			}
			continue
		case !res.Initial:
			continue
		case res.Skipped:
			if len(res.Package.CompiledGoFiles) > 0 {
				problems = append(problems, problem{pkgID: id, msg: id + ": not analyzed: a file is over the runner's size limit", warning: true})
			}
			continue
		}
		data, err := res.Load()
		if err != nil {
			damaged = true
			problems = append(problems, problem{pkgID: id, msg: id + ": reading the cached result: " + err.Error()})
			continue
		}
		byAnalyzer := make(map[string]int)
		for _, d := range data.Diagnostics {
			name, category, ok := strings.Cut(d.Category, analyzerSep)
			if !ok {
				continue // not one of the checks' (the runner reports none of its own)
			}
			i, seen := byAnalyzer[name]
			if !seen {
				i = len(entries)
				byAnalyzer[name] = i
				entries = append(entries, vetjson.Entry{Package: id, Analyzer: name})
			}
			entries[i].Diagnostics = append(entries[i].Diagnostics, toVetDiagnostic(d, category))
		}
	}
	return entries, problems, damaged
}

// isCacheReadError reports whether err is the runner's failure to read
// a dependency's facts from the cache (its messages are the only way
// to tell).
func isCacheReadError(err error) bool {
	return strings.Contains(err.Error(), "failed loading cached facts")
}

// typeErrors is the problem of a package that does not parse or
// type-check, one line as go vet's: the package, its first error and
// how many more.
func typeErrors(id string, errs []packages.Error) problem {
	msg := id + ": " + relErrorLine(errs[0].Pos+": "+errs[0].Msg)
	if len(errs) > 1 {
		msg += fmt.Sprintf(" (and %d more)", len(errs)-1)
	}
	return problem{pkgID: id, msg: msg}
}

// runnerError is the problem of a package that failed to load or
// type-check: its position, if the error has one, and the message.
func runnerError(id string, err error) problem {
	var perr packages.Error
	if errors.As(err, &perr) && strings.HasPrefix(perr.Msg, "# ") {
		// The go command could not compile it (for its export data),
		// and said so as go vet does.
		if ps := vetStderr(perr.Msg, io.Discard); len(ps) == 1 {
			return ps[0]
		}
	}
	if errors.As(err, &perr) {
		p := problem{pkgID: id, msg: perr.Msg}
		if name, line, col, ok := vetjson.SplitPosn(perr.Pos); ok {
			p.posn = token.Position{Filename: name, Line: line, Column: col}
		} else if perr.Pos != "" {
			p.msg = perr.Pos + ": " + perr.Msg
		}
		return p
	}
	return problem{pkgID: id, msg: id + ": " + err.Error()}
}

func toVetDiagnostic(d staticrunner.Diagnostic, category string) vetjson.Diagnostic {
	out := vetjson.Diagnostic{
		Category: category,
		Posn:     posn(d.Position),
		End:      posn(d.End),
		Message:  d.Message,
	}
	for _, r := range d.Related {
		out.Related = append(out.Related, vetjson.Related{Posn: posn(r.Position), End: posn(r.End), Message: r.Message})
	}
	for _, f := range d.SuggestedFixes {
		fix := vetjson.Fix{Message: f.Message}
		for _, e := range f.TextEdits {
			fix.Edits = append(fix.Edits, vetjson.Edit{Filename: e.Position.Filename, Start: e.Position.Offset, End: e.End.Offset, New: string(e.NewText)})
		}
		out.SuggestedFixes = append(out.SuggestedFixes, fix)
	}
	return out
}

// posn prints a position as go vet's JSON does.
func posn(p token.Position) string {
	if !p.IsValid() {
		return ""
	}
	return p.String()
}
