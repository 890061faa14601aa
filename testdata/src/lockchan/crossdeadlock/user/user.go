// Package user calls pipe under its lock. Put on a channel whose only
// receiver takes the lock first can deadlock; Put on a channel whose
// receiver does not is a stall; Get on a channel from outside is unknown.
package user

import (
	"sync"

	"lockchan/crossdeadlock/pipe"
)

type Counter struct {
	mu    sync.Mutex
	n     int
	ch    chan int
	quiet chan int
}

func newCounter() *Counter {
	c := &Counter{ch: make(chan int), quiet: make(chan int)}
	go func() {
		for v := range c.ch {
			c.mu.Lock()
			c.n += v
			c.mu.Unlock()
		}
	}()
	go func() {
		for range c.quiet {
		}
	}()
	return c
}

func (c *Counter) badPut(v int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	pipe.Put(c.ch, v) // want "call to `pipe.Put` may block on a channel send \\(.*/pipe.go:\\d+\\) while holding `c.mu`; its only receiver takes `c.mu` first"
}

func (c *Counter) okPutQuiet(v int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	pipe.Put(c.quiet, v) // ok: the receiver does not take c.mu (a stall)
}

func (c *Counter) OkGetOutside(in chan int) int { // want OkGetOutside:`blocks\(a channel receive at .*/pipe.go:\d+, on parameter 2, 1 calls deep\)`
	c.mu.Lock()
	defer c.mu.Unlock()
	return pipe.Get(in) // ok: the caller's channel, senders unknown
}

var _ = newCounter
