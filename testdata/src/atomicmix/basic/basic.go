// Package basic holds fields and variables accessed both atomically
// and plainly, and the patterns that look similar but do not race.
package basic

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

type Server struct {
	requests uint64
	errors   int64
	active   int32
	name     string
}

func (s *Server) Handle() {
	atomic.AddUint64(&s.requests, 1)
	atomic.AddInt32(&s.active, 1)
	defer atomic.AddInt32(&s.active, -1)
}

func (s *Server) fail() { atomic.AddInt64(&s.errors, 1) }

func (s *Server) badRead() uint64 {
	return s.requests // want "non-atomic read of `s.requests`, which is accessed atomically elsewhere"
}

func (s *Server) badCompare() bool {
	return s.errors > 10 // want "non-atomic read of `s.errors`, which is accessed atomically elsewhere"
}

func (s *Server) badWrite() {
	s.requests = 0 // want "non-atomic write of `s.requests`, which is accessed atomically elsewhere"
}

func (s *Server) badIncrement() {
	s.errors++ // want "non-atomic increment of `s.errors`, which is accessed atomically elsewhere"
}

func (s *Server) badAdd(n int64) {
	s.errors += n // want "non-atomic update of `s.errors`, which is accessed atomically elsewhere"
}

func (s *Server) badDecrement() {
	s.active-- // want "non-atomic decrement of `s.active`, which is accessed atomically elsewhere"
}

// badOtherValue reads the field of another value of the same type: the
// field is identified by its declaration.
func badOtherValue(servers []*Server) (n uint64) {
	for _, s := range servers {
		n += s.requests // want "non-atomic read of `s.requests`, which is accessed atomically elsewhere"
	}
	return n
}

func (s *Server) okLoad() uint64 { return atomic.LoadUint64(&s.requests) } // ok: atomic

func (s *Server) okOtherField() string { return s.name } // ok: name is never accessed atomically

// okComposite builds a value before anyone else can see it.
func okComposite() *Server {
	return &Server{requests: 1, errors: 2} // ok: a composite literal // excused unpublished
}

// okConstructor writes fields of a value it allocated, before it returns it.
func okConstructor(n uint64) *Server {
	s := new(Server)
	s.requests = n // ok: s is not shared yet // excused unpublished
	s.errors++     // ok: s is not shared yet // excused unpublished
	if n > 10 {
		s.active = 1 // ok: s is not shared yet // excused unpublished
	}
	return s
}

// badAfterPublish writes after the value escaped to a goroutine.
func badAfterPublish() *Server {
	s := &Server{}
	go s.Handle()
	s.requests = 5 // want "non-atomic write of `s.requests`, which is accessed atomically elsewhere"
	return s
}

// okLocalValue never shares its local Server.
func okLocalValue() uint64 {
	var s Server
	s.requests = 3    // ok: s is not shared // excused unpublished
	return s.requests // ok: s is not shared // excused unpublished
}

// Stats is copied whole.
type Stats struct {
	hits   uint64
	misses uint64
}

type Cache struct {
	mu    sync.Mutex
	stats Stats
}

func (c *Cache) hit() { atomic.AddUint64(&c.stats.hits, 1) }

func (c *Cache) badSnapshot() Stats {
	return c.stats // want "copy of `c.stats` is a non-atomic read of `c.stats.hits`, which is accessed atomically elsewhere"
}

// okClone copies a Stats that cannot be a Cache's: every atomic access
// of hits goes through Cache.stats, whose address nothing takes.
func okClone(s *Stats) *Stats {
	snap := *s // ok: no *Stats points into a Cache (fixture atomicmix/enclosure) // excused enclosure, unpublished
	return &snap
}

func (c *Cache) badReset() {
	c.stats = Stats{} // want "assignment to `c.stats` is a non-atomic write of `c.stats.hits`, which is accessed atomically elsewhere"
}

func (c *Cache) okMisses() uint64 { return c.stats.misses } // ok: misses is never accessed atomically

// Package-level variables.
var (
	ops     int64
	started uint32
	plain   int64
)

func work() { atomic.AddInt64(&ops, 1) }

func badGlobalRead() int64 {
	return ops // want "non-atomic read of `ops`, which is accessed atomically elsewhere"
}

func badGlobalWrite() {
	ops = 0 // want "non-atomic write of `ops`, which is accessed atomically elsewhere"
}

func okGlobalLoad() int64 { return atomic.LoadInt64(&ops) } // ok: atomic

func okPlainGlobal() int64 { plain++; return plain } // ok: plain is never accessed atomically

// started is only read atomically, and written plainly: the write is
// the race; reads on both sides are not.
func okStartedLoad() bool { return atomic.LoadUint32(&started) == 1 } // ok: atomic

func badStartedWrite() {
	started = 1 // want "non-atomic write of `started`, which is accessed atomically elsewhere"
}

// Only-read fields: a plain read does not race with an atomic load.
type Config struct {
	limit int64
}

