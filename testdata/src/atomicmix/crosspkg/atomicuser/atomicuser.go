// want package:`atomic write of atomicmix/crosspkg/counter.Counter.Hits at atomicmix/crosspkg/atomicuser/atomicuser.go:14`

// Package atomicuser updates atomically a field that package counter,
// which it imports, writes plainly.
package atomicuser

import (
	"sync/atomic"

	"atomicmix/crosspkg/counter"
)

func badHit(c *counter.Counter) {
	atomic.AddUint32(&c.Hits, 1) // want "atomic access of `c.Hits`, which is accessed non-atomically elsewhere \\(atomicmix/crosspkg/counter/counter.go:28\\)"
}

func okN(c *counter.Counter) int64 {
	return atomic.AddInt64(&c.N, 1) // ok: counter accesses N only atomically
}
