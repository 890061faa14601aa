package basic

import (
	"sync"
	"time"
)

type Queue struct {
	mu    sync.Mutex
	items []int
	out   chan int
}

// flush blocks: callers must not hold q.mu.
func (q *Queue) flush() {
	for _, it := range q.items {
		q.out <- it
	}
}

func (q *Queue) indirect() { q.flush() }

func (q *Queue) badCallsBlocking() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.flush() // want "call to `q.flush` may block on a channel send while holding `q.mu`"
}

func (q *Queue) badCallsTransitively() {
	q.mu.Lock()
	q.indirect() // want "call to `q.indirect` may block on a channel send while holding `q.mu`"
	q.mu.Unlock()
}

func (q *Queue) okCallAfterUnlock() {
	q.mu.Lock()
	q.items = append(q.items, 1)
	q.mu.Unlock()
	q.flush() // ok: released
}

func (q *Queue) size() int { return len(q.items) }

func (q *Queue) okCallNonBlocking() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.size() // ok: size does not block
}

func (q *Queue) okGoBlocking() {
	q.mu.Lock()
	defer q.mu.Unlock()
	go q.flush() // ok: runs in another goroutine
}

// waitLocked is called with q.mu held; it releases it while it waits,
// like sync.Cond.Wait.
func (q *Queue) waitLocked(done chan struct{}) {
	q.mu.Unlock()
	<-done
	q.mu.Lock()
}

func (q *Queue) okCondLike(done chan struct{}) {
	q.mu.Lock()
	q.waitLocked(done) // ok: the callee releases the lock before it blocks
	q.mu.Unlock()
}

func (q *Queue) badClosureCall() {
	q.mu.Lock()
	func() {
		q.out <- 1
	}() // want "call to function literal may block on a channel send while holding `q.mu`"
	q.mu.Unlock()
}

func (q *Queue) okInterfaceCall(f interface{ Flush() }) {
	q.mu.Lock()
	f.Flush() // ok: dynamic calls are not followed
	q.mu.Unlock()
}

// closeChan sends on done when the caller asks for it.
func (q *Queue) closeChan(done chan<- struct{}) {
	q.items = nil
	if done != nil {
		done <- struct{}{}
	}
}

func (q *Queue) close() { q.closeChan(nil) }

func (q *Queue) okNilChanArg() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.close() // ok: close passes nil as the channel closeChan would send on
}

func (q *Queue) badChanArg(done chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closeChan(done) // want "call to `q.closeChan` may block on a channel send while holding `q.mu`"
}

func (q *Queue) forward(done chan struct{}) { q.closeChan(done) }

func (q *Queue) badChanArgForwarded(done chan struct{}) {
	q.mu.Lock()
	q.forward(done) // want "call to `q.forward` may block on a channel send while holding `q.mu`"
	q.mu.Unlock()
	q.mu.Lock()
	q.forward(nil) // ok: nil forwarded to the parameter closeChan sends on
	q.mu.Unlock()
}

// compare runs eq in a goroutine and waits for it: a fork-join, as
// synchronous as calling eq.
func compare(eq func() bool) bool {
	c := make(chan bool)
	go func() { c <- eq() }()
	return <-c
}

// flushWithTimeout flushes in a goroutine and waits at most a second.
func flushWithTimeout(flush func()) {
	done := make(chan bool, 1)
	go func() {
		flush()
		done <- true
	}()
	select {
	case <-done:
	case <-time.After(time.Second):
	}
}

// check ranges over results that its own goroutine produces.
func check(items []int) {
	errs := make(chan int)
	go func(out chan<- int) {
		defer close(out)
		for _, it := range items {
			if it < 0 {
				out <- it
			}
		}
	}(errs)
	for e := range errs {
		_ = e
	}
}

func (q *Queue) okForkJoin(eq func() bool) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	flushWithTimeout(func() {}) // ok: waits only for its own goroutine
	check(q.items)              // ok: waits only for its own goroutine
	return compare(eq)          // ok: waits only for its own goroutine
}

// waitFor hands its channel to a goroutine and also returns it: the
// caller may be another waiter.
func waitFor(work func()) chan struct{} {
	done := make(chan struct{})
	go func() { work(); close(done) }()
	<-done
	return done
}

func (q *Queue) badChannelEscapes() {
	q.mu.Lock()
	waitFor(func() {}) // want "call to `waitFor` may block on a channel receive while holding `q.mu`"
	q.mu.Unlock()
}

// Limiter starts its loop in its constructor and waits for the loop to
// say it runs (certmagic's NewRateLimiter): the object is new, and
// before the wait only the goroutine it started has it.
type Limiter struct {
	mu      sync.Mutex
	started chan struct{}
	ticket  chan struct{}
}

func newLimiter() *Limiter {
	l := &Limiter{started: make(chan struct{}), ticket: make(chan struct{})}
	go l.loop()
	<-l.started
	return l
}

func (l *Limiter) loop() {
	l.started <- struct{}{}
	for range l.ticket {
		l.mu.Lock()
		l.mu.Unlock()
	}
}

var limiters = map[string]*Limiter{}

func (q *Queue) okForkJoinOwnObject(name string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if limiters[name] == nil {
		limiters[name] = newLimiter() // ok: waits only for the goroutine it started
	}
}

// newPublishedLimiter publishes the limiter before it waits: another
// goroutine may take the loop's signal first.
func newPublishedLimiter(name string) *Limiter {
	l := &Limiter{started: make(chan struct{}), ticket: make(chan struct{})}
	limiters[name] = l
	go l.loop()
	<-l.started
	return l
}

// newLimiterSharing hands the started channel to other code before it
// waits.
func newLimiterSharing(also func(chan struct{})) *Limiter {
	started := make(chan struct{})
	also(started)
	l := &Limiter{started: started, ticket: make(chan struct{})}
	go l.loop()
	<-l.started
	return l
}

// newLimiterOn waits on a channel it was given.
func newLimiterOn(started chan struct{}) *Limiter {
	l := &Limiter{started: started, ticket: make(chan struct{})}
	go l.loop()
	<-l.started
	return l
}

func (q *Queue) badOwnObjectNotOwn(name string, also func(chan struct{}), started chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	newPublishedLimiter(name) // want "call to `newPublishedLimiter` may block on a channel receive while holding `q.mu`"
	newLimiterSharing(also)   // want "call to `newLimiterSharing` may block on a channel receive while holding `q.mu`"
	newLimiterOn(started)     // want "call to `newLimiterOn` may block on a channel receive while holding `q.mu`"
}
