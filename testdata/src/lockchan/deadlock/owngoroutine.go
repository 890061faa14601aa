package deadlock

import "sync"

// Rule 4's exception own-goroutine: x/net/quic's connection loop
// (docs/findings.md). A gate is quic's lock made of two one-slot
// channels: lock receives from one, unlock sends on one.
type gate struct {
	set, unset chan struct{}
}

func newGate() gate {
	g := gate{set: make(chan struct{}, 1), unset: make(chan struct{}, 1)}
	g.unlock(false)
	return g
}

func (g *gate) lock() bool {
	select {
	case <-g.set:
		return true
	case <-g.unset:
		return false
	}
}

func (g *gate) unlock(set bool) {
	if set {
		g.set <- struct{}{}
	} else {
		g.unset <- struct{}{}
	}
}

// QConn runs one loop goroutine per connection, which appends the
// queued streams' data under sendMu, taking and releasing each stream's
// gate inside that critical section. A user's Write releases the gate
// before it takes sendMu to queue the stream. The gate's unlock under
// sendMu is the loop's own, after the wait: it cannot be what the wait
// waits for, and the unlock that is does not need sendMu.
type QConn struct {
	sendMu sync.Mutex
	queue  []*QStream
	wake   chan struct{}
	sent   int
}

type QStream struct {
	gate gate
	conn *QConn
	buf  []byte
}

func NewQConn() *QConn {
	c := &QConn{wake: make(chan struct{}, 1)}
	go c.loop()
	return c
}

func (c *QConn) NewStream() *QStream { return &QStream{gate: newGate(), conn: c} }

func (c *QConn) loop() {
	for range c.wake {
		c.appendFrames()
	}
}

func (c *QConn) appendFrames() {
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	for _, s := range c.queue {
		s.gate.lock() // ok: the unlock under sendMu is this goroutine's own; Write's does not take it
		c.sent += len(s.buf)
		s.buf = s.buf[:0]
		s.unlockNoQueue()
	}
	c.queue = c.queue[:0]
}

func (s *QStream) unlockNoQueue() { s.gate.unlock(len(s.buf) == 0) }

func (s *QStream) Write(b []byte) { // want Write:`blocks\(a select without default case at .*/owngoroutine.go:19, 1 calls deep\)`
	s.gate.lock()
	s.buf = append(s.buf, b...)
	s.unlockNoQueue()
	s.conn.queueStream(s)
}

