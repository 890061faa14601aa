// Package deadlock holds lockchan's fixtures for the default tier:
// a wait under a lock is reported only when every goroutine that could
// unblock it needs the lock first. Positives are named bad…, negatives
// (stalls, reported only with -lockchan.stalls) ok….
package deadlock

import (
	"context"
	"sync"
	"time"
)

// Pipe's loop takes p.mu for each value it receives, so a send under
// p.mu waits for a receiver that may itself be waiting for p.mu.
type Pipe struct {
	mu  sync.Mutex
	n   int
	ch  chan int
	out chan int
}

func NewPipe() *Pipe {
	p := &Pipe{ch: make(chan int), out: make(chan int)}
	go p.loop()
	return p
}

func (p *Pipe) loop() {
	for v := range p.ch {
		p.mu.Lock()
		p.n += v
		p.mu.Unlock()
	}
}

func (p *Pipe) badSend(v int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ch <- v // want "send on `p.ch` while holding `p.mu`; its only receiver takes `p.mu` first, so this can deadlock"
}

// badCall reaches the same send through a helper.
func (p *Pipe) badCall(v int) {
	p.mu.Lock()
	p.push(v) // want "call to `p.push` may block on a channel send while holding `p.mu`; its only receiver takes `p.mu` first"
	p.mu.Unlock()
}

func (p *Pipe) push(v int) { p.ch <- v }

// Watcher is the stop-and-wait shape: Stop holds w.mu and waits for the
// watcher goroutine, whose event handler takes w.mu.
type Watcher struct {
	mu     sync.Mutex
	events chan string
	quit   chan struct{}
	done   chan struct{}
	seen   []string
}

func NewWatcher() *Watcher {
	w := &Watcher{events: make(chan string, 16), quit: make(chan struct{}), done: make(chan struct{})}
	go w.watch()
	return w
}

func (w *Watcher) watch() {
	defer close(w.done)
	for {
		select {
		case ev := <-w.events:
			w.handle(ev)
		case <-w.quit:
			return
		}
	}
}

func (w *Watcher) handle(ev string) {
	w.mu.Lock()
	w.seen = append(w.seen, ev)
	w.mu.Unlock()
}

func (w *Watcher) badStop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	close(w.quit)
	<-w.done // want "receive from `w.done` while holding `w.mu`; its only sender takes `w.mu` first"
}

// Reply: the only sender of a reply takes the lock before it sends.
type Server struct {
	mu    sync.RWMutex
	state int
	reply chan int
}

func newServer() *Server {
	s := &Server{reply: make(chan int)}
	go s.answer()
	return s
}

func (s *Server) answer() {
	s.mu.Lock()
	v := s.state
	s.mu.Unlock()
	s.reply <- v
}

func (s *Server) badWaitReply() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return <-s.reply // want "receive from `s.reply` while holding `s.mu` \\(read lock\\); its only sender takes `s.mu` first"
}

// okWaitReplyReaders: a read lock held is needed only by writers; a
// sender that takes the read lock does not wait for it.
type Cache struct {
	mu    sync.RWMutex
	state int
	reply chan int
}

func newCache() *Cache {
	c := &Cache{reply: make(chan int)}
	go c.answer()
	return c
}

func (c *Cache) answer() {
	c.mu.RLock()
	v := c.state
	c.mu.RUnlock()
	c.reply <- v
}

func (c *Cache) okWaitReplyReaders() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return <-c.reply // ok: the sender takes only a read lock
}

// badLocal: a mutex and a channel captured by a worker closure.
func badLocal(vals []int) int {
	var mu sync.Mutex
	sum := 0
	ch := make(chan int)
	go func() {
		for v := range ch {
			mu.Lock()
			sum += v
			mu.Unlock()
		}
	}()
	for _, v := range vals {
		mu.Lock()
		ch <- v // want "send on `ch` while holding `mu`; its only receiver takes `mu` first"
		mu.Unlock()
	}
	close(ch)
	mu.Lock()
	defer mu.Unlock()
	return sum
}

// Quiet's receiver never takes the lock: the send under q.mu is a
// stall (every user of q.mu waits for the receiver), not a deadlock.
type Quiet struct {
	mu  sync.Mutex
	n   int
	ch  chan int
	log []int
}

