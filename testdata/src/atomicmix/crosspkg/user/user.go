// want package:"accesses"

// Package user reads package counter's fields plainly.
package user

import (
	"sync/atomic"

	"atomicmix/crosspkg/counter"
)

func badRead(c *counter.Counter) int64 {
	return c.N // want `non-atomic read of c.N, which is accessed atomically elsewhere \(counter.go:18\)`
}

func badWrite(c *counter.Counter) {
	c.N = 0 // want `non-atomic write of c.N, which is accessed atomically elsewhere$`
}

func badGlobal() uint64 {
	return counter.Total // want `non-atomic read of counter.Total, which is accessed atomically elsewhere \(counter.go:19\)`
}

func badCopy(c *counter.Counter) counter.Counter {
	return *c // want `copy of \*c is a non-atomic read of c.N, which is accessed atomically elsewhere \(counter.go:18\)`
}

func okLoad(c *counter.Counter) int64 { return atomic.LoadInt64(&c.N) } // ok: atomic

func okLimit(c *counter.Counter) int64 { return c.Limit } // ok: Limit is only read atomically

func okNew() *counter.Counter {
	c := &counter.Counter{N: 1}
	c.N = 2 // ok: c is not shared yet
	return c
}
