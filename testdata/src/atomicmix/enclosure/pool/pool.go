// want package:`within ConnPool.stats`

// Package pool keeps live counters in a value field of its pool and
// returns snapshots of them in new values of the same type, as
// go-redis's pool.Stats.
package pool

import "sync/atomic"

type Stats struct {
	Hits   uint32
	Misses uint32
}

type ConnPool struct {
	stats Stats
}

func (p *ConnPool) Get() { atomic.AddUint32(&p.stats.Hits, 1) } // want Get:`escape\(noescape 0\)`

func (p *ConnPool) Miss() { atomic.AddUint32(&p.stats.Misses, 1) } // want Miss:`escape\(noescape 0\)`

// Stats returns a snapshot, loaded atomically.
func (p *ConnPool) Stats() *Stats { // want Stats:`escape\(fresh result; noescape 0\)`
	return &Stats{
		Hits:   atomic.LoadUint32(&p.stats.Hits),   // excused unpublished
		Misses: atomic.LoadUint32(&p.stats.Misses), // excused unpublished
	}
}

func (p *ConnPool) peek() uint32 {
	return p.stats.Hits // want "non-atomic read of `p.stats.Hits`, which is accessed atomically elsewhere"
}

func (p *ConnPool) snapshot() Stats {
	return p.stats // want "copy of `p.stats` is a non-atomic read of `p.stats.Hits`" "copy of `p.stats` is a non-atomic read of `p.stats.Misses`"
}

// Total sums snapshots: none of them is a pool's live counters.
func Total(ss []*Stats) (n uint32) {
	for _, s := range ss {
		n += s.Hits + s.Misses // ok: every atomic access goes through ConnPool.stats, whose address nothing takes (fixture atomicmix/enclosure) // excused enclosure
	}
	return n
}

// A Pooler is what a client holds; its Stats may come from any pool.
type Pooler interface{ Stats() *Stats }

func Sum(ps []Pooler) Stats {
	var acc Stats
	add := func(s *Stats) {
		acc.Hits += s.Hits     // ok: acc and s are snapshots // excused enclosure, private
		acc.Misses += s.Misses // ok: the same // excused enclosure, private
	}
	for _, p := range ps {
		add(p.Stats())
	}
	return acc // excused private
}

var _ = (*ConnPool).peek
var _ = (*ConnPool).snapshot