func newQuiet() *Quiet {
	q := &Quiet{ch: make(chan int)}
	go func() {
		for v := range q.ch {
			q.log = append(q.log, v)
		}
	}()
	return q
}

func (q *Quiet) okReceiverLockFree(v int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.n++
	q.ch <- v // ok: the receiver does not take q.mu (a stall)
}

// Guard's closer locks only after its close, not before: it does not
// need the lock to unblock the waiter.
type Guard struct {
	mu     sync.Mutex
	closed bool
	quit   chan struct{}
}

func newGuard() *Guard {
	g := &Guard{quit: make(chan struct{})}
	go g.closeOnce()
	return g
}

func (g *Guard) closeOnce() {
	close(g.quit)
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}

func (g *Guard) okWaitCloseThenLock() {
	g.mu.Lock()
	defer g.mu.Unlock()
	<-g.quit // ok: the closer takes g.mu only after it closes
}

// Buf's channel is buffered: a full buffer is a stall until the
// receiver drains it, not reported by default.
type Buf struct {
	mu sync.Mutex
	ch chan int
	n  int
}

func newBuf() *Buf {
	b := &Buf{ch: make(chan int, 64)}
	go func() {
		for v := range b.ch {
			b.mu.Lock()
			b.n += v
			b.mu.Unlock()
		}
	}()
	return b
}

func (b *Buf) okBuffered(v int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ch <- v // ok: made buffered (a stall when full)
}

// Mixed has two receivers, one of which never takes the lock.
type Mixed struct {
	mu sync.Mutex
	ch chan int
	n  int
}

func newMixed() *Mixed {
	m := &Mixed{ch: make(chan int)}
	go func() {
		for v := range m.ch {
			m.mu.Lock()
			m.n += v
			m.mu.Unlock()
		}
	}()
	go func() {
		for range m.ch {
		}
	}()
	return m
}

func (m *Mixed) okOneReceiverFree(v int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ch <- v // ok: a receiver that never takes m.mu can take it
}

// Outside channels: their other side is not known.
type Hub struct {
	mu   sync.Mutex
	Subs chan int // exported: other packages may receive
	n    int
}

func (h *Hub) okExportedField(v int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.Subs <- v // ok: other packages may receive from h.Subs
}

func (h *Hub) OkParam(ch chan int) { // want OkParam:`blocks\(a channel send at .*/deadlock.go:\d+, on parameter 2 only\)`
	h.mu.Lock()
	defer h.mu.Unlock()
	ch <- h.n // ok: the caller's channel; its receivers are not known
}

func (h *Hub) okContext(ctx context.Context) {
	h.mu.Lock()
	defer h.mu.Unlock()
	<-ctx.Done() // ok: a context's canceller is not known
}

func (p *Pipe) okSelectTimeout(v int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	select { // ok: the timer case unblocks it whatever the receiver does
	case p.ch <- v:
	case <-time.After(time.Second):
	}
}

// Two locks: the receiver takes another mutex, not the one held.
type Two struct {
	mu, other sync.Mutex
	ch        chan int
	n         int
}

func newTwo() *Two {
	t := &Two{ch: make(chan int)}
	go func() {
		for v := range t.ch {
			t.other.Lock()
			t.n += v
			t.other.Unlock()
		}
	}()
	return t
}

func (t *Two) okOtherLock(v int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ch <- v // ok: the receiver takes t.other, not t.mu
}

// okNoReceiver: nothing in the package receives (a leak, not a lock cycle).
type Sink struct {
	mu sync.Mutex
	ch chan int
}

func newSink() *Sink { return &Sink{ch: make(chan int)} }

func (s *Sink) okNoReceiver(v int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ch <- v // ok: no receiver in the package
}

var _, _, _, _, _, _, _, _ = newServer, newCache, newQuiet, newGuard, newBuf, newMixed, newTwo, newSink

// Dispatcher's watcher runs the handler the package stored in
// d.onEvent, and the handler takes d.mu: Stop, waiting for the watcher
// under d.mu, can deadlock with it.
type Dispatcher struct {
	mu      sync.Mutex
	events  chan string
	quit    chan struct{}
	done    chan struct{}
	onEvent func(string)
	log     []string
}

