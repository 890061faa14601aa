// Package seed translates the examples of the article that started
// sharedvet ("Why does one asynchronous Rust function exhibit thread
// safety issues while a similar one does not?") into Go: a counter
// bumped by two tasks, guarded by nothing, by a mutex, or an atomic;
// and results handed over a channel.
package seed

import (
	"sync"
	"sync/atomic"
)

// badUnguardedCounter is the article's shared counter without its
// Mutex: two goroutines increment it at once.
func badUnguardedCounter() int {
	value := 0
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			value++ // want "goroutine writes `value`, and more than one such goroutine may run at once without synchronization"
		}()
	}
	wg.Wait()
	return value
}

// badUnguardedCounterTwoTasks spawns the two tasks with two go
// statements, as the article does with two tokio::spawn calls.
func badUnguardedCounterTwoTasks() int {
	value := 0
	done := make(chan bool, 2)
	task := func() {
		value++ // want "goroutine writes `value`, and more than one such goroutine may run at once without synchronization"
		done <- true
	}
	go task()
	go task()
	<-done
	<-done
	return value
}

// okMutexCounter is example 1: the counter behind a mutex.
func okMutexCounter() int {
	var mu sync.Mutex
	value := 0
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			value++ // ok: under mu // excused joined, locked
			mu.Unlock()
		}()
	}
	wg.Wait()
	return value
}

// okChannelResults is example 2: each task computes from its own
// input and sends its result; nothing is shared.
func okChannelResults() (int, int) {
	tx := make(chan int, 1)
	var wg sync.WaitGroup
	for _, initial := range []int{0, 10} { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			result := initial + 1 // ok: a per-iteration copy
			tx <- result
		}()
	}
	r1, r2 := <-tx, <-tx
	wg.Wait()
	return r1, r2
}

// okAtomicCounter is example 3: an atomic counter bumped five times
// by each of two tasks.
func okAtomicCounter() int64 {
	var counter atomic.Int64
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				counter.Add(1) // ok: atomic
			}
		}()
	}
	wg.Wait()
	return counter.Load()
}
