// Package countdown holds countdown latches made by hand: goroutines
// count atomically, then count down a counter, and the one that brings
// it to zero closes a channel, after which the starting function reads
// the count plainly (rule 17). Each function here was run under the
// race detector: the ok ones are race-free, the bad ones race.
package countdown

import (
	"sync/atomic"
)

const n = 5

// okCountdown is tailscale's singleflight test: the count and the
// countdown in a deferred function, the read in a select case.
func okCountdown(work func()) int32 {
	waited := int32(n) // excused unpublished
	panics := int32(0) // excused unpublished
	done := make(chan struct{})
	for range n {
		go func() {
			defer func() {
				if err := recover(); err != nil {
					atomic.AddInt32(&panics, 1)
				}
				if atomic.AddInt32(&waited, -1) == 0 {
					close(done)
				}
			}()
			work()
		}()
	}
	select {
	case <-done:
		return panics // ok: every add precedes its goroutine's decrement // excused countdown
	}
}

// okCountdownTyped counts down an atomic.Int32 and returns early
// unless it reached zero; the function receives plainly.
func okCountdownTyped() int64 {
	var waited atomic.Int32
	waited.Store(n)
	hits := int64(0) // excused unpublished
	done := make(chan struct{})
	for range n {
		go func() {
			atomic.AddInt64(&hits, 1)
			if waited.Add(-1) != 0 {
				return
			}
			close(done)
		}()
	}
	<-done
	return hits // ok: after the close that the last decrement makes // excused countdown
}

// okCountdownUnsigned decrements with ^uint32(0), as sync/atomic's
// documentation says, and resets the count after the receive.
func okCountdownUnsigned() uint64 {
	waited := uint32(n) // excused unpublished
	var hits uint64
	done := make(chan bool)
	for range n {
		go func() {
			atomic.AddUint64(&hits, 2)
			if atomic.AddUint32(&waited, ^uint32(0)) == 0 {
				close(done)
			}
		}()
	}
	_, open := <-done
	got := hits // ok: read after the latch // excused countdown
	hits = 0    // ok: a write, ordered after every add too // excused countdown
	if open {
		return 0
	}
	return got
}

// okCountdownRange waits by ranging over the channel until it is
// closed.
func okCountdownRange() int32 {
	var waited atomic.Int64
	waited.Store(n)
	var hits int32
	done := make(chan struct{})
	for range n {
		go func() {
			atomic.AddInt32(&hits, 1)
			if waited.Add(-1) == 0 {
				close(done)
			}
		}()
	}
	for range done {
	}
	return hits // ok: the range ends at the close // excused countdown
}

// badIncrementAfter counts after counting down: the last goroutine
// may still add when the function reads.
func badIncrementAfter() int32 {
	waited := int32(n) // excused unpublished
	var hits int32
	done := make(chan struct{})
	for range n {
		go func() {
			if atomic.AddInt32(&waited, -1) == 0 {
				close(done)
			}
			atomic.AddInt32(&hits, 1)
		}()
	}
	<-done
	return hits // want "non-atomic read of `hits`, which is accessed atomically elsewhere"
}

// badUnguardedClose closes when the first goroutine is done.
func badUnguardedClose() int32 {
	var closed atomic.Bool
	var hits int32
	done := make(chan struct{})
	for range n {
		go func() {
			atomic.AddInt32(&hits, 1)
			if closed.CompareAndSwap(false, true) {
				close(done)
			}
		}()
	}
	<-done
	return hits // want "non-atomic read of `hits`, which is accessed atomically elsewhere"
}

// badClosesAtOne closes when one goroutine is still counting.
func badClosesAtOne() int32 {
	waited := int32(n) // excused unpublished
	var hits int32
	done := make(chan struct{})
	for range n {
		go func() {
			atomic.AddInt32(&hits, 1)
			if atomic.AddInt32(&waited, -1) == 1 {
				close(done)
			}
		}()
	}
	<-done
	return hits // want "non-atomic read of `hits`, which is accessed atomically elsewhere"
}

// badReadBeforeReceive reads before it waits.
func badReadBeforeReceive() int32 {
	waited := int32(n) // excused unpublished
	var hits int32
	done := make(chan struct{})
	for range n {
		go func() {
			atomic.AddInt32(&hits, 1)
			if atomic.AddInt32(&waited, -1) == 0 {
				close(done)
			}
		}()
	}
	got := hits // want "non-atomic read of `hits`, which is accessed atomically elsewhere"
	<-done
	return got
}

// badSentOn also sends on the channel, so the receive may complete
// before any goroutine has counted.
func badSentOn() int32 {
	waited := int32(n) // excused unpublished
	var hits int32
	done := make(chan struct{}, 1)
	done <- struct{}{}
	for range n {
		go func() {
			atomic.AddInt32(&hits, 1)
			if atomic.AddInt32(&waited, -1) == 0 {
				close(done)
			}
		}()
	}
	<-done
	return hits // want "non-atomic read of `hits`, which is accessed atomically elsewhere"
}