func newDispatcher() *Dispatcher {
	d := &Dispatcher{events: make(chan string, 8), quit: make(chan struct{}), done: make(chan struct{})}
	d.onEvent = func(ev string) {
		d.mu.Lock()
		d.log = append(d.log, ev)
		d.mu.Unlock()
	}
	go d.watch()
	return d
}

func (d *Dispatcher) watch() {
	for {
		select {
		case ev := <-d.events:
			d.onEvent(ev)
		case <-d.quit:
			close(d.done)
			return
		}
	}
}

func (d *Dispatcher) badStopCallback() {
	d.mu.Lock()
	defer d.mu.Unlock()
	close(d.quit)
	<-d.done // want "receive from `d.done` while holding `d.mu`; its only sender takes `d.mu` first"
}

// Flusher calls a function-typed field that blocks.
type Flusher struct {
	mu    sync.Mutex
	n     int
	ch    chan int
	flush func(int)
}

func newFlusher() *Flusher {
	f := &Flusher{ch: make(chan int)}
	f.flush = func(v int) { f.ch <- v }
	go func() {
		for v := range f.ch {
			f.mu.Lock()
			f.n += v
			f.mu.Unlock()
		}
	}()
	return f
}

func (f *Flusher) badFlushField(v int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.flush(v) // want "call to `f.flush` may block on a channel send while holding `f.mu`; its only receiver takes `f.mu` first"
}

// Quiet handlers: the stored handler does not take the lock.
type Notifier struct {
	mu     sync.Mutex
	events chan string
	quit   chan struct{}
	done   chan struct{}
	notify func(string)
	count  int
}

func newNotifier() *Notifier {
	n := &Notifier{events: make(chan string, 8), quit: make(chan struct{}), done: make(chan struct{})}
	n.notify = func(string) {}
	go func() {
		for {
			select {
			case ev := <-n.events:
				n.notify(ev)
			case <-n.quit:
				close(n.done)
				return
			}
		}
	}()
	return n
}

func (n *Notifier) okStopQuietHandler() {
	n.mu.Lock()
	defer n.mu.Unlock()
	close(n.quit)
	<-n.done // ok: the watcher's handler does not take n.mu
}

var _, _, _ = newDispatcher, newFlusher, newNotifier

// Worker owns its context: the only way its Done closes is w.cancel,
// which Close calls under w.mu. A submit that waits under w.mu for the
// job loop (which takes w.mu after each job) or for the cancel can
// deadlock.
type Worker struct {
	mu     sync.Mutex
	ctx    context.Context
	cancel context.CancelFunc
	jobs   chan int
	n      int
}

func newWorker() *Worker {
	ctx, cancel := context.WithCancel(context.Background())
	w := &Worker{ctx: ctx, cancel: cancel, jobs: make(chan int)}
	go w.run()
	return w
}

func (w *Worker) run() {
	for {
		select {
		case j := <-w.jobs:
			w.mu.Lock()
			w.n += j
			w.mu.Unlock()
		case <-w.ctx.Done():
			return
		}
	}
}

func (w *Worker) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cancel()
}

func (w *Worker) badSubmit(j int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	select { // want "select without default case while holding `w.mu`; every counterpart takes `w.mu` first"
	case w.jobs <- j:
	case <-w.ctx.Done():
	}
}

// Runner cancels without the lock: the submit can always be unblocked.
type Runner struct {
	mu     sync.Mutex
	ctx    context.Context
	cancel context.CancelFunc
	jobs   chan int
	n      int
}

func newRunner() *Runner {
	ctx, cancel := context.WithCancel(context.Background())
	r := &Runner{ctx: ctx, cancel: cancel, jobs: make(chan int)}
	go func() {
		for {
			select {
			case j := <-r.jobs:
				r.mu.Lock()
				r.n += j
				r.mu.Unlock()
			case <-r.ctx.Done():
				return
			}
		}
	}()
	return r
}

func (r *Runner) stop() { r.cancel() }

func (r *Runner) okSubmitCancelFree(j int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	select { // ok: stop cancels without taking r.mu (a stall)
	case r.jobs <- j:
	case <-r.ctx.Done():
	}
}

