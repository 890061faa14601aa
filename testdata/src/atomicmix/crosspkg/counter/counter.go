// want package:`plain write of atomicmix/crosspkg/counter.Counter.Hits at counter.go:28`

// Package counter accesses its exported fields atomically; package
// user, which imports it, reads them plainly.
package counter

import "sync/atomic"

type Counter struct {
	N     int64
	Limit int64
	Hits  uint32
}

var Total uint64

func (c *Counter) Inc() {
	atomic.AddInt64(&c.N, 1)
	atomic.AddUint64(&Total, 1)
}

func (c *Counter) Load() int64 { return atomic.LoadInt64(&c.N) }

func (c *Counter) MaxReached() bool { return atomic.LoadInt64(&c.Limit) <= c.Load() }

// SetHits writes Hits plainly; package atomicuser updates it atomically.
func (c *Counter) SetHits(n uint32) {
	c.Hits = n
}
