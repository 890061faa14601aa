// Package initmethod has methods that initialize a value in place.
package initmethod

import (
	"sync"
	"sync/atomic"
)

type quota struct {
	avail int32
	ch    chan struct{}
}

func (q *quota) init(n int32) {
	q.avail = n // ok: an init method prepares a value before it is shared (fixture okInitMethod in atomicmix/initmethod) // excused initmethod
	q.ch = make(chan struct{}, 1)
}

func (q *quota) take() bool { return atomic.AddInt32(&q.avail, -1) >= 0 }

// A stream embeds its quota and initializes it in place, through a
// field, before any goroutine sees the stream.
type stream struct {
	q quota
}

func newStream() *stream {
	s := new(stream)
	s.q.init(16)
	return s
}

type FD struct {
	blocking uint32
}

func (fd *FD) Init(pollable bool) {
	if !pollable {
		fd.blocking = 1 // ok: exported Init, called by other packages on their fresh values // excused initmethod
	}
}

func (fd *FD) SetBlocking() { atomic.StoreUint32(&fd.blocking, 1) }

// reset is not an initializer: it runs on a value in use.
func (q *quota) reset(n int32) {
	q.avail = n // want "non-atomic write of `q.avail`, which is accessed atomically elsewhere"
}

type guarded struct {
	mu sync.Mutex
	n  int64
}

// An Init that locks expects other goroutines.
func (g *guarded) Init() {
	g.mu.Lock()
	g.n = 0 // want "non-atomic write of `g.n`, which is accessed atomically elsewhere"
	g.mu.Unlock()
}

func (g *guarded) Add() { atomic.AddInt64(&g.n, 1) }

type counted struct {
	n, gen int64
}

// An Init that makes an atomic access expects other goroutines too.
func (c *counted) Init() {
	atomic.AddInt64(&c.gen, 1)
	c.n = 0 // want "non-atomic write of `c.n`, which is accessed atomically elsewhere"
}

func (c *counted) Inc() { atomic.AddInt64(&c.n, 1) }

// Only the receiver is initialized: a write through another pointer is
// a write to a value in use.
func (q *quota) init2(other *quota) {
	other.avail = 0 // want "non-atomic write of `other.avail`, which is accessed atomically elsewhere"
}

func (q *quota) Init(other *quota) {
	other.avail = 0 // want "non-atomic write of `other.avail`, which is accessed atomically elsewhere"
	q.avail = 1     // ok: the receiver // excused initmethod
}

var _ = newStream
