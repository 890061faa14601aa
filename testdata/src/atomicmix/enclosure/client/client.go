// want package:"accesses"

// Package client reads the snapshots of package pool's counters, and
// has a pool whose counters' address escapes.
package client

import (
	"sync/atomic"

	"atomicmix/enclosure/pool"
)

func Report(p pool.Pooler) uint32 {
	s := p.Stats()
	return s.Hits // ok: pool's atomic accesses are all within ConnPool.stats, which this package cannot reach // excused enclosure
}

type Stats struct {
	Sent uint64
}

// A conn's counters escape: Counters hands out their address.
type conn struct {
	stats Stats
}

func (c *conn) send() { atomic.AddUint64(&c.stats.Sent, 1) }

func (c *conn) Counters() *Stats { return &c.stats }

func Sent(s *Stats) uint64 { // want Sent:`escape\(noescape 0\)`
	return s.Sent // want "non-atomic read of `s.Sent`, which is accessed atomically elsewhere"
}
