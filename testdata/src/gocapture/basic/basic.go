// Package basic holds the main races on captured variables, and the
// synchronization that orders them.
package basic

import (
	"sync"
	"sync/atomic"
)

func compute() error { return nil }

// badErrAfterGo reads err while the goroutine may still write it.
func badErrAfterGo() error {
	var err error
	go func() {
		err = compute() // want "goroutine writes `err`, which is read after the go statement without synchronization"
	}()
	return err
}

// badNamedResult returns a named result that the goroutine writes.
func badNamedResult() (n int) {
	go func() {
		n = 42 // want "goroutine writes `n`, which is read after the go statement without synchronization"
	}()
	return
}

// badParentWritesAfterGo writes the variable the goroutine reads.
func badParentWritesAfterGo() {
	msg := "hello"
	done := make(chan bool)
	go func() {
		println(msg)
		done <- true
	}()
	msg = "bye" // want "`msg` is written after the go statement, while the goroutine reads it without synchronization"
	<-done
}

// badCounterLoop increments a counter from many goroutines.
func badCounterLoop() int {
	count := 0
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			count++ // want "goroutine writes `count`, and more than one such goroutine may run at once without synchronization"
		}()
	}
	wg.Wait()
	return count // ok: after Wait
}

// badAppend appends to a captured slice from many goroutines.
func badAppend(xs []int) []int {
	var out []int
	var wg sync.WaitGroup
	for _, x := range xs { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			out = append(out, x*2) // want "goroutine writes `out`, and more than one such goroutine"
		}()
	}
	wg.Wait()
	return out
}

// badTwoGoroutines starts two different closures that write one variable.
func badTwoGoroutines() {
	total := 0
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		total += 1 // want "goroutine writes `total`, which another goroutine writes without synchronization"
	}()
	go func() {
		defer wg.Done()
		total += 2 // excused joined
	}()
	wg.Wait()
	println(total)
}

// badDoneBeforeWrite signals the WaitGroup before it writes.
func badDoneBeforeWrite() int {
	x := 0
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		wg.Done()
		x = 1 // want "goroutine writes `x`, which is read after the go statement"
	}()
	wg.Wait()
	return x
}

// okWaitGroup joins with Wait before reading.
func okWaitGroup() error {
	var err error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		err = compute() // excused joined
	}()
	wg.Wait()
	return err // ok: Wait returns after Done
}

// okWaitGroupNotDeferred calls Done after the write.
func okWaitGroupNotDeferred() error {
	var err error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		err = compute() // excused joined
		wg.Done()
	}()
	wg.Wait()
	return err
}

// okChannelJoin receives from a channel that the goroutine sends on
// after its write.
func okChannelJoin() error {
	var err error
	done := make(chan struct{})
	go func() {
		err = compute() // excused joined
		close(done)
	}()
	<-done
	return err
}

// okMutexCounter increments under a mutex.
func okMutexCounter() int {
	var mu sync.Mutex
	count := 0
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			count++ // ok: under mu // excused joined, locked
			mu.Unlock()
		}()
	}
	wg.Wait()
	return count
}

// okAtomicCounter increments atomically.
func okAtomicCounter() int64 {
	var count int64
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			atomic.AddInt64(&count, 1) // ok: atomic
		}()
	}
	wg.Wait()
	return atomic.LoadInt64(&count)
}

// okDistinctElements writes one element per goroutine.
func okDistinctElements(xs []int) []int {
	out := make([]int, len(xs))
	var wg sync.WaitGroup
	for i, x := range xs { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = x * 2 // ok: distinct elements // excused distinct
		}()
	}
	wg.Wait()
	return out
}

// okDistinctArrayElements does the same with an array variable.
func okDistinctArrayElements() [4]int {
	var out [4]int
	var wg sync.WaitGroup
	for i := range 4 { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = i // ok: distinct elements // excused distinct, joined
		}()
	}
	wg.Wait()
	return out
}

// okSyncCall calls the closure synchronously.
func okSyncCall() error {
	var err error
	f := func() { err = compute() }
	f()
	return err
}

// okReadOnly only reads in the goroutines.
func okReadOnly(cfg string) {
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			println(cfg)
		}()
	}
	wg.Wait()
}

// okWriteBeforeGo writes before starting the goroutine.
func okWriteBeforeGo() {
	x := 1
	x++
	done := make(chan bool)
	go func() {
		println(x)
		done <- true
	}()
	<-done
}
