package user

import (
	"sync"
	"sync/atomic"
	"testing"

	"atomicmix/joincall/lib"
)

func TestAcross(t *testing.T) {
	var wg sync.WaitGroup
	wg.Go(func() { serveAcross(t) })
	wg.Go(func() { startAcross(t) })
	wg.Wait()
}

func serveAcross(t *testing.T) {
	var n int64
	lib.Serve(lib.Events{Opened: func() { atomic.AddInt64(&n, 1) }}, 2)
	if n != 2 { // ok: lib.Serve waits for its loops: it has no LeavesFact // excused joincall
		t.Error(n) // excused joincall
	}
}

func startAcross(t *testing.T) {
	var n int64
	lib.Start(lib.Events{Opened: func() { atomic.AddInt64(&n, 1) }})
	_ = n // want "non-atomic read of `n`, which is accessed atomically elsewhere"
}

// startVia leaves lib.Start's loop running too.
func startVia(ev lib.Events) { lib.Start(ev) }

func TestVia(t *testing.T) {
	var wg sync.WaitGroup
	wg.Go(func() { startViaHelper(t) })
	wg.Wait()
}

func startViaHelper(t *testing.T) {
	var n int64
	startVia(lib.Events{Opened: func() { atomic.AddInt64(&n, 1) }})
	_ = n // want "non-atomic read of `n`, which is accessed atomically elsewhere"
}

// watchVia leaves a goroutine that hands the callback to lib.Call.
func watchVia(ev lib.Events) {
	go func() { lib.Call(ev.Opened) }()
}

func TestWatchVia(t *testing.T) {
	var wg sync.WaitGroup
	wg.Go(func() { watchViaHelper(t) })
	wg.Wait()
}

func watchViaHelper(t *testing.T) {
	var n int64
	ev := lib.Events{Opened: func() { atomic.AddInt64(&n, 1) }}
	watchVia(ev)
	lib.Serve(ev, 2)
	_ = n // want "non-atomic read of `n`, which is accessed atomically elsewhere"
}

func TestGoAcross(t *testing.T) {
	var wg sync.WaitGroup
	wg.Go(func() { goAcross(t) })
	wg.Wait()
}

func goAcross(t *testing.T) {
	var n int64
	lib.Go(func() { atomic.AddInt64(&n, 1) })
	_ = n // want "non-atomic read of `n`, which is accessed atomically elsewhere"
}
