package guards

import (
	"sync"
	"sync/atomic"
)

// An OCSP cache counts under its read lock, resets under its write
// lock, and hands out snapshots that callers read without any lock
// (nats-server). The snapshots are other values of the type: they do
// not keep the reset from being ordered with every count.
type ocspStats struct{ hits, goods int64 }

type statser interface{ stats() *ocspStats }

type ocspCache struct {
	mu    sync.RWMutex
	m     map[string]int
	stats *ocspStats
}

func (c *ocspCache) get(k string) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[k]
	if ok {
		atomic.AddInt64(&c.stats.hits, 1)
	}
	return v
}

// adjust is called with c.mu held.
func (c *ocspCache) adjust(d int64) { atomic.AddInt64(&c.stats.goods, d) }

func (c *ocspCache) put(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k] = 1
	c.adjust(1)
}

func (c *ocspCache) snapshot() *ocspStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := ocspStats{hits: c.stats.hits, goods: c.stats.goods} // ok: the write lock excludes every count // excused callerlocks, guard, unpublished
	return &s
}

func (c *ocspCache) okResetSnapshotsUnlocked() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats = &ocspStats{}
	c.stats.hits = 0 // ok: every count holds c.mu; the unlocked reads are of snapshots (fixture okResetSnapshotsUnlocked) // excused guard
	c.stats.goods++  // ok: the same // excused callerlocks
}

type byLock struct{ c *ocspCache }

func (b byLock) stats() *ocspStats { return b.c.snapshot() }

func varz(s statser) int64 {
	st := s.stats()
	return st.hits + st.goods // ok: a snapshot // excused enclosure
}

var _ = varz
