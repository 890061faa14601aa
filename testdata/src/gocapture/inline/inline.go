// Package inline holds accesses made by closures that the goroutine or
// the starting function calls at once or defers (rule "inline" of
// doc.go). Each bad function races under go test -race; each ok one
// does not.
package inline

import "sync"

// badDeferredClosure writes x in a closure the goroutine defers.
func badDeferredClosure() int {
	x := 0
	go func() {
		defer func() {
			x = 1 // want "goroutine writes `x`, which is read after the go statement without synchronization"
		}()
	}()
	return x
}

// badClosureInLoop: goroutines of a loop call a closure that counts.
func badClosureInLoop(n int) int {
	count := 0
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			func() {
				count++ // want "goroutine writes `count`, and more than one such goroutine may run at once"
			}()
		}()
	}
	wg.Wait()
	return count
}

// badStarterCallsClosure writes msg after go, in a closure it calls.
func badStarterCallsClosure() {
	msg := "hello"
	done := make(chan struct{})
	go func() {
		println(msg)
		close(done)
	}()
	func() {
		msg = "bye" // want "`msg` is written after the go statement, while the goroutine reads it without synchronization"
	}()
	<-done
}

// badDeferredAfterDone: the deferred closure runs after wg.Done.
func badDeferredAfterDone() int {
	res := 0
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer func() {
			res = 2 // want "goroutine writes `res`, which is read after the go statement"
		}()
		wg.Done()
	}()
	wg.Wait()
	return res
}

// okDeferredBeforeDone: deferred closures run last in, first out, so
// the write comes before the deferred wg.Done.
func okDeferredBeforeDone() int {
	x := 0
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer func() {
			x = 1 // ok: before the deferred Done // excused joined
		}()
	}()
	wg.Wait()
	return x
}

// okClosureLocksInside: the closure takes the mutex itself.
func okClosureLocksInside(n int) int {
	var mu sync.Mutex
	count := 0
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			func() {
				mu.Lock()
				defer mu.Unlock()
				count++ // ok: under mu // excused joined, locked
			}()
		}()
	}
	wg.Wait()
	return count
}

// okClosureLockedAtCall: the goroutine holds the mutex around the call.
func okClosureLockedAtCall(n int) int {
	var mu sync.Mutex
	count := 0
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			func() { count++ }() // ok: under mu // excused joined, locked
			mu.Unlock()
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	return count
}

// okClosureSignals: the closure writes, then closes done.
func okClosureSignals() int {
	x := 0
	done := make(chan struct{})
	go func() {
		func() {
			x = 1 // excused helper
			close(done)
		}()
	}()
	<-done
	return x // ok: after the receive
}

var callbacks []func()

func register(f func()) { callbacks = append(callbacks, f) }

// okClosureStored: the goroutine stores the closure; it is not called
// while the goroutine runs.
func okClosureStored() int {
	x := 0
	done := make(chan struct{})
	go func() {
		register(func() { x = 1 })
		close(done)
	}()
	<-done
	callbacks = nil
	return x // ok: the closure never ran
}

// okStarterClosureBeforeGo writes in a closure before the go statement.
func okStarterClosureBeforeGo() {
	msg := "hello"
	func() { msg = "bye" }()
	done := make(chan struct{})
	go func() {
		println(msg)
		close(done)
	}()
	<-done
}
