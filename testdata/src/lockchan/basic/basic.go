// Package basic holds lockchan's fixtures for the kinds of locks and
// channel operations: positives are named bad…, negatives ok….
package basic

import (
	"context"
	"slices"
	"sync"
)

type Broker struct {
	mu  sync.Mutex
	seq int
	out chan int
}

func (b *Broker) badSend(v int) {
	b.mu.Lock()
	b.seq++
	b.out <- v // want "send on `b.out` while holding `b.mu`"
	b.mu.Unlock()
}

func (b *Broker) okSendAfterUnlock(v int) {
	b.mu.Lock()
	b.seq++
	b.mu.Unlock()
	b.out <- v // ok: the lock was released
}

func (b *Broker) badRecv() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return <-b.out // want "receive from `b.out` while holding `b.mu`"
}

func (b *Broker) badCommaOk() bool {
	b.mu.Lock()
	_, ok := <-b.out // want "receive from `b.out` while holding `b.mu`"
	b.mu.Unlock()
	return ok
}

func (b *Broker) badRange() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for v := range b.out { // want "range over `b.out` while holding `b.mu`"
		b.seq += v
	}
}

func (b *Broker) badSelect(ctx context.Context) {
	b.mu.Lock()
	defer b.mu.Unlock()
	select { // want "select without default case while holding `b.mu`"
	case b.out <- 1:
	case <-ctx.Done():
	}
}

func (b *Broker) okSelectDefault() {
	b.mu.Lock()
	defer b.mu.Unlock()
	select { // ok: a select with a default case never blocks
	case b.out <- 1:
	default:
	}
}

func (b *Broker) okCloseLenCap() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(b.out) + cap(b.out) // ok: len and cap never block
	close(b.out)                 // ok: close never blocks
	return n
}

// RW holds an RWMutex.
type RW struct {
	mu sync.RWMutex
	ch chan string
}

func (r *RW) badRLock() string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return <-r.ch // want "receive from `r.ch` while holding `r.mu` \\(read lock\\)"
}

func (r *RW) badWriteLock(s string) {
	r.mu.Lock()
	r.ch <- s // want "send on `r.ch` while holding `r.mu`"
	r.mu.Unlock()
}

func (r *RW) okRUnlocked(s string) {
	r.mu.RLock()
	n := len(s)
	r.mu.RUnlock()
	_ = n
	r.ch <- s // ok: released
}

// Embedded has a promoted Lock method.
type Embedded struct {
	sync.Mutex
	ch chan int
}

func (e *Embedded) badPromoted() {
	e.Lock()
	e.ch <- 1 // want "send on `e.ch` while holding `e`"
	e.Unlock()
}

func (e *Embedded) okPromoted() {
	e.Lock()
	e.Unlock()
	e.ch <- 1 // ok: released
}

var (
	globalMu sync.Mutex
	events   = make(chan string)
)

func badGlobal() {
	globalMu.Lock()
	events <- "x" // want "send on `events` while holding `globalMu`"
	globalMu.Unlock()
}

func badLocal(ch chan int) {
	var mu sync.Mutex
	mu.Lock()
	ch <- 1 // want "send on `ch` while holding `mu`"
	mu.Unlock()
}

func badPointerParam(mu *sync.Mutex, ch chan int) {
	mu.Lock()
	<-ch // want "receive from `ch` while holding `mu`"
	mu.Unlock()
}

func badLocker(l sync.Locker, ch chan int) {
	l.Lock()
	ch <- 1 // want "send on `ch` while holding `l`"
	l.Unlock()
}

func badCapturedByClosure(ch chan int) func() {
	var mu sync.Mutex
	return func() {
		mu.Lock()
		ch <- 1 // want "send on `ch` while holding `mu`"
		mu.Unlock()
	}
}

func okGoroutineUnderLock(b *Broker) {
	b.mu.Lock()
	go func() {
		b.out <- 1 // ok: the goroutine does not hold the starter's lock
	}()
	b.mu.Unlock()
}

func okSomePaths(b *Broker, cond bool) {
	if cond {
		b.mu.Lock()
	}
	b.out <- 1 // ok: not held on every path
	if cond {
		b.mu.Unlock()
	}
}

func okUnlockedOnBothPaths(b *Broker, cond bool) {
	b.mu.Lock()
	if cond {
		b.seq++
		b.mu.Unlock()
	} else {
		b.mu.Unlock()
	}
	b.out <- 1 // ok: released on both paths
}

