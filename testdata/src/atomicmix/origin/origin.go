// Package origin holds accesses judged by where their pointer came
// from: grpc's outlier detection call counter (callcounter.go), whose
// buckets are counted into atomically through an atomic.Pointer and
// read plainly through a plain pointer field that only ever holds new
// buckets, published under the balancer's mutex and replaced at once.
package origin

import (
	"sync"
	"sync/atomic"
)

type bucket struct {
	succ uint32
	fail uint32
}

// counter is grpc's callCounter.
type counter struct {
	active   atomic.Pointer[bucket]
	inactive *bucket
}

func newCounter() *counter {
	c := &counter{inactive: &bucket{}}
	c.active.Store(&bucket{})
	return c
}

// record is the picker's side: atomic adds through the atomic pointer.
func (c *counter) record(ok bool) {
	b := c.active.Load()
	if ok {
		atomic.AddUint32(&b.succ, 1)
	} else {
		atomic.AddUint32(&b.fail, 1)
	}
}

// clear replaces both buckets. Caller must hold balancer.mu.
func (c *counter) clear() {
	c.active.Store(&bucket{})
	c.inactive = &bucket{}
}

// swap zeroes the inactive bucket, publishes it and at once replaces
// it with a copy of the old active one. Caller must hold balancer.mu.
func (c *counter) swap() {
	ib := c.inactive
	*ib = bucket{} // ok: ib is not published yet, and only one swap runs at a time // excused origin
	ab := c.active.Swap(ib)
	c.inactive = &bucket{
		succ: atomic.LoadUint32(&ab.succ), // excused unpublished
		fail: atomic.LoadUint32(&ab.fail), // excused unpublished
	}
}

type balancer struct {
	mu       sync.Mutex
	counters []*counter
}

func (b *balancer) tick() uint32 {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.counters {
		c.swap()
	}
	return b.evaluate()
}

func (b *balancer) reset() {
	b.mu.Lock()
	for _, c := range b.counters {
		c.clear()
	}
	b.mu.Unlock()
}

// evaluate reads the inactive buckets. Caller must hold b.mu.
func (b *balancer) evaluate() uint32 {
	var n uint32
	for _, c := range b.counters {
		ib := c.inactive
		n += ib.succ + ib.fail // ok: the inactive bucket is read before it is published, under b.mu // excused origin
	}
	return n + b.rate()
}

// rate is called by a function that the lock's holder calls.
func (b *balancer) rate() uint32 {
	var n uint32
	for _, c := range b.counters {
		n += c.inactive.fail // ok: every caller holds b.mu // excused origin
	}
	return n
}

// Flow back: the plain field receives a bucket that is still published.

type bucketBack struct{ succ uint32 }

type counterBack struct {
	active   atomic.Pointer[bucketBack]
	inactive *bucketBack
}

func (c *counterBack) record() { atomic.AddUint32(&c.active.Load().succ, 1) }

type balancerBack struct {
	mu sync.Mutex
	c  *counterBack
}

func (b *balancerBack) tick() uint32 {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.c.inactive = b.c.active.Load()
	return b.c.inactive.succ // want "non-atomic read of `b.c.inactive.succ`, which is accessed atomically elsewhere"
}

// Published without replacing: the plain field keeps a published bucket.

type bucketKeep struct{ succ uint32 }

type counterKeep struct {
	active   atomic.Pointer[bucketKeep]
	inactive *bucketKeep
}

func (c *counterKeep) record() { atomic.AddUint32(&c.active.Load().succ, 1) }

type balancerKeep struct {
	mu sync.Mutex
	c  *counterKeep
}

func (b *balancerKeep) tick() {
	b.mu.Lock()
	defer b.mu.Unlock()
	ib := b.c.inactive
	b.c.active.Store(ib)
}

func (b *balancerKeep) evaluate() uint32 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.c.inactive.succ // want "non-atomic read of `b.c.inactive.succ`, which is accessed atomically elsewhere"
}

// An atomic access through the plain field.

type bucketThrough struct{ succ uint32 }

type counterThrough struct {
	inactive *bucketThrough
}

func (c *counterThrough) record() { atomic.AddUint32(&c.inactive.succ, 1) }

func (c *counterThrough) evaluate() uint32 {
	return c.inactive.succ // want "non-atomic read of `c.inactive.succ`, which is accessed atomically elsewhere"
}

// A stale reader: it loads the inactive bucket, lets the swap run (a
// message, not the mutex, orders them) and reads the bucket after it
// was published. Without the mutex the rule cannot tell.

type bucketStale struct{ succ uint32 }

type counterStale struct {
	active   atomic.Pointer[bucketStale]
	inactive *bucketStale
}

func (c *counterStale) record() { atomic.AddUint32(&c.active.Load().succ, 1) }

type balancerStale struct {
	mu      sync.Mutex
	c       *counterStale
	swapReq chan chan struct{}
}

func (b *balancerStale) swapLoop() {
	for done := range b.swapReq {
		b.mu.Lock()
		ib := b.c.inactive
		b.c.active.Swap(ib)
		b.c.inactive = &bucketStale{}
		b.mu.Unlock()
		close(done)
	}
}

func (b *balancerStale) staleRead() uint32 {
	ib := b.c.inactive
	done := make(chan struct{})
	b.swapReq <- done
	<-done
	return ib.succ // want "non-atomic read of `ib.succ`, which is accessed atomically elsewhere"
}

// Read after swap: one goroutine holds the mutex throughout, but swaps
// between its load of the inactive bucket and its read.

type bucketAfter struct{ succ uint32 }

type counterAfter struct {
	active   atomic.Pointer[bucketAfter]
	inactive *bucketAfter
}

func (c *counterAfter) record() { atomic.AddUint32(&c.active.Load().succ, 1) }

// swap: caller must hold balancerAfter.mu.
func (c *counterAfter) swap() {
	ib := c.inactive
	c.active.Swap(ib)
	c.inactive = &bucketAfter{}
}

type balancerAfter struct {
	mu sync.Mutex
	c  *counterAfter
}

func (b *balancerAfter) tick() uint32 {
	b.mu.Lock()
	defer b.mu.Unlock()
	ib := b.c.inactive
	b.c.swap()
	return ib.succ // want "non-atomic read of `ib.succ`, which is accessed atomically elsewhere"
}
