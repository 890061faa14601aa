package starters

import (
	"sync"
	"sync/atomic"
)

// Goroutines started by a go statement of a method or function of the
// package handed the starter's pointer parameter, its receiver most
// often: go m.readUp(ret). The object the pointer points to is shared
// by the goroutine and the rest of the starter (params.go, rule
// "shared object").

type migrator struct {
	stopped bool
	version int
	n       int
	mu      sync.Mutex
	count   atomic.Int64
	stop    chan bool
}

func (m *migrator) reader(ret chan<- int) {
	defer close(ret)
	for i := range 10 {
		if m.stopped {
			return
		}
		ret <- i
	}
}

// badReceiverWrite sets a field of the receiver that the goroutine
// reads, with nothing ordering the two.
func (m *migrator) badReceiverWrite() {
	ret := make(chan int, 4)
	go m.reader(ret)
	m.stopped = true // want "`m.stopped` is written after the go statement, while the goroutine reads it without synchronization"
}

func (m *migrator) bumper() {
	m.version++ // want "goroutine writes `m.version`, which is read after the go statement without synchronization"
}

// badReceiverRead reads a field of the receiver that the goroutine
// writes.
func (m *migrator) badReceiverRead() int {
	go m.bumper()
	return m.version
}

func runAsync(m *migrator) {
	m.n = 1 // want "goroutine writes `m.n`, which is read after the go statement without synchronization"
}

// badParamFunction: a function of the package started with the
// starter's pointer parameter.
func badParamFunction(m *migrator) int {
	go runAsync(m)
	return m.n
}

// okFieldSetBefore writes the field before the go statement only.
func (m *migrator) okFieldSetBefore() {
	ret := make(chan int)
	m.stopped = false
	m.version = 3
	go m.reader(ret)
	for range ret {
	}
}

func (m *migrator) lockedBump() {
	m.mu.Lock()
	m.version++ // ok: under m.mu on both sides // excused locked
	m.mu.Unlock()
}

// okMutexBothSides reads the field under the mutex the goroutine holds.
func (m *migrator) okMutexBothSides() int {
	go m.lockedBump()
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.version
}

func (m *migrator) loop() {
	for v := range m.stop {
		m.n++ // a field only the loop touches
		_ = v
	}
}

// okLoopOwned starts a loop whose fields the starter does not touch.
func (m *migrator) okLoopOwned() {
	go m.loop()
	m.stop <- true
}

func (m *migrator) countAtomic() {
	m.count.Add(1)
}

// okAtomicField: the shared field is an atomic.
func (m *migrator) okAtomicField() int64 {
	go m.countAtomic()
	return m.count.Load()
}

func (m *migrator) bumpAndSignal(done chan<- bool) {
	m.version++ // ok: sent after // excused joined
	done <- true
}

// okJoinBeforeRead receives the goroutine's signal before the read.
func (m *migrator) okJoinBeforeRead() int {
	done := make(chan bool)
	go m.bumpAndSignal(done)
	<-done
	return m.version
}

func (m *migrator) bumpDone(wg *sync.WaitGroup) {
	defer wg.Done()
	m.version++ // ok: Done follows // excused joined
}

// okWaitGroupJoin writes after Wait.
func (m *migrator) okWaitGroupJoin() {
	var wg sync.WaitGroup
	wg.Add(1)
	go m.bumpDone(&wg)
	wg.Wait()
	m.version = 0 // excused joined
}

func (m *migrator) readVersion(in <-chan bool) {
	<-in
	println(m.version) // ok: the starter sends after its write
}

// okHandOff writes, then hands over to the goroutine.
func (m *migrator) okHandOff() {
	in := make(chan bool)
	go m.readVersion(in)
	m.version = 7 // excused ordered
	in <- true
}

func (m *migrator) readOnly() { println(m.version) }

// okBothRead: both sides only read the field.
func (m *migrator) okBothRead() int {
	go m.readOnly()
	return m.version
}

// A starter that its callers call holding the mutex (grpc's
// cachedRequestMetadataLocked, "called with mu locked").

type creds struct {
	mu    sync.Mutex
	token string
}

func (c *creds) fetch() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token = "new" // ok: the reader's callers hold c.mu // excused locked
}

// refreshLocked must be called with c.mu held.
func (c *creds) refreshLocked() string {
	go c.fetch()
	return c.token
}

// okCallerHoldsLock: every call of refreshLocked holds c.mu.
func (c *creds) okCallerHoldsLock() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.refreshLocked()
}

func (c *creds) okCallerHoldsLockToo() string {
	c.mu.Lock()
	s := c.refreshLocked()
	c.mu.Unlock()
	return s
}

type creds2 struct {
	mu    sync.Mutex
	token string
}

func (c *creds2) fetch() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token = "new" // want "goroutine writes `c.token`, which is read after the go statement without synchronization"
}

// refreshLocked is called once without c.mu: the read is not guarded.
func (c *creds2) refreshLocked() string {
	go c.fetch()
	return c.token
}

func (c *creds2) badOneCallerUnlocked() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.refreshLocked()
}

func (c *creds2) badUnlockedCaller() string {
	return c.refreshLocked()
}

// A flag that a method of the package tests and sets, called by the
// goroutine and by the starter (golang-migrate's Migrate.stop). The
// method's body receives on m.quit without waiting: a call of it
// synchronizes with nothing the goroutine does (rule "helper" sees its
// body).

type runner struct {
	quit    chan bool
	stopped bool
	out     chan int
	mu      sync.Mutex
	done    chan bool
	log     func(string)
}

func (r *runner) stop() bool {
	if r.stopped {
		return true
	}
	select {
	case <-r.quit:
		r.stopped = true
		return true
	default:
		return false
	}
}

func (r *runner) produce() {
	for i := 0; ; i++ {
		if r.stop() { // want "goroutine writes `r.stopped`, which is written after the go statement without synchronization"
			return
		}
		r.out <- i
	}
}

// badStopBothSides checks the flag while the producer may set it.
func (r *runner) badStopBothSides() bool {
	go r.produce()
	return r.stop() // want "`r.stopped` is written after the go statement, while the goroutine reads it without synchronization"
}

func (r *runner) markDone() {
	r.stopped = true // ok: sent after // excused joined
	r.done <- true
}

func (r *runner) waitDone() { <-r.done }

// okHelperReceives: the method of the package that the starter calls
// receives what the goroutine sends after its write.
func (r *runner) okHelperReceives() bool {
	go r.markDone()
	r.waitDone()
	return r.stopped
}

func (r *runner) logged() {
	r.stopped = true // excused helper
	r.report()
}

func (r *runner) report() { r.log("stopped") }

// missHelperUnknown: report calls a function value, which may do
// anything: the calls of it on both sides are taken to synchronize (rule
// "helper"), and the race, real when r.log does not synchronize, is not
// reported (doc.go, Limitations).
func (r *runner) missHelperUnknown() bool {
	go r.logged()
	r.report()
	return r.stopped
}
