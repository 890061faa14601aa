package countdown

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestPanicDo is tailscale's util/singleflight test, whose plain reads
// of panicCount after the countdown were reported.
func TestPanicDo(t *testing.T) {
	fn := func() { panic("invalid memory address or nil pointer dereference") }
	waited := int32(n)     // excused unpublished
	panicCount := int32(0) // excused unpublished
	done := make(chan struct{})
	for range n {
		go func() {
			defer func() {
				if err := recover(); err != nil {
					t.Logf("Got panic: %v", err)
					atomic.AddInt32(&panicCount, 1)
				}
				if atomic.AddInt32(&waited, -1) == 0 {
					close(done)
				}
			}()
			fn()
		}()
	}
	select {
	case <-done:
		if panicCount != n { // ok: after the countdown // excused countdown
			t.Errorf("Expect %d panic, but got %d", n, panicCount) // excused countdown
		}
	case <-time.After(time.Second):
		t.Fatalf("Do hangs")
	}
}

// TestCountdownBadTimeout reads in the timeout case, which no close
// orders.
func TestCountdownBadTimeout(t *testing.T) {
	waited := int32(n) // excused unpublished
	count := int32(0)  // excused unpublished
	done := make(chan struct{})
	for range n {
		go func() {
			atomic.AddInt32(&count, 1)
			if atomic.AddInt32(&waited, -1) == 0 {
				close(done)
			}
		}()
	}
	select {
	case <-done:
	case <-time.After(time.Nanosecond):
		t.Log(count) // want "non-atomic read of `count`, which is accessed atomically elsewhere"
		<-done
	}
}

func TestFixtures(t *testing.T) {
	okCountdown(func() { panic("x") })
	okCountdownTyped()
	okCountdownUnsigned()
	okCountdownRange()
}
