// Package rangefunc holds goroutines started in the body of a
// range-over-func loop, which go/ssa builds as a closure that the
// iterator calls (lift.go): the enclosing function's variables are the
// body's free variables.
package rangefunc

import (
	"slices"
	"sync"
)

// badSum: every call of the body starts a goroutine that adds to total.
func badSum(xs []int) int {
	total := 0
	var wg sync.WaitGroup
	for x := range slices.Values(xs) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			total += x // want "goroutine writes `total`, and more than one such goroutine may run at once without synchronization"
		}()
	}
	wg.Wait()
	return total
}

// badReadAfterLoop: the goroutine of the only iteration writes last,
// which the function reads after the loop without waiting.
func badReadAfterLoop(xs []int) int {
	last := 0
	for x := range slices.Values(xs) {
		go func() {
			last = x // want "goroutine writes `last`, which is read after the go statement without synchronization"
		}()
		break
	}
	return last
}

// badAppend appends to the function's slice from every goroutine.
func badAppend(xs []int) []int {
	var out []int
	var wg sync.WaitGroup
	for i, x := range slices.All(xs) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out = append(out, i*x) // want "goroutine writes `out`, and more than one such goroutine may run at once without synchronization"
		}()
	}
	wg.Wait()
	return out
}

// okSumLocked holds a mutex at every access, and reads after Wait.
func okSumLocked(xs []int) int {
	total := 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	for x := range slices.Values(xs) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			total += x // ok: under mu // excused joined, locked
			mu.Unlock()
		}()
	}
	wg.Wait()
	return total
}

// okElements: each goroutine writes its own element.
func okElements(xs []int) []int {
	out := make([]int, len(xs))
	var wg sync.WaitGroup
	for i, x := range slices.All(xs) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = x * 2 // ok: distinct elements // excused distinct
		}()
	}
	wg.Wait()
	return out
}

// okJoinedInBody waits for each goroutine before the next call of the
// body.
func okJoinedInBody(xs []int) int {
	total := 0
	for x := range slices.Values(xs) {
		done := make(chan struct{})
		go func() {
			total += x // ok: joined in the body // excused joined
			close(done)
		}()
		<-done
	}
	return total
}

// okBreakJoined starts one goroutine and waits for it after the loop.
func okBreakJoined(xs []int) int {
	last := 0
	var wg sync.WaitGroup
	for x := range slices.Values(xs) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last = x // ok: one goroutine, joined by Wait // excused joined
		}()
		break
	}
	wg.Wait()
	return last
}

// okHandoff: each goroutine sends its result; the function adds them
// up after the loop.
func okHandoff(xs []int) int {
	results := make(chan int)
	n := 0
	for x := range slices.Values(xs) {
		n++
		go func() { results <- x * 2 }()
	}
	total := 0
	for range n {
		total += <-results
	}
	return total
}

// badLaterCall: the next call of the body adds to total while the
// goroutine of the previous call reads it.
func badLaterCall(xs []int) int {
	total := 0
	var wg sync.WaitGroup
	for x := range slices.Values(xs) {
		total += x // want "`total` is written after the go statement, while the goroutine reads it without synchronization"
		wg.Add(1)
		go func() {
			defer wg.Done()
			println(total)
		}()
	}
	wg.Wait()
	return total
}

// okLaterCallLocked holds a mutex at both accesses.
func okLaterCallLocked(xs []int) int {
	total := 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	for x := range slices.Values(xs) {
		mu.Lock()
		total += x // ok: under mu // excused locked
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			println(total)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return total
}

// okLaterCallJoined waits for each goroutine in the body.
func okLaterCallJoined(xs []int) int {
	total := 0
	for x := range slices.Values(xs) {
		total += x // ok: the previous goroutine was joined
		done := make(chan bool)
		go func() {
			println(total)
			done <- true
		}()
		<-done
	}
	return total
}
