// want package:"accesses"

// Package user reads package counter's fields plainly.
package user

import (
	"sync/atomic"

	"atomicmix/crosspkg/counter"
)

func badRead(c *counter.Counter) int64 {
	return c.N // want "non-atomic read of `c.N`, which is accessed atomically elsewhere \\(atomicmix/crosspkg/counter/counter.go:18\\)"
}

func badWrite(c *counter.Counter) {
	c.N = 0 // want "non-atomic write of `c.N`, which is accessed atomically elsewhere$"
}

func badGlobal() uint64 {
	return counter.Total // want "non-atomic read of `counter.Total`, which is accessed atomically elsewhere \\(atomicmix/crosspkg/counter/counter.go:19\\)"
}

func badCopy(c *counter.Counter) counter.Counter {
	return *c // want "copy of `\\*c` is a non-atomic read of `c.N`, which is accessed atomically elsewhere \\(atomicmix/crosspkg/counter/counter.go:18\\)"
}

func okLoad(c *counter.Counter) int64 { return atomic.LoadInt64(&c.N) } // ok: atomic

func okLimit(c *counter.Counter) int64 { return c.Limit } // ok: Limit is only read atomically // excused loadsonly

func okNew() *counter.Counter {
	c := &counter.Counter{N: 1} // excused unpublished
	c.N = 2                     // ok: c is not shared yet // excused unpublished
	return c
}

// okConstructed initializes a counter from package counter's
// constructor, which its fact says is fresh.
func okConstructed() *counter.Counter {
	c := counter.NewCounter()
	c.N = 2 // ok: NewCounter's result is not shared yet // excused unpublished
	c.Inc()
	c.N = 3 // ok: Inc does not share c // excused unpublished
	return c
}

func badRegistered() {
	c := &counter.Counter{}
	counter.Register(c)
	c.N = 0 // want "non-atomic write of `c.N`, which is accessed atomically elsewhere$"
}

func badTicking() {
	c := counter.NewTicking()
	c.N = 0 // want "non-atomic write of `c.N`, which is accessed atomically elsewhere$"
}
