package shared

import "sync/atomic"

// An OCSP cache keeps its live counters behind a pointer field that
// only ever holds a new value, and hands out copies (nats-server).
type ocspStats struct{ hits, misses int64 }

type ocspCache struct {
	stats *ocspStats
}

func newOCSPCache() *ocspCache { return &ocspCache{stats: &ocspStats{}} }

func (c *ocspCache) hit() { atomic.AddInt64(&c.stats.hits, 1) }

func (c *ocspCache) miss() { atomic.AddInt64(&c.stats.misses, 1) }

func (c *ocspCache) snapshot() *ocspStats {
	if c.stats == nil {
		return nil
	}
	return &ocspStats{hits: atomic.LoadInt64(&c.stats.hits), misses: atomic.LoadInt64(&c.stats.misses)} // excused unpublished
}

type statser interface{ snapshot() *ocspStats }

func varz(s statser) int64 {
	st := s.snapshot()
	return st.hits + st.misses // ok: no *ocspStats but the cache's own points to its counters (fixture atomicmix/enclosure/shared) // excused enclosure
}

func (c *ocspCache) racyHits() int64 {
	return c.stats.hits // want "non-atomic read of `c.stats.hits`, which is accessed atomically elsewhere"
}

func (c *ocspCache) racyCopy() ocspStats {
	return *c.stats // want "copy of `\\*c.stats` is a non-atomic read of `c.stats.hits`" "copy of `\\*c.stats` is a non-atomic read of `c.stats.misses`"
}

// A sender's counters escape: counters hands out the pointer.
type sendStats struct{ sent int64 }

type sender struct {
	stats *sendStats
}

func (s *sender) send() { atomic.AddInt64(&s.stats.sent, 1) }

func (s *sender) counters() *sendStats { return s.stats }

func sentOf(st *sendStats) int64 {
	return st.sent // want "non-atomic read of `st.sent`, which is accessed atomically elsewhere"
}

var _ = newOCSPCache
