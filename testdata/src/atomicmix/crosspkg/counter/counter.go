// want package:`plain write of atomicmix/crosspkg/counter.Counter.Hits at atomicmix/crosspkg/counter/counter.go:28`

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

func (c *Counter) Inc() { // want Inc:`escape\(noescape 0\)`
	atomic.AddInt64(&c.N, 1)
	atomic.AddUint64(&Total, 1)
}

func (c *Counter) Load() int64 { return atomic.LoadInt64(&c.N) } // want Load:`escape\(noescape 0\)`

func (c *Counter) MaxReached() bool { return atomic.LoadInt64(&c.Limit) <= c.Load() } // want MaxReached:`escape\(noescape 0\)`

// SetHits writes Hits plainly; package atomicuser updates it atomically.
func (c *Counter) SetHits(n uint32) { // want SetHits:`escape\(noescape 0\)`
	c.Hits = n
}

// NewCounter returns a counter that no other goroutine can reach yet:
// its importer may initialize it plainly.
func NewCounter() *Counter { // want NewCounter:`escape\(fresh result\)`
	c := &Counter{}
	c.Inc()
	return c
}

var registry []*Counter

// Register shares c: every goroutine can reach it through registry.
func Register(c *Counter) {
	registry = append(registry, c)
}

// NewTicking returns a counter that a goroutine it starts increments:
// its result is not fresh.
func NewTicking() *Counter {
	c := &Counter{}
	go func() {
		for {
			c.Inc()
		}
	}()
	return c
}