func badHeldOnBothPaths(b *Broker, cond bool) {
	if cond {
		b.mu.Lock()
	} else {
		b.mu.Lock()
		b.seq++
	}
	b.out <- 1 // want "send on `b.out` while holding `b.mu`"
	b.mu.Unlock()
}

func okBufferedLocal(b *Broker) <-chan int {
	b.mu.Lock()
	defer b.mu.Unlock()
	ch := make(chan int, 1)
	ch <- b.seq // ok: the function's own buffered channel, sent to once
	return ch
}

func badBufferedTooSmall(b *Broker) <-chan int {
	b.mu.Lock()
	defer b.mu.Unlock()
	ch := make(chan int, 1)
	ch <- b.seq // ok: the first send fills the buffer
	ch <- b.seq // want "send on `ch` while holding `b.mu`"
	return ch
}

func badBufferedEscapes(b *Broker) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ch := make(chan int, 1)
	go func() { ch <- 0 }()
	ch <- b.seq // want "send on `ch` while holding `b.mu`"
}

func badBufferedSentAway(b *Broker, out chan<- chan int) {
	ch := make(chan int, 2)
	out <- ch // its receiver may fill the buffer
	b.mu.Lock()
	defer b.mu.Unlock()
	ch <- b.seq // want "send on `ch` while holding `b.mu`"
}

func okTwoMutexes(a, b *Broker) {
	a.mu.Lock()
	a.seq++
	a.mu.Unlock()
	b.mu.Lock()
	b.seq++
	b.mu.Unlock()
	a.out <- 1 // ok: nothing held
}

func badTwoHeld(a, b *Broker) {
	a.mu.Lock()
	b.mu.Lock()
	a.out <- 1 // want "send on `a.out` while holding `a.mu` and `b.mu`"
	b.mu.Unlock()
	a.mu.Unlock()
}

func okTryLock(b *Broker) {
	if b.mu.TryLock() {
		b.seq++
		b.mu.Unlock()
	}
	b.out <- 1 // ok: TryLock's lock is released on its only path
}

func okLoopReleased(b *Broker, vs []int) {
	for _, v := range vs {
		b.mu.Lock()
		b.seq += v
		b.mu.Unlock()
		b.out <- v // ok: released in each iteration
	}
}

func badLoopHeld(b *Broker, vs []int) {
	b.mu.Lock()
	for _, v := range vs {
		b.out <- v // want "send on `b.out` while holding `b.mu`"
	}
	b.mu.Unlock()
}

func okWaitGroup(b *Broker, wg *sync.WaitGroup) {
	b.mu.Lock()
	b.seq++
	b.mu.Unlock()
	wg.Wait() // ok: not a channel operation, and nothing held
}

// Notify holds a channel that is only ever made with a buffer.
type Notify struct {
	mu        sync.Mutex
	triggered bool
	ch        chan bool
}

func NewNotify() *Notify { return &Notify{ch: make(chan bool, 1)} }

func (n *Notify) okBufferedField() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.triggered {
		n.triggered = true
		n.ch <- true // ok: n.ch is always made with a buffer, sent on once by design
	}
}

func (n *Notify) badBufferedFieldLoop(vals []bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, v := range vals {
		n.ch <- v // want "send on `n.ch` while holding `n.mu`; it stalls other users of the lock, but its receivers take `n.mu` first, so it deadlocks if the buffer fills"
	}
}

func (n *Notify) okLazyBuffered() chan bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch == nil {
		n.ch = make(chan bool, 1)
		n.ch <- n.triggered // ok: a fresh buffered channel
	}
	return n.ch
}

func (n *Notify) badReceiveBufferedField() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return <-n.ch // want "receive from `n.ch` while holding `n.mu`"
}

// Unbuf holds a channel made without a buffer somewhere.
type Unbuf struct {
	mu sync.Mutex
	ch chan int
}

func newUnbuf(buffered bool) *Unbuf {
	if buffered {
		return &Unbuf{ch: make(chan int, 8)}
	}
	return &Unbuf{ch: make(chan int)}
}

func (u *Unbuf) badSendSometimesUnbuffered() {
	u.mu.Lock()
	u.ch <- 1 // want "send on `u.ch` while holding `u.mu`"
	u.mu.Unlock()
}

// request is an element type whose channels this package always makes
// with a buffer.
type request struct{ n int }

type Pool struct {
	mu      sync.Mutex
	waiters []chan request
}

