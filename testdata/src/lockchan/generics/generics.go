// Package generics holds lockchan's fixtures for generic code.
package generics

import "sync"

type Chan[T any] struct {
	mu sync.Mutex
	c  chan T
	n  int
}

func (c *Chan[T]) badSend(v T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	c.c <- v // want "send on `c.c` while holding `c.mu`"
}

func (c *Chan[T]) okSend(v T) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	c.c <- v // ok: released
}

func put[T any](c chan T, v T) { c <- v }

func badGenericCall[T any](mu *sync.Mutex, c chan T, v T) {
	mu.Lock()
	put(c, v) // want "call to `put` may block on a channel send while holding `mu`"
	mu.Unlock()
}

func okGenericCall[T any](mu *sync.Mutex, c chan T, v T) {
	mu.Lock()
	mu.Unlock()
	put(c, v) // ok: released
}

func use() {
	var c Chan[int]
	c.badSend(1)
	c.okSend(1)
	var mu sync.Mutex
	badGenericCall(&mu, make(chan string), "x")
	okGenericCall(&mu, make(chan string), "x")
}
