package driver

import (
	"fmt"
	"go/types"
	"io"
	"os"
	"sync"
	"time"

	"github.com/sharedvet/sharedvet/internal/staticrunner"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"
)

// A progress shows, on one rewritten line of a terminal's stderr, what
// a long run is doing: loading packages, then how many of the root
// packages every check has finished. It is nil, and silent, when
// stderr is not a terminal, so that logs and pipes get no control
// characters.
type progress struct {
	w    io.Writer
	mu   sync.Mutex
	left map[*types.Package]int // root package → checks yet to finish on it
	done int
}

// newProgress returns a progress for stderr if it is a terminal, else
// nil.
func newProgress(stderr io.Writer) *progress {
	f, ok := stderr.(*os.File)
	if !ok {
		return nil
	}
	if info, err := f.Stat(); err != nil || info.Mode()&os.ModeCharDevice == 0 || os.Getenv("TERM") == "dumb" {
		return nil
	}
	return &progress{w: stderr}
}

// show rewrites the line.
func (p *progress) show(format string, args ...any) {
	fmt.Fprintf(p.w, "\r\033[K%s: "+format, append([]any{progname()}, args...)...)
}

// loading says that packages are being loaded.
func (p *progress) loading() {
	if p == nil {
		return
	}
	p.show("loading packages...")
}

// clear erases the line, before a message or the output.
func (p *progress) clear() {
	if p == nil {
		return
	}
	fmt.Fprint(p.w, "\r\033[K")
}

// track counts, from now on, the checks that finish on each root
// package (a check's Run returns), wrapping the Run of each analyzer
// in place; the returned function undoes that and clears the line.
func (p *progress) track(analyzers []*analysis.Analyzer, roots []*packages.Package) (stop func()) {
	if p == nil {
		return func() {}
	}
	p.left = make(map[*types.Package]int)
	for _, r := range roots {
		if r.Types != nil {
			p.left[r.Types] = len(analyzers)
		}
	}
	total := len(p.left)
	p.show("analyzed 0/%d packages", total)
	saved := make([]func(*analysis.Pass) (any, error), len(analyzers))
	for i, a := range analyzers {
		run := a.Run
		saved[i] = run
		a.Run = func(pass *analysis.Pass) (any, error) {
			defer p.finished(pass.Pkg, total)
			return run(pass)
		}
	}
	return func() {
		for i, a := range analyzers {
			a.Run = saved[i]
		}
		p.clear()
	}
}

// finished records that a check finished on pkg.
func (p *progress) finished(pkg *types.Package, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n, ok := p.left[pkg]
	if !ok {
		return // a dependency, analyzed for its facts
	}
	p.left[pkg] = n - 1
	if n == 1 {
		p.done++
		p.show("analyzed %d/%d packages", p.done, total)
	}
}

// vetOutput returns a writer for go vet's JSON output that passes it
// to w and counts, as they arrive, the packages go vet has finished:
// each is one tree, which ends with a line "}" (or is "{}").
func (p *progress) vetOutput(w io.Writer) io.Writer {
	if p == nil {
		return w
	}
	p.show("analyzing with go vet...")
	return &vetCounter{p: p, w: w}
}

type vetCounter struct {
	p       *progress
	w       io.Writer
	lineBuf []byte
}

func (c *vetCounter) Write(b []byte) (int, error) {
	for _, ch := range b {
		if ch != '\n' {
			if len(c.lineBuf) < 2 {
				c.lineBuf = append(c.lineBuf, ch)
			}
			continue
		}
		if line := string(c.lineBuf); line == "}" || line == "{}" {
			c.p.done++
			c.p.show("analyzed %d packages (go vet)", c.p.done)
		}
		c.lineBuf = c.lineBuf[:0]
	}
	return c.w.Write(b)
}

// watchRunner shows, every tenth of a second until stop is called, how
// many packages the cache engine's runner has finished of those it
// must analyze or read from its cache, dependencies included.
func (p *progress) watchRunner(stats *staticrunner.Stats) (stop func()) {
	if p == nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			if stats.State() < staticrunner.StateProcessing {
				p.show("loading packages...")
			} else {
				p.show("analyzed %d of %d packages", stats.ProcessedPackages(), stats.TotalPackages())
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		p.clear()
	}
}