// Timed contexts end on their own: not owned.
func (r *Runner) okTimeoutContext(j int) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	r.mu.Lock()
	defer r.mu.Unlock()
	select { // ok: the deadline ends the wait
	case r.jobs <- j:
	case <-ctx.Done():
	}
}

var _, _, _, _ = newWorker, newRunner, (*Worker).close, (*Runner).stop

// okFreshMutexPerIteration: each iteration has its own m; taking it
// after the receive cannot hold up the next iteration's sender, which
// locks a new m (sync's TestCondSignalStealing).
func okFreshMutexPerIteration() {
	for range 10 {
		var m sync.Mutex
		ch := make(chan struct{})
		go func() {
			m.Lock()
			ch <- struct{}{} // ok: the receiver takes this m only after it receives
			m.Unlock()
		}()
		<-ch
		m.Lock()
		m.Unlock()
	}
}

// badSharedMutexAcrossIterations: the same m every time around, so
// the receiver may be waiting for m while the sender holds it.
func badSharedMutexAcrossIterations() {
	var m sync.Mutex
	ch := make(chan struct{})
	go func() {
		for {
			m.Lock()
			ch <- struct{}{} // want "send on `ch` while holding `m`; its only receiver takes `m` first"
			m.Unlock()
		}
	}()
	for range 10 {
		<-ch
		m.Lock()
		m.Unlock()
	}
}

// Pending's only sender takes m.mu before it sends; a receive from the
// buffered p.ch under m.mu waits for that sender when the buffer is
// empty (go-plugin's MuxBroker.timeoutWait).
type Broker2 struct {
	mu      sync.Mutex
	streams map[int]*pending
}

type pending struct {
	ch chan int
}

func (m *Broker2) get(id int) *pending {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.streams[id]
	if !ok {
		p = &pending{ch: make(chan int, 1)}
		m.streams[id] = p
	}
	return p
}

func (m *Broker2) run(id, v int) {
	p := m.get(id)
	select {
	case p.ch <- v:
	default:
	}
}

func (m *Broker2) badTimeoutWait(id int, p *pending) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.streams, id)
	<-p.ch // want "receive from `p.ch` while holding `m.mu`; its only sender takes `m.mu` first"
}

// Held through two type assertions of one interface value: Lock and
// Unlock match, nothing is held at the receive (paho's tests).
type idsT struct{ mu sync.Mutex }

type clientT struct {
	ids  idsT
	done chan struct{}
}

type iface interface{ x() }

func (c *clientT) x() {}

func newClientT() iface {
	c := &clientT{done: make(chan struct{})}
	go func() {
		c.ids.mu.Lock()
		c.ids.mu.Unlock()
		c.done <- struct{}{}
	}()
	return c
}

func okTypeAssertUnlock(i iface) {
	i.(*clientT).ids.mu.Lock()
	i.(*clientT).ids.mu.Unlock()
	<-i.(*clientT).done // ok: the lock was released
}

var _, _ = (*Broker2).run, newClientT

// WL hands a reply channel over its stop channel: the reply's closer
// is run, which takes no lock, not the send of the reply itself
// (prometheus's WL.Close).
type WL struct {
	mtx    sync.Mutex
	stopc  chan chan struct{}
	actorc chan func()
}

func newWL() *WL {
	w := &WL{stopc: make(chan chan struct{}), actorc: make(chan func(), 100)}
	go w.run()
	return w
}

func (w *WL) run() {
	for {
		select {
		case f := <-w.actorc:
			f()
		case donec := <-w.stopc:
			defer close(donec)
			return
		}
	}
}

func (w *WL) okReplyChannel() {
	w.mtx.Lock()
	defer w.mtx.Unlock()
	donec := make(chan struct{})
	w.stopc <- donec // ok: run takes no lock (a stall)
	<-donec          // ok: closed by run, which takes no lock
}

// Subs keeps channels in a map: a send on an element reaches the
// receivers of the channels stored in it.
type Subs struct {
	mu   sync.Mutex
	subs map[string]chan int
	n    int
}

