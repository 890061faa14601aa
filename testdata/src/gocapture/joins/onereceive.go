package joins

import (
	"sync"

	"golang.org/x/sync/errgroup"
)

// One receive joins one sender (rule 6).

// badOneReceive waits for one of the goroutines the loop starts, then
// reads every element while the others may still write theirs.
func badOneReceive(n int) int {
	out := make([]int, n)
	done := make(chan bool)
	for i := range n { // excused loopvar
		go func() {
			out[i] = i * i // want "goroutine writes the elements of `out`, which is read after the go statement without synchronization"
			done <- true
		}()
	}
	<-done
	sum := 0
	for _, v := range out {
		sum += v
	}
	return sum
}

// badFirstWins takes the first goroutine's signal in a select and
// reads the error that the others may still write.
func badFirstWins(urls []string, stop chan struct{}) error {
	var mu sync.Mutex
	var err error
	done := make(chan struct{}, len(urls))
	for range urls {
		go func() {
			if _, e := compute(); e != nil {
				mu.Lock()
				err = e // want "goroutine writes `err`, which is read after the go statement without synchronization"
				mu.Unlock()
			}
			done <- struct{}{}
		}()
	}
	select {
	case <-done:
	case <-stop:
	}
	return err
}

// okReceiveEach receives once per goroutine, in a loop.
func okReceiveEach(n int) int {
	out := make([]int, n)
	done := make(chan bool)
	for i := range n { // excused loopvar
		go func() {
			out[i] = i * i // ok: each write is received // excused distinct, joined
			done <- true
		}()
	}
	for range n {
		<-done
	}
	sum := 0
	for _, v := range out {
		sum += v
	}
	return sum
}

// okReceiveInLoop waits for each goroutine in the iteration that
// starts it.
func okReceiveInLoop(n int) int {
	total := 0
	done := make(chan bool)
	for i := range n { // excused loopvar
		go func() {
			total += i // ok: received before the next iteration // excused joined
			done <- true
		}()
		<-done
	}
	return total
}

// okOneGoroutine starts a single goroutine and receives its signal.
func okOneGoroutine() int {
	x := 0
	done := make(chan bool)
	go func() {
		x = 42 // ok: the one sender is received // excused joined
		done <- true
	}()
	<-done
	return x
}

// okOneReceiveNoRead receives once and reads nothing the goroutines
// write.
func okOneReceiveNoRead(n int) {
	out := make([]int, n)
	done := make(chan bool, n)
	for i := range n { // excused loopvar
		go func() {
			out[i] = i // ok: distinct elements, not read after // excused distinct
			done <- true
		}()
	}
	<-done
}

// okReturnAfterWait returns the slice and the join's error in one
// statement, as prometheus's ECS discovery does: gc calls Wait before
// it reads out.
func okReturnAfterWait(xs []int) ([]int, error) {
	var mu sync.Mutex
	var g errgroup.Group
	var out []int
	for _, x := range xs { // excused loopvar
		g.Go(func() error {
			mu.Lock()
			out = append(out, x) // ok: read after Wait // excused joined, locked
			mu.Unlock()
			return nil
		})
	}
	return out, g.Wait()
}

// badReturnBeforeWait reads out in a statement before the wait.
func badReturnBeforeWait(xs []int) ([]int, error) {
	var mu sync.Mutex
	var g errgroup.Group
	var out []int
	for _, x := range xs { // excused loopvar
		g.Go(func() error {
			mu.Lock()
			out = append(out, x) // want "goroutine writes `out`, which is read after the goroutine is started without synchronization"
			mu.Unlock()
			return nil
		})
	}
	res := out
	return res, g.Wait()
}
