// Package shared embeds one counter type in two containers with two
// disciplines, as nats-server's stats: lock-free in the server, under
// a mutex in an account.
package shared

import (
	"sync"
	"sync/atomic"
)

type stats struct{ inMsgs, outMsgs int64 }

type server struct{ stats } // updated atomically

type account struct {
	stats struct {
		sync.Mutex
		stats
	}
}

func (s *server) inbound(n int64) { atomic.AddInt64(&s.inMsgs, n) }

func (s *server) inMsgsNow() int64 { return atomic.LoadInt64(&s.inMsgs) }

func (s *server) racyOut() int64 {
	return s.inMsgs // want "non-atomic read of `s.inMsgs`, which is accessed atomically elsewhere"
}

func (a *account) inbound(n int64) {
	a.stats.Lock()
	a.stats.inMsgs += n // ok: an account's stats are not the server's (fixture atomicmix/enclosure/shared) // excused enclosure
	a.stats.Unlock()
}

func (a *account) inMsgsNow() int64 {
	a.stats.Lock()
	defer a.stats.Unlock()
	return a.stats.inMsgs // ok: the same // excused enclosure
}

// A copy of the server reads its stats plainly.
func (s *server) snapshot() server {
	return *s // want "copy of `\\*s` is a non-atomic read of `s.stats.inMsgs`"
}
