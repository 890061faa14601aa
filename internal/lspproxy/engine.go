package lspproxy

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"go.lsp.dev/protocol"
)

// An engine schedules analyses, one package directory at a time: it
// waits for edits to pause, runs at most one go vet at once (the
// machine's cores serve gopls too), and cancels an analysis that a
// newer edit or save has made stale. Nothing in it blocks the relay of
// messages: requests to analyze only set timers.
type engine struct {
	ctx     context.Context
	goCmd   string // the go command
	vettool string // this executable, under a name go vet runs as a tool
	tmp     string // directory for overlays

	// snapshot returns the editor's open buffers at the start of a run.
	snapshot func() []openFile
	// done receives the findings of a run no newer request superseded.
	done func(dir string, fs []finding, elapsed time.Duration)
	// logf reports errors and progress to the editor's log.
	logf func(typ protocol.MessageType, format string, args ...any)

	sem chan struct{} // held by the running go vet

	mu   sync.Mutex
	cfg  vetConfig       // how go vet runs, from the settings
	jobs map[string]*job // by package directory
}

// A vetConfig is how go vet runs, from sharedvet's and gopls's settings.
type vetConfig struct {
	flags []string // the analyzers' flags, from sharedvet's settings
	build []string // build flags (-tags=...), from gopls's buildFlags
	env   []string // KEY=VALUE, from gopls's env
}

// A job is the latest request to analyze one package directory.
type job struct {
	gen    int                // incremented by each request
	timer  *time.Timer        // starts run for gen
	cancel context.CancelFunc // cancels the running analysis, if any
}

func newEngine(ctx context.Context, goCmd, vettool, tmp string) *engine {
	return &engine{ctx: ctx, goCmd: goCmd, vettool: vettool, tmp: tmp, sem: make(chan struct{}, 1), jobs: map[string]*job{}}
}

// setFlags sets the analyzers' flags of later analyses.
func (e *engine) setFlags(flags []string) {
	e.mu.Lock()
	e.cfg.flags = flags
	e.mu.Unlock()
}

// setBuild sets the build flags and environment of later analyses, as
// gopls's settings give them to gopls, so that sharedvet sees the files
// gopls sees.
// It reports whether they changed.
func (e *engine) setBuild(build, env []string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if slices.Equal(e.cfg.build, build) && slices.Equal(e.cfg.env, env) {
		return false
	}
	e.cfg.build, e.cfg.env = build, env
	return true
}

// schedule asks for an analysis of the package in dir after delay. It
// supersedes an earlier request for dir, waiting or running.
func (e *engine) schedule(dir string, delay time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	j := e.jobs[dir]
	if j == nil {
		j = &job{}
		e.jobs[dir] = j
	}
	j.gen++
	gen := j.gen
	if j.timer != nil {
		j.timer.Stop()
	}
	if j.cancel != nil {
		j.cancel()
		j.cancel = nil
	}
	j.timer = time.AfterFunc(delay, func() { e.run(dir, j, gen) })
}

// run analyzes dir for request gen of j, unless a newer request came.
func (e *engine) run(dir string, j *job, gen int) {
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	e.mu.Lock()
	if j.gen != gen {
		e.mu.Unlock()
		return
	}
	j.cancel = cancel
	cfg := e.cfg
	e.mu.Unlock()

	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		return
	}
	start := time.Now()
	fs, err := vet(ctx, e.goCmd, e.vettool, cfg, dir, e.tmp, e.snapshot())
	<-e.sem

	e.mu.Lock()
	stale := j.gen != gen
	if !stale {
		j.cancel = nil
	}
	e.mu.Unlock()
	var be *buildError
	switch {
	case stale || ctx.Err() != nil:
		// A newer request runs instead.
	case errors.As(err, &be):
		// gopls shows why the package does not build; the findings of
		// the last run that built stay.
		e.logf(protocol.MessageTypeLog, "sharedvet gopls: %s does not build yet, findings unchanged:\n%s", dir, be.msg)
	case err != nil:
		// An analyzer's error (reported in the JSON beside the other
		// analyzers' findings) or a failing tool: say so where the
		// user looks, and keep what the other analyzers found.
		e.logf(protocol.MessageTypeError, "sharedvet gopls: analysis of %s failed: %v", dir, err)
		if len(fs) > 0 {
			e.done(dir, fs, time.Since(start))
		}
	default:
		// Store (and publish) the findings before saying so: a client
		// that waits for this line, then pulls diagnostics, must find
		// them (TestGoplsSettings failed when the log came first).
		elapsed := time.Since(start)
		e.done(dir, fs, elapsed)
		e.logf(protocol.MessageTypeLog, "sharedvet gopls: analyzed %s in %v: %d findings", dir, elapsed.Round(time.Millisecond), len(fs))
	}
}

// stop cancels every waiting request. The caller cancels e.ctx to stop
// the running one.
func (e *engine) stop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, j := range e.jobs {
		j.gen++
		if j.timer != nil {
			j.timer.Stop()
		}
	}
}
