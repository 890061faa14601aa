package joins

import "sync"

// Rule "handoff": a mutex the starter holds at the go statement and the
// goroutine unlocks is handed to the goroutine; the starter's next lock
// waits for the unlock.

// okMutexHandoff: the goroutine writes, then unlocks the mutex the
// starter locked before go; the starter locks it again, then reads.
func okMutexHandoff() int {
	var mu sync.Mutex
	x := 0
	mu.Lock()
	go func() {
		x = 1 // excused handoff
		mu.Unlock()
	}()
	mu.Lock()
	defer mu.Unlock()
	return x // ok: after the goroutine's unlock
}

// badWriteAfterHandoff: the write comes after the unlock.
func badWriteAfterHandoff() int {
	var mu sync.Mutex
	x := 0
	mu.Lock()
	done := make(chan struct{})
	go func() {
		mu.Unlock()
		x = 1 // want "goroutine writes `x`, which is read after the go statement"
		close(done)
	}()
	mu.Lock()
	n := x
	mu.Unlock()
	<-done
	return n
}

// badUnlockNotHandedOff: the starter does not hold the mutex at go, so
// its lock may come before the goroutine's.
func badUnlockNotHandedOff() int {
	var mu sync.Mutex
	x := 0
	done := make(chan struct{})
	go func() {
		x = 1 // want "goroutine writes `x`, which is read after the go statement"
		mu.Lock()
		mu.Unlock()
		close(done)
	}()
	mu.Lock()
	n := x
	mu.Unlock()
	<-done
	return n
}

// okHandoffRead: the starter reads only after its next lock.
func okHandoffRead() (n int) {
	var mu sync.Mutex
	x := 0
	mu.Lock()
	go func() {
		defer mu.Unlock()
		x = 2 // excused handoff
	}()
	mu.Lock()
	n = x // ok: the deferred unlock follows the write
	mu.Unlock()
	return n
}