func (p *Pool) wait() chan request {
	ch := make(chan request, 1)
	p.mu.Lock()
	p.waiters = append(p.waiters, ch)
	p.mu.Unlock()
	return ch
}

func (p *Pool) okBufferedElemType() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range p.waiters {
		w <- request{1} // ok: every chan request is made with a buffer
	}
	p.waiters = nil
}

// reply is an element type with an unbuffered channel somewhere.
type reply struct{ n int }

func newReplies() (chan reply, chan reply) { return make(chan reply, 1), make(chan reply) }

func badUnbufferedElemType(mu *sync.Mutex, c chan reply) {
	mu.Lock()
	c <- reply{1} // want "send on `c` while holding `mu`"
	mu.Unlock()
}

func okBufferedEitherBranch(b *Broker, cond bool, subs map[int]chan int) {
	ch := make(chan int, 1)
	b.mu.Lock()
	defer b.mu.Unlock()
	if cond {
		ch <- 1 // ok: one send on either branch fills the buffer once
	} else {
		ch <- 2 // ok: likewise
	}
	subs[b.seq] = ch // handed on only after the sends
}

func badBufferedStoredBefore(b *Broker, subs map[int]chan int) {
	ch := make(chan int, 1)
	b.mu.Lock()
	defer b.mu.Unlock()
	subs[b.seq] = ch
	ch <- 1 // want "send on `ch` while holding `b.mu`"
}

func okDrainThenSend(b *Broker, updates []chan int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, u := range updates {
		select {
		case <-u:
		default:
		}
		u <- b.seq // ok: drained under the lock, so the buffer has room
	}
}

func badSendWithoutDrain(b *Broker, updates []chan int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, u := range updates {
		u <- b.seq // want "send on `u` while holding `b.mu`"
	}
}

// okRangeAfterClose collects errors from joined goroutines in a
// channel, closes it, then ranges over it: a closed channel never
// blocks (go-redis's sentinel).
func okRangeAfterClose(b *Broker, probes []func() error) []error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var wg sync.WaitGroup
	errCh := make(chan error, len(probes))
	for _, p := range probes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := p(); err != nil {
				errCh <- err
			}
		}()
	}
	wg.Wait()
	close(errCh)
	var errs []error
	for err := range errCh { // ok: closed before the range on every path (fixture okRangeAfterClose)
		errs = append(errs, err)
	}
	if err, ok := <-errCh; ok { // ok: the same
		errs = append(errs, err)
	}
	return errs
}

// badRangeMaybeClosed closes the channel on one path only.
func badRangeMaybeClosed(b *Broker, ch chan error, done bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if done {
		close(ch)
	}
	for range ch { // want "range over `ch` while holding `b.mu`"
	}
}

// okIndexedLock locks and unlocks through the same constant index.
func okIndexedLock(bs []*Broker, done chan struct{}) int {
	bs[0].mu.Lock()
	n := bs[0].seq
	bs[0].mu.Unlock()
	<-done // ok: bs[0].mu was released (fixture okIndexedLock)
	return n
}

func badIndexedLockHeld(bs []*Broker, done chan struct{}) {
	bs[0].mu.Lock()
	<-done // want "receive from `done` while holding `bs\\[0\\].mu`"
	bs[0].mu.Unlock()
}

// Different elements are different mutexes.
func badIndexedOtherUnlocked(bs []*Broker, done chan struct{}) {
	bs[0].mu.Lock()
	bs[1].mu.Lock()
	bs[1].mu.Unlock()
	<-done // want "receive from `done` while holding `bs\\[0\\].mu`"
	bs[0].mu.Unlock()
}

// Range-over-func loop bodies run inside the iterator's call, in the
// same goroutine, with the locks held around the loop.
func (b *Broker) badRangeFuncBody(vals []int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for v := range slices.Values(vals) {
		b.out <- v // want "send on `b.out` while holding `b.mu`"
	}
}

func (b *Broker) okRangeFuncBodyUnlocked(vals []int) {
	b.mu.Lock()
	b.seq++
	b.mu.Unlock()
	for v := range slices.Values(vals) {
		b.out <- v // ok: the lock was released before the loop
	}
}

func (b *Broker) okRangeFuncBodyReleases(vals []int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for v := range slices.Values(vals) {
		b.mu.Unlock()
		b.out <- v // ok: the body releases the lock before it sends
		b.mu.Lock()
	}
}