func (c *QConn) queueStream(s *QStream) {
	c.sendMu.Lock()
	c.queue = append(c.queue, s)
	c.sendMu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// QConnHeld's Write queues the stream while it holds the gate: a
// goroutine other than the loop takes sendMu before it unlocks, so the
// loop waiting for the gate under sendMu and Write waiting for sendMu
// under the gate hang (docs/repro/lockchan/owngoroutine_test.go.txt).
type QConnHeld struct {
	sendMu sync.Mutex
	queue  []*QStreamHeld
	wake   chan struct{}
}

type QStreamHeld struct {
	gate gate
	conn *QConnHeld
	buf  []byte
}

func NewQConnHeld() *QConnHeld {
	c := &QConnHeld{wake: make(chan struct{}, 1)}
	go c.loop()
	return c
}

func (c *QConnHeld) NewStream() *QStreamHeld { return &QStreamHeld{gate: newGate(), conn: c} }

func (c *QConnHeld) loop() {
	for range c.wake {
		c.appendFrames()
	}
}

func (c *QConnHeld) appendFrames() {
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	for _, s := range c.queue {
		s.gate.lock() // want "call to `s.gate.lock` may block on a select without default case while holding `c.sendMu`; every counterpart takes `c.sendMu` first"
		s.buf = s.buf[:0]
		s.gate.unlock(true)
	}
	c.queue = c.queue[:0]
}

func (s *QStreamHeld) Write(b []byte) { // want Write:`blocks\(a select without default case at .*/owngoroutine.go:19, 1 calls deep\)`
	s.gate.lock()
	s.buf = append(s.buf, b...)
	s.conn.queueStream(s)
	s.gate.unlock(false)
}

func (c *QConnHeld) queueStream(s *QStreamHeld) {
	c.sendMu.Lock()
	c.queue = append(c.queue, s)
	c.sendMu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// The Pair types hand a value from one step to the next under p.mu:
// the first step waits for the second, which must take p.mu to send
// (an int, not a bool: started-flag would pass over a bool's steps).
// With one goroutine running step it would wait for itself; these run
// step in two goroutines at once, which hang with one holding p.mu at
// the receive and the other waiting for p.mu
// (docs/repro/lockchan/owngoroutine_test.go.txt), so own-goroutine does
// not apply and the deadlock stays reported.

// PairTwoLoops starts two loops on the same value.
type PairTwoLoops struct {
	mu   sync.Mutex
	turn int
	ch   chan int
}

func NewPairTwoLoops() *PairTwoLoops {
	p := &PairTwoLoops{ch: make(chan int)}
	go p.loop()
	go p.loop()
	return p
}

func (p *PairTwoLoops) loop() {
	for {
		p.step()
	}
}

func (p *PairTwoLoops) step() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.turn == 1 {
		p.turn = 0
		p.ch <- 1 // want "send on `p.ch` while holding `p.mu`; its only receiver takes `p.mu` first"
	} else {
		p.turn = 1
		<-p.ch // want "receive from `p.ch` while holding `p.mu`; its only sender takes `p.mu` first"
	}
}

// PairLoopInLoop starts its loops in a loop.
type PairLoopInLoop struct {
	mu   sync.Mutex
	turn int
	ch   chan int
}

func NewPairLoopInLoop() *PairLoopInLoop {
	p := &PairLoopInLoop{ch: make(chan int)}
	for i := 0; i < 2; i++ {
		go p.loop()
	}
	return p
}

func (p *PairLoopInLoop) loop() {
	for {
		p.step()
	}
}

func (p *PairLoopInLoop) step() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.turn == 1 {
		p.turn = 0
		p.ch <- 1 // want "send on `p.ch` while holding `p.mu`; its only receiver takes `p.mu` first"
	} else {
		p.turn = 1
		<-p.ch // want "receive from `p.ch` while holding `p.mu`; its only sender takes `p.mu` first"
	}
}

// PairStart starts a loop on a value it did not make: Start called
// twice runs two loops on it.
type PairStart struct {
	mu   sync.Mutex
	turn int
	ch   chan int
}

func NewPairStart() *PairStart { return &PairStart{ch: make(chan int)} }

func (p *PairStart) Start() { go p.loop() }

func (p *PairStart) loop() {
	for {
		p.step()
	}
}

func (p *PairStart) step() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.turn == 1 {
		p.turn = 0
		p.ch <- 1 // want "send on `p.ch` while holding `p.mu`; its only receiver takes `p.mu` first"
	} else {
		p.turn = 1
		<-p.ch // want "receive from `p.ch` while holding `p.mu`; its only sender takes `p.mu` first"
	}
}

// PairOther's loop steps another value, which two loops may share.
type PairOther struct {
	mu    sync.Mutex
	turn  int
	ch    chan int
	other *PairOther
}

func NewPairOther(other *PairOther) *PairOther {
	p := &PairOther{ch: make(chan int), other: other}
	if other == nil {
		p.other = p
	}
	go p.loop()
	return p
}

func (p *PairOther) loop() {
	p.other.step()
}

func (p *PairOther) step() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.turn == 1 {
		p.turn = 0
		p.ch <- 1 // want "send on `p.ch` while holding `p.mu`; its only receiver takes `p.mu` first"
	} else {
		p.turn = 1
		<-p.ch // want "receive from `p.ch` while holding `p.mu`; its only sender takes `p.mu` first"
	}
}

