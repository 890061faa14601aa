// Package generics accesses fields of generic types both ways.
package generics

import "sync/atomic"

type Gauge[T any] struct {
	n    int64
	last T
}

func (g *Gauge[T]) Set(v T) {
	atomic.AddInt64(&g.n, 1)
	g.last = v // ok: last is never accessed atomically
}

func (g *Gauge[T]) badCount() int64 {
	return g.n // want "non-atomic read of `g.n`, which is accessed atomically elsewhere"
}

func (g *Gauge[T]) okCount() int64 { return atomic.LoadInt64(&g.n) } // ok: atomic

// badInstance reads the field through an instantiation: it is the
// same field as the generic one.
func badInstance(g *Gauge[string]) int64 {
	return g.n // want "non-atomic read of `g.n`, which is accessed atomically elsewhere"
}

func okNew[T any]() *Gauge[T] {
	g := &Gauge[T]{}
	g.n = 1 // ok: g is not shared yet // excused unpublished
	return g
}

func okPlainField[T any](g *Gauge[T]) T { return g.last } // ok: last is never accessed atomically