// Goroutines started once each, sending once each under a lock on a
// channel whose buffer holds every send, cannot block.
func okGoroutinesCovered() (int, int) {
	var mu sync.Mutex
	ch := make(chan int, 2)
	go func() {
		mu.Lock()
		ch <- 1 // ok: the buffer holds both sends
		mu.Unlock()
	}()
	go func() {
		mu.Lock()
		ch <- 2 // ok: the buffer holds both sends
		mu.Unlock()
	}()
	return <-ch, <-ch
}

func badGoroutinesInLoop(n int) int {
	var mu sync.Mutex
	ch := make(chan int, 2)
	for i := range n {
		go func() {
			mu.Lock()
			ch <- i // want "send on `ch` while holding `mu`"
			mu.Unlock()
		}()
	}
	return <-ch
}

func badMoreSendsThanBuffer() int {
	var mu sync.Mutex
	ch := make(chan int, 1)
	go func() {
		mu.Lock()
		ch <- 1 // want "send on `ch` while holding `mu`"
		mu.Unlock()
	}()
	go func() {
		mu.Lock()
		ch <- 2 // want "send on `ch` while holding `mu`"
		mu.Unlock()
	}()
	return <-ch
}

// sendUnder is started twice: its one send site sends twice.
func sendUnder(mu *sync.Mutex, ch chan int, v int) {
	mu.Lock()
	ch <- v // want "send on `ch` while holding `mu`"
	mu.Unlock()
}

func twoHelperSends() int {
	var mu sync.Mutex
	ch := make(chan int, 1)
	go sendUnder(&mu, ch, 1)
	go sendUnder(&mu, ch, 2)
	return <-ch
}

// Mock checks len(ch) > 0 under the lock every sender holds: the value
// it saw is still there when it receives.
type Mock struct {
	l          sync.Mutex
	suppressed chan int
}

func newMock() *Mock { return &Mock{suppressed: make(chan int, 10)} }

func (m *Mock) suppress(v int) {
	m.l.Lock()
	m.suppressed <- v // ok: buffered by design
	m.l.Unlock()
}

func (m *Mock) okLenGuarded() int {
	m.l.Lock()
	defer m.l.Unlock()
	if len(m.suppressed) > 0 {
		return <-m.suppressed // ok: a value is there, and no sender or receiver can run
	}
	return 0
}

func (m *Mock) badUnguarded() int {
	m.l.Lock()
	defer m.l.Unlock()
	return <-m.suppressed // want "receive from `m.suppressed` while holding `m.l`"
}

// Loose's sender does not hold the lock: another receiver... and the
// guard proves nothing about a value a lock-free sender may not have sent.
type Loose struct {
	l  sync.Mutex
	ch chan int
}

func newLoose() *Loose { return &Loose{ch: make(chan int, 10)} }

func (o *Loose) put(v int) { o.ch <- v }

func (o *Loose) take() int { return <-o.ch }

func (o *Loose) badLenGuardLockFreeSender() int {
	o.l.Lock()
	defer o.l.Unlock()
	if len(o.ch) > 0 {
		return <-o.ch // want "receive from `o.ch` while holding `o.l`"
	}
	return 0
}

var _, _ = newMock, newLoose

// Waiters each get one reply on their own buffered done channel: a
// loop over waiters sends once per channel (go-redis's state machine).
type waiter struct{ done chan error }

type Machine struct {
	mu      sync.Mutex
	waiters []*waiter
}

func (m *Machine) wait() *waiter {
	w := &waiter{done: make(chan error, 1)}
	m.mu.Lock()
	m.waiters = append(m.waiters, w)
	m.mu.Unlock()
	return w
}

func (m *Machine) okNotifyEachWaiter() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, w := range m.waiters {
		w.done <- nil // ok: one send on each waiter's own buffered channel
	}
	m.waiters = nil
}

// Started is robfig/cron v3's shape: run takes s.mu only to set
// s.running; the send under s.mu runs only once it is set, a stall
// (rule 4, started-flag).
type Started struct {
	mu      sync.Mutex
	running bool
	add     chan int
	n       int
}

func (s *Started) run() {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return
	}
	s.running = true
	s.mu.Unlock()
	for v := range s.add {
		s.n += v
	}
}

func newStarted() *Started { return &Started{add: make(chan int)} }

var _ = newStarted

func (s *Started) sendWhenRunning(v int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		s.add <- v // want "send on `s.add` while holding `s.mu`; it stalls other users of the lock, but its receivers take `s.mu` only to set `running` before they start, and this wait runs only once it is set"
	}
}