// PairExported's step is exported: a user's goroutine may run it
// while the loop does.
type PairExported struct {
	mu   sync.Mutex
	turn int
	ch   chan int
}

func NewPairExported() *PairExported {
	p := &PairExported{ch: make(chan int)}
	go p.loop()
	return p
}

func (p *PairExported) loop() {
	p.Step()
}

func (p *PairExported) Step() { // want Step:`blocks\(a channel send at .*/owngoroutine.go:\d+\)`
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.turn == 1 {
		p.turn = 0
		p.ch <- 1 // want "send on `p.ch` while holding `p.mu`; its only receiver takes `p.mu` first"
	} else {
		p.turn = 1
		<-p.ch // want "receive from `p.ch` while holding `p.mu`; its only sender takes `p.mu` first"
	}
}

// PairInterface's advance is also called through an interface, from any
// goroutine.
type PairInterface struct {
	mu   sync.Mutex
	turn int
	ch   chan int
}

type advancer interface{ advance() }

func AdvanceAll(ss []advancer) {
	for _, s := range ss {
		s.advance()
	}
}

func NewPairInterface() *PairInterface {
	p := &PairInterface{ch: make(chan int)}
	go p.loop()
	return p
}

func (p *PairInterface) loop() {
	p.advance()
}

func (p *PairInterface) advance() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.turn == 1 {
		p.turn = 0
		p.ch <- 1 // want "send on `p.ch` while holding `p.mu`; its only receiver takes `p.mu` first"
	} else {
		p.turn = 1
		<-p.ch // want "receive from `p.ch` while holding `p.mu`; its only sender takes `p.mu` first"
	}
}

// PairShared's loops, one per value, take a mutex all values share.
type PairShared struct {
	turn int
	ch   chan int
}

var (
	pairSharedMu sync.Mutex
	pairSharedCh = make(chan int)
)

func NewPairShared() *PairShared {
	p := &PairShared{ch: pairSharedCh}
	go p.loop()
	return p
}

func (p *PairShared) loop() {
	for {
		p.step()
	}
}

func (p *PairShared) step() {
	pairSharedMu.Lock()
	defer pairSharedMu.Unlock()
	if p.turn == 1 {
		p.turn = 0
		p.ch <- 1 // want "send on `p.ch` while holding `pairSharedMu`; its only receiver takes `pairSharedMu` first"
	} else {
		p.turn = 1
		<-p.ch // want "receive from `p.ch` while holding `pairSharedMu`; its only sender takes `pairSharedMu` first"
	}
}

// The Relay types run one loop per value, but take, before they send,
// the mutex of another value, whose loop may hold it while it waits
// for that send: a takes b.mu, then a.mu to send, while b holds b.mu
// to receive.
type Relay struct {
	mu   sync.Mutex
	role int
	peer *Relay
	n    int
}

var relayCh = make(chan int)

func NewRelay(role int, peer *Relay) *Relay {
	r := &Relay{role: role, peer: peer}
	if peer == nil {
		r.peer = r
	}
	go r.loop()
	return r
}

func (r *Relay) loop() {
	for {
		r.step()
	}
}

func (r *Relay) step() {
	r.peer.bump()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.role == 1 {
		relayCh <- 1 // want "send on `relayCh` while holding `r.mu`; its only receiver takes `r.mu` first"
	} else {
		<-relayCh // want "receive from `relayCh` while holding `r.mu`; its only sender takes `r.mu` first"
	}
}

func (r *Relay) bump() {
	r.mu.Lock()
	r.n++
	r.mu.Unlock()
}

// RelayInline locks its peer's mutex itself.
type RelayInline struct {
	mu   sync.Mutex
	role int
	peer *RelayInline
	n    int
}

var relayInlineCh = make(chan int)