func newSubs() *Subs {
	s := &Subs{subs: make(map[string]chan int)}
	ch := make(chan int)
	s.subs["a"] = ch
	go func() {
		for v := range ch {
			s.mu.Lock()
			s.n += v
			s.mu.Unlock()
		}
	}()
	return s
}

func (s *Subs) badSendToElement(v int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.subs {
		ch <- v // want "send on `ch` while holding `s.mu`; its only receiver takes `s.mu` first"
	}
}

var _, _ = newWL, newSubs

// Conn limits requests in flight with a semaphore channel; a failed
// write gives its own slot back under c.mu, and the response reader,
// which takes c.mu, gives back the others (sarama's broker).
type Conn struct {
	mu       sync.Mutex
	inFlight chan struct{}
	id       int
}

func newConn() *Conn {
	c := &Conn{inFlight: make(chan struct{}, 5)}
	go func() {
		for {
			c.mu.Lock()
			c.id--
			c.mu.Unlock()
			<-c.inFlight
		}
	}()
	return c
}

func (c *Conn) okReleaseOwnSlot(fail bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inFlight <- struct{}{} // ok: buffered by design (a stall at most)
	if fail {
		<-c.inFlight // ok: gives back the slot this call took
		return
	}
	c.id++
}

func (c *Conn) badTakeOthersSlot() {
	c.mu.Lock()
	defer c.mu.Unlock()
	<-c.inFlight // want "receive from `c.inFlight` while holding `c.mu`; its only sender takes `c.mu` first"
}

var _ = newConn

// Locks reached through the same index or key twice are one lock.
type shard struct {
	mu sync.Mutex
	n  int
}

type Shards struct {
	list []*shard
	byID map[string]*shard
	done chan struct{}
}

func newShards() *Shards {
	s := &Shards{done: make(chan struct{})}
	go func() {
		for _, sh := range s.list {
			sh.mu.Lock()
			sh.mu.Unlock()
		}
		close(s.done)
	}()
	return s
}

func (s *Shards) okSameIndex(i int) {
	s.list[i].mu.Lock()
	s.list[i].n++
	s.list[i].mu.Unlock()
	<-s.done // ok: the lock was released
}

func (s *Shards) okSameKey(k string) {
	s.byID[k].mu.Lock()
	s.byID[k].n++
	s.byID[k].mu.Unlock()
	<-s.done // ok: the lock was released
}

var _ = newShards

// okForkJoinUnderLock waits under its lock only for the goroutine it
// started itself, which takes no lock: as synchronous as a call.
func (p *Pipe) okForkJoinUnderLock() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := make(chan int)
	go func() { c <- 1 }()
	return <-c // ok: a fork-join
}

// badForkJoinTakesLock waits under p.mu for the goroutine it started,
// which takes p.mu before it sends: a fork-join that never joins.
func (p *Pipe) badForkJoinTakesLock() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := make(chan int)
	go func() {
		p.mu.Lock()
		p.n++
		p.mu.Unlock()
		c <- p.n
	}()
	return <-c // want "receive from `c` while holding `p.mu`; its only sender takes `p.mu` first"
}

// bump waits for the goroutine it starts, which takes p.mu.
func (p *Pipe) bump() int {
	c := make(chan int)
	go func() {
		p.mu.Lock()
		p.n++
		p.mu.Unlock()
		c <- 1
	}()
	return <-c
}

// badForkJoinThroughCall calls bump holding the lock bump's goroutine
// needs.
func (p *Pipe) badForkJoinThroughCall() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bump() // want "call to `p.bump` may block on a channel receive while holding `p.mu`; its only sender takes `p.mu` first"
}

// count waits for the goroutine it starts, which takes no lock.
func count(xs []int) int {
	c := make(chan int)
	go func() { c <- len(xs) }()
	return <-c
}

func (p *Pipe) okForkJoinThroughCall(xs []int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return count(xs) // ok: a fork-join whose goroutine takes no lock
}

// okForkJoinOtherLock's goroutine takes a lock the wait does not hold.
func (p *Pipe) okForkJoinOtherLock(other *sync.Mutex) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := make(chan int)
	go func() {
		other.Lock()
		other.Unlock()
		c <- 1
	}()
	return <-c // ok: a fork-join
}
