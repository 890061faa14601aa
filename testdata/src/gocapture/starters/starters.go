// Package starters holds goroutines started otherwise than by a go
// statement of the function: time.AfterFunc, a goroutine that starts
// another, and helpers of another package that run their callback in
// a goroutine (rule "starters" of doc.go). Each bad function races
// under go test -race; each ok one does not.
package starters

import (
	"sync"
	"time"

	"gocapture/starters/helper"
)

// badAfterFunc writes in the function time.AfterFunc runs.
func badAfterFunc() int {
	n := 0
	time.AfterFunc(time.Millisecond, func() {
		n = 1 // want "goroutine writes `n`, which is read after the goroutine is started without synchronization"
	})
	time.Sleep(5 * time.Millisecond)
	return n
}

// badHelperGo writes in a goroutine started by helper.Go.
func badHelperGo() int {
	x := 0
	helper.Go(func() {
		x = 1 // want "goroutine writes `x`, which is read after the goroutine is started without synchronization"
	})
	return x
}

// badHelperSubmit writes in a goroutine started by a method.
func badHelperSubmit(r *helper.Runner) []int {
	var out []int
	for i := range 3 { // excused loopvar
		r.Submit("t", func() {
			out = append(out, i) // want "goroutine writes `out`, and more than one such goroutine may run at once"
		})
	}
	return nil
}

// badNestedGo: a goroutine starts goroutines that count.
func badNestedGo() int {
	count := 0
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var inner sync.WaitGroup
		for range 3 {
			inner.Add(1)
			go func() {
				defer inner.Done()
				count++ // want "goroutine writes `count`, and more than one such goroutine may run at once"
			}()
		}
		inner.Wait()
	}()
	wg.Wait()
	return count
}

// okAfterFuncJoined reads after the function signals.
func okAfterFuncJoined() int {
	n := 0
	done := make(chan struct{})
	time.AfterFunc(time.Millisecond, func() {
		n = 1 // excused joined
		close(done)
	})
	<-done
	return n // ok: after the receive
}

// okHelperJoined reads after the goroutine signals.
func okHelperJoined() int {
	x := 0
	done := make(chan struct{})
	helper.Go(func() {
		x = 1 // excused joined
		close(done)
	})
	<-done
	return x // ok: after the receive
}

// okHelperRun: Run calls f before it returns.
func okHelperRun() int {
	x := 0
	helper.Run(func() { x = 1 })
	return x // ok: not a goroutine
}

// okSubmitLocked appends under a mutex, and reads after all are done.
func okSubmitLocked(r *helper.Runner) []int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	var out []int
	for i := range 3 { // excused loopvar
		wg.Add(1)
		r.Submit("t", func() {
			defer wg.Done()
			mu.Lock()
			out = append(out, i) // ok: under mu // excused joined, locked
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// okNestedGoJoined: the inner goroutine's write is joined twice over.
func okNestedGoJoined() int {
	x := 0
	done := make(chan struct{})
	go func() {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			x = 1
		}()
		wg.Wait()
		close(done)
	}()
	<-done
	return x // ok: after the receive
}

// okHelperWaits: RunAll waits for its goroutines before it returns
// (grpc's BenchmarkStoreContentionWithMutex, with RunParallel).
func okHelperWaits() int {
	var mu sync.Mutex
	c := 0
	helper.RunAll(4, func() {
		mu.Lock()
		c++
		mu.Unlock()
	})
	return c // ok: RunAll returned after its goroutines
}