func NewRelayInline(role int, peer *RelayInline) *RelayInline {
	r := &RelayInline{role: role, peer: peer}
	if peer == nil {
		r.peer = r
	}
	go r.loop()
	return r
}

func (r *RelayInline) loop() {
	for {
		r.step()
	}
}

func (r *RelayInline) step() {
	r.peer.mu.Lock()
	r.peer.n++
	r.peer.mu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.role == 1 {
		relayInlineCh <- 1 // want "send on `relayInlineCh` while holding `r.mu`; its only receiver takes `r.mu` first"
	} else {
		<-relayInlineCh // want "receive from `relayInlineCh` while holding `r.mu`; its only sender takes `r.mu` first"
	}
}

// Per call: mongo-driver's CMAP test (docs/findings.md). okWaitOwnEvents
// makes rec itself and locks it; the emitter's callback sends events
// from the emitter's goroutine, which never takes rec's lock, and from
// the deferred e.close(), which runs in this call after the wait: the
// Locks before that are this call's own. Another call of
// okWaitOwnEvents locks another rec.
type Rec struct {
	sync.Mutex
	events chan int
	seen   []int
}

type Emitter struct {
	onEvent func(int)
}

func (e *Emitter) run() {
	for i := 0; i < 3; i++ {
		e.onEvent(i)
	}
}

func (e *Emitter) close() { e.onEvent(-1) }

func okWaitOwnEvents() []int {
	r := &Rec{events: make(chan int, 8)}
	e := &Emitter{onEvent: func(v int) { r.events <- v }}
	defer e.close()
	go e.run()
	r.Lock()
	r.seen = nil
	r.Unlock()
	r.Lock()
	defer r.Unlock()
	r.seen = append(r.seen, <-r.events) // ok: the Locks before the deferred e.close() are this call's own, on its own rec
	return r.seen
}

// badWaitSharedEvents is handed its rec: two calls on one rec hang, the
// second waiting for the lock before its deferred close, which would
// send what the first waits for.
type RecParam struct {
	sync.Mutex
	events chan int
	seen   []int
}

func NewRecParam() *RecParam { return &RecParam{events: make(chan int)} }

func badWaitSharedEvents(r *RecParam) []int {
	e := newRecEmitter(r)
	defer e.close()
	r.Lock()
	defer r.Unlock()
	r.seen = append(r.seen, <-r.events) // want "receive from `r.events` while holding `r`; its only sender takes `r` first"
	return r.seen
}

// Each fixture has its own emitter type: the callbacks stored in one
// function-typed field are pooled.
type recEmitter struct {
	onEvent func(int)
}

func (e *recEmitter) close() { e.onEvent(-1) }

func newRecEmitter(r *RecParam) *recEmitter {
	return &recEmitter{onEvent: func(v int) { r.events <- v }}
}

// RecShared is made by each call but locks a mutex all of them share,
// through a pointer, and waits on a channel all of them share.
type RecShared struct {
	mu   *sync.Mutex
	seen []int
}

type sharedEmitter struct {
	onEvent func(int)
}

func (e *sharedEmitter) close() { e.onEvent(-1) }

var (
	recSharedMu     sync.Mutex
	recSharedEvents = make(chan int)
)

func badWaitSharedMutex() []int {
	r := &RecShared{mu: &recSharedMu}
	e := &sharedEmitter{onEvent: func(v int) { recSharedEvents <- v }}
	defer e.close()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, <-recSharedEvents) // want "receive from `recSharedEvents` while holding `r.mu`; its only sender takes `r.mu` first"
	return r.seen
}

var _, _, _, _, _, _, _, _, _, _, _, _, _, _, _ = NewQConn, NewQConnHeld, NewPairTwoLoops, NewPairLoopInLoop, NewPairStart, NewPairOther, NewPairExported, NewPairInterface, NewPairShared, NewRelay, NewRelayInline,
	okWaitOwnEvents, badWaitSharedEvents, badWaitSharedMutex, NewRecParam