func (c *Config) okAtomicLoad() int64 { return atomic.LoadInt64(&c.limit) } // ok: atomic
func (c *Config) okPlainRead() int64  { return c.limit }                    // ok: no one writes limit atomically // excused loadsonly

// A captured local variable, incremented by goroutines.
func badCaptured() int64 {
	var n int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			atomic.AddInt64(&n, 1)
		}()
	}
	if n > 2 { // want "non-atomic read of `n`, which is accessed atomically elsewhere"
		return -1
	}
	wg.Wait()
	return atomic.LoadInt64(&n) // ok: atomic
}

// A pointer derived in the same function is the same location.
func (s *Server) badDerived() uint64 {
	p := &s.requests
	atomic.AddUint64(p, 1)
	return *p // want "non-atomic read of `\\*p`, which is accessed atomically elsewhere"
}

// Typed atomics cannot be accessed plainly.
type Modern struct {
	n    atomic.Int64
	v    atomic.Value
	flag atomic.Bool
}

func (m *Modern) okTyped() int64 {
	m.n.Add(1)
	m.flag.Store(true)
	m.v.Store(1)
	return m.n.Load() // ok: typed atomic
}

// A same-named field of another type is another location.
type Other struct {
	requests uint64
}

func (o *Other) okSameName() uint64 { o.requests++; return o.requests } // ok: Other.requests is never accessed atomically

// Once is the sync.Once pattern: an atomic load on the fast path, a
// plain read under the lock, writes under the lock.
type Once struct {
	done uint32
	m    sync.Mutex
}

func (o *Once) Do(f func()) {
	if atomic.LoadUint32(&o.done) == 0 {
		o.doSlow(f)
	}
}

func (o *Once) doSlow(f func()) {
	o.m.Lock()
	defer o.m.Unlock()
	if o.done == 0 { // ok: every write of o.done holds o.m // excused guard
		defer atomic.StoreUint32(&o.done, 1)
		f()
	}
}

// Lazy writes its flag under the lock, but reads it without: racy.
type Lazy struct {
	ready uint32
	mu    sync.Mutex
}

func (l *Lazy) set() {
	l.mu.Lock()
	atomic.StoreUint32(&l.ready, 1)
	l.mu.Unlock()
}

func (l *Lazy) badUnlockedRead() bool {
	return l.ready == 1 // want "non-atomic read of `l.ready`, which is accessed atomically elsewhere"
}

func (l *Lazy) okLockedRead() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ready == 1 // ok: every write of l.ready holds l.mu // excused guard
}

// Pointers swapped through unsafe.Pointer.
type Node struct{ next *Node }

type List struct {
	head unsafe.Pointer
}

func (l *List) push(n *Node) {
	atomic.StorePointer(&l.head, unsafe.Pointer(n))
}

func (l *List) badPeek() *Node {
	return (*Node)(l.head) // want "non-atomic read of `l.head`, which is accessed atomically elsewhere"
}

func (l *List) okPeek() *Node { return (*Node)(atomic.LoadPointer(&l.head)) } // ok: atomic

// Array elements are the array field.
type Buckets struct {
	counts [4]int64
}

func (b *Buckets) add(i int) { atomic.AddInt64(&b.counts[i], 1) }

func (b *Buckets) badSum() (n int64) {
	for i := range b.counts {
		n += b.counts[i] // want "non-atomic read of `b.counts\\[i\\]`, which is accessed atomically elsewhere"
	}
	return n
}

// words views an interface value, as sync/atomic's Value does.
type words struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

type Box struct{ v any }

func (b *Box) store(x any) {
	p := (*words)(unsafe.Pointer(&b.v))
	xp := (*words)(unsafe.Pointer(&x))
	atomic.StorePointer(&p.data, xp.data) // ok: xp views the local x // excused unpublished
	atomic.StorePointer(&p.typ, xp.typ)   // ok: xp views the local x // excused unpublished
}

// okUnsafeView fills a local interface through an unsafe view of it.
func (b *Box) okUnsafeView() (val any) {
	p := (*words)(unsafe.Pointer(&b.v))
	typ := atomic.LoadPointer(&p.typ)
	data := atomic.LoadPointer(&p.data)
	vp := (*words)(unsafe.Pointer(&val))
	vp.typ = typ   // ok: val is not shared yet // excused unpublished
	vp.data = data // ok: val is not shared yet // excused unpublished
	return val
}

// A read whose value is discarded is still a read, which races with the
// atomic adds (go test -race reports both).
func (s *Server) badBlank() {
	_ = s.requests // want "non-atomic read of `s.requests`, which is accessed atomically elsewhere"
}

func badBlankGlobal() {
	var _ = ops // want "non-atomic read of `ops`, which is accessed atomically elsewhere"
}

func badBlankPair(s *Server) {
	_, _ = ops, s.requests // want "non-atomic read of `ops`, which is accessed atomically elsewhere" "non-atomic read of `s.requests`, which is accessed atomically elsewhere"
}

// A range over an array evaluates only its constant length: no read.
func (b *Buckets) okRangeLen() (n int) {
	for i := range b.counts { // ok: len of an array is a constant
		n += i
	}
	return n
}
