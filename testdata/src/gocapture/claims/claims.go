// Package claims holds goroutines that write a shared variable only
// after winning a claim under a lock (a test-and-set that at most one
// of them wins), and the near misses where several may win.
package claims

import (
	"errors"
	"runtime"
	"sync"
	"time"
)

// A clock tells the time; a test installs a fake one that stands still.
type clock interface {
	Now() time.Time
	Since(time.Time) time.Duration
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time                  { return c.t }
func (c fixedClock) Since(t time.Time) time.Duration { return c.t.Sub(t) }

// throttleSettings and throttledLogger are modelled on client-go's
// rest package.
type throttleSettings struct {
	logLevel       int
	minLogInterval time.Duration

	lastLogTime time.Time
	lock        sync.RWMutex
}

type throttledLogger struct {
	clock    clock
	settings []*throttleSettings
}

var globalThrottledLogger = &throttledLogger{
	clock: fixedClock{time.Unix(1000, 0)},
	settings: []*throttleSettings{
		{logLevel: 2, minLogInterval: 1 * time.Second},
		{logLevel: 0, minLogInterval: 10 * time.Second},
	},
}

func enabled(verbosity, level int) bool { return level <= verbosity }

// attemptToLog re-checks lastLogTime under the write lock and sets it
// before it returns true: a claim.
func (b *throttledLogger) attemptToLog(verbosity int) (int, bool) {
	for _, setting := range b.settings {
		if enabled(verbosity, setting.logLevel) {
			// Return early without write locking if possible.
			if func() bool {
				setting.lock.RLock()
				defer setting.lock.RUnlock()
				return b.clock.Since(setting.lastLogTime) >= setting.minLogInterval
			}() {
				setting.lock.Lock()
				defer setting.lock.Unlock()
				if b.clock.Since(setting.lastLogTime) >= setting.minLogInterval {
					setting.lastLogTime = b.clock.Now()
					return setting.logLevel, true
				}
			}
			return -1, false
		}
	}
	return -1, false
}

// okThrottledLogger is client-go's TestThrottledLogger: of the ten
// goroutines of a round, which the clock does not see pass, at most
// one wins the claim and counts.
func okThrottledLogger(rounds int) int {
	verbosity := 0
	logMessages := 0
	for range rounds {
		var wg sync.WaitGroup
		wg.Add(10)
		for range 10 {
			go func() {
				if _, ok := globalThrottledLogger.attemptToLog(verbosity); ok {
					logMessages++ // ok: only the winner of the claim writes // excused claim, joined
				}
				wg.Done()
			}()
		}
		wg.Wait()
	}
	return logMessages
}

// A once is a one-shot flag.
type once struct {
	mu   sync.Mutex
	done bool
}

// claim sets done and returns true for its first caller only.
func (o *once) claim() bool {
	o.mu.Lock()
	if o.done {
		o.mu.Unlock()
		return false
	}
	o.done = true
	o.mu.Unlock()
	return true
}

// okClaimOnce lets the first goroutine to claim o record its value.
func okClaimOnce(xs []int) (int, int) {
	var o once
	first, count := 0, 0
	var wg sync.WaitGroup
	for _, x := range xs { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !o.claim() { // excused locked
				return
			}
			first = x // ok: one goroutine at most // excused claim, joined
			count++   // ok: one goroutine at most // excused claim, joined
		}()
	}
	wg.Wait()
	return first, count
}

// A limiter admits max callers.
type limiter struct {
	mu  sync.Mutex
	n   int
	max int
}

// acquire admits a caller while fewer than max were admitted. It
// stores a value computed from the one it tested: a counting
// semaphore, not a claim.
func (l *limiter) acquire() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n < l.max {
		l.n++
		return true
	}
	return false
}

// badClaimCounter counts the goroutines that acquire a slot: two of
// them do.
func badClaimCounter() int {
	l := &limiter{max: 2}
	admitted := 0
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if l.acquire() { // excused locked
				admitted++ // want "goroutine writes `admitted`, and more than one such goroutine may run at once"
			}
		}()
	}
	wg.Wait()
	return admitted
}

