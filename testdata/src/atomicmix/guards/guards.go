// Package guards has counters that mutexes order with their atomic
// accesses, and some that they do not.
package guards

import (
	"sync"
	"sync/atomic"
)

// A cache's readers share the read lock and count hits atomically; the
// writer resets the counters under the write lock (nats-server's OCSP
// response cache).
type cache struct {
	mu        sync.RWMutex
	m         map[string]int
	hits      int64
	misses    int64
	evictions int64
}

func (c *cache) get(k string) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[k]
	if ok {
		atomic.AddInt64(&c.hits, 1)
	} else {
		atomic.AddInt64(&c.misses, 1)
		atomic.AddInt64(&c.evictions, 1)
	}
	return v
}

func (c *cache) okResetUnderWriteLock() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hits = 0   // ok: the write lock excludes every reader's atomic add (fixture okResetUnderWriteLock in atomicmix/guards) // excused guard
	c.misses = 0 // ok: the same // excused guard
}

func (c *cache) okReadUnderWriteLock() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits // ok: every write holds the lock, and this read holds it exclusively // excused guard
}

// Readers holding the read lock run together with the adds.
func (c *cache) badReadUnderReadLock() int64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.hits // want "non-atomic read of `c.hits`, which is accessed atomically elsewhere"
}

func (c *cache) badResetUnlocked() {
	c.evictions = 0 // want "non-atomic write of `c.evictions`, which is accessed atomically elsewhere"
}

// A block's first sequence is stored atomically for lock-free readers,
// always with the block's lock held, some of it in a helper whose
// callers hold the lock (nats-server's filestore).
type block struct {
	mu    sync.Mutex
	first uint64
	last  uint64
}

// setFirstLocked is called with b.mu held.
func (b *block) setFirstLocked(s uint64) { atomic.StoreUint64(&b.first, s) }

func (b *block) advance(s uint64) {
	b.mu.Lock()
	b.setFirstLocked(s)
	b.mu.Unlock()
}

func (b *block) firstNoLock() uint64 { return atomic.LoadUint64(&b.first) }

func (b *block) okLockedHelper(s uint64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return s >= b.first // ok: every store of first is made with b.mu held, by its callers (fixture okLockedHelper) // excused callerlocks
}

// setLastLocked is also called without the lock, so reads under the
// lock are not ordered with all of its stores.
func (b *block) setLastLocked(s uint64) { atomic.StoreUint64(&b.last, s) }

func (b *block) extend(s uint64) {
	b.mu.Lock()
	b.setLastLocked(s)
	b.mu.Unlock()
}

func (b *block) extendRacy(s uint64) { b.setLastLocked(s) }

func (b *block) lastNoLock() uint64 { return atomic.LoadUint64(&b.last) }

func (b *block) badLockedHelperCalledUnlocked(s uint64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return s <= b.last // want "non-atomic read of `b.last`, which is accessed atomically elsewhere"
}
