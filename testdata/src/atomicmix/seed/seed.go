// Package seed translates the third example of the article that
// started sharedvet ("Why does one asynchronous Rust function exhibit
// thread safety issues while a similar one does not?") into Go: a
// counter shared by two goroutines and incremented atomically.
package seed

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Counter is the article's AtomicI32, as a plain int32 that every
// access must go through sync/atomic.
type Counter struct {
	value int32
}

// atomicAsyncFunction is the article's atomic_async_function.
func atomicAsyncFunction(c *Counter) {
	for range 5 {
		atomic.AddInt32(&c.value, 1)
		time.Sleep(time.Millisecond)
	}
}

// okMain is the article's main: both tasks joined, the final value
// read with an atomic load.
func okMain() {
	c := &Counter{}
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); atomicAsyncFunction(c) }()
	}
	wg.Wait()
	fmt.Println("Final counter value:", atomic.LoadInt32(&c.value)) // ok: atomic
}

// badProgress reads the value plainly while the tasks still run.
func badProgress() {
	c := &Counter{}
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); atomicAsyncFunction(c) }()
	}
	fmt.Println("progress:", c.value) // want "non-atomic read of `c.value`, which is accessed atomically elsewhere"
	wg.Wait()
}

// badMainPlain reads the final value plainly. After wg.Wait the read
// does not race (the race detector agrees), but the field is accessed
// both ways: a field stands for all values of Counter, another of which
// may be shared, and the join rule is for local variables only (see
// Limitations). An atomic load here costs nothing.
func badMainPlain() {
	c := &Counter{}
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); atomicAsyncFunction(c) }()
	}
	wg.Wait()
	fmt.Println("Final counter value:", c.value) // want "non-atomic read of `c.value`, which is accessed atomically elsewhere"
}

// okNewCounter starts the counter before it is shared.
func okNewCounter(start int32) *Counter {
	c := &Counter{}
	c.value = start // ok: c is not shared yet // excused unpublished
	return c
}