// badClaimPerGoroutine claims a different object in each goroutine:
// every goroutine wins.
func badClaimPerGoroutine(n int) int {
	objs := make([]*once, n)
	for i := range objs {
		objs[i] = new(once)
	}
	won := 0
	var wg sync.WaitGroup
	for _, o := range objs { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			if o.claim() {
				won++ // want "goroutine writes `won`, and more than one such goroutine may run at once"
			}
		}()
	}
	wg.Wait()
	return won
}

// checkThenAct tests done in one critical section and sets it in
// another: several callers may pass the test.
func (o *once) checkThenAct() bool {
	o.mu.Lock()
	free := !o.done
	o.mu.Unlock()
	if free {
		runtime.Gosched()
		o.mu.Lock()
		o.done = true
		o.mu.Unlock()
		return true
	}
	return false
}

// badCheckThenAct counts the goroutines that passed the split test.
func badCheckThenAct() int {
	var o once
	won := 0
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if o.checkThenAct() { // excused locked
				won++ // want "goroutine writes `won`, and more than one such goroutine may run at once"
			}
		}()
	}
	wg.Wait()
	return won
}

// A switchboard holds a flag that callers read under its lock.
type switchboard struct {
	mu sync.Mutex
	on bool
}

// isOn reads the flag under the lock and stores nothing: a getter.
func (s *switchboard) isOn() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.on
}

// badLockedGetter counts the goroutines that saw the flag on: all of
// them do.
func badLockedGetter() int {
	s := &switchboard{on: true}
	seen := 0
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.isOn() {
				seen++ // want "goroutine writes `seen`, and more than one such goroutine may run at once"
			}
		}()
	}
	wg.Wait()
	return seen
}

func work(i int) error {
	if i%2 == 0 {
		return errors.New("even")
	}
	return nil
}

// badErrFanOut keeps the last error of a fan-out: a write guarded by
// err != nil, which every failing goroutine makes.
func badErrFanOut(n int) error {
	var lastErr error
	var wg sync.WaitGroup
	for i := range n { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := work(i); err != nil {
				lastErr = err // want "goroutine writes `lastErr`, and more than one such goroutine may run at once"
			}
		}()
	}
	wg.Wait()
	return lastErr
}

// badClaimUnguardedRead writes under the claim, but every goroutine
// reads the variable whether it won or not.
func badClaimUnguardedRead() int {
	var o once
	winner := -1
	sum := 0
	var wg sync.WaitGroup
	for i := range 10 { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			if o.claim() { // excused locked
				winner = i // want "goroutine writes `winner`, and more than one such goroutine may run at once"
			}
			sum += winner // want "goroutine writes `sum`, and more than one such goroutine may run at once"
		}()
	}
	wg.Wait()
	return sum
}

// claimKeepsTest stores the value it tested for: it sets nothing that
// stops the next caller.
func (o *once) claimKeepsTest() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done {
		o.done = true
		return true
	}
	return false
}

// badClaimKeepsTest counts the goroutines that passed the test: all of
// them, once done is set.
func badClaimKeepsTest() int {
	o := &once{done: true}
	won := 0
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if o.claimKeepsTest() { // excused locked
				won++ // want "goroutine writes `won`, and more than one such goroutine may run at once"
			}
		}()
	}
	wg.Wait()
	return won
}

// claimRelock tests done, then lets other callers in before it sets
// done: the test and the set lie in two critical sections, though the
// lock is held at both.
func (o *once) claimRelock() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done {
		return false
	}
	for range 2 {
		o.mu.Unlock()
		runtime.Gosched()
		o.mu.Lock()
	}
	o.done = true
	return true
}

// badClaimRelock counts the goroutines that passed the test.
func badClaimRelock() int {
	var o once
	won := 0
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if o.claimRelock() { // excused locked
				won++ // want "goroutine writes `won`, and more than one such goroutine may run at once"
			}
		}()
	}
	wg.Wait()
	return won
}

// badClaimReassigned claims the object that o holds when the goroutine
// calls claim; the loop gives o a new one for each goroutine.
func badClaimReassigned(n int) int {
	var o *once
	won := 0
	var wg sync.WaitGroup
	for range n {
		o = new(once) // want "`o` is written after the go statement, while the goroutine reads it without synchronization"
		wg.Add(1)
		go func() {
			defer wg.Done()
			if o.claim() { // excused locked
				won++ // want "goroutine writes `won`, and more than one such goroutine may run at once"
			}
		}()
	}
	wg.Wait()
	return won
}
