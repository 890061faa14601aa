// Package hooks hands a function to the runtime, as sync.Pool hands it
// poolCleanup, which runs with the world stopped.
package hooks

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

type Pool struct {
	local unsafe.Pointer
}

var (
	mu  sync.Mutex
	all []*Pool
)

func (p *Pool) Get() unsafe.Pointer {
	if l := atomic.LoadPointer(&p.local); l != nil {
		return l
	}
	return p.getSlow()
}

func (p *Pool) getSlow() unsafe.Pointer {
	mu.Lock()
	defer mu.Unlock()
	l := p.local // ok: read under mu, which every write but the runtime hook's holds (fixture okRuntimeHook in atomicmix/hooks) // excused guard
	if l != nil {
		return l
	}
	all = append(all, p)
	l = unsafe.Pointer(new(int))
	atomic.StorePointer(&p.local, l)
	return l
}

// cleanup is called by the runtime with the world stopped.
func cleanup() {
	for _, p := range all {
		p.local = nil // ok: a runtime hook // excused hooks
	}
	all = nil
}

// registerCleanup is implemented in the runtime.
func registerCleanup(f func())

func init() {
	registerCleanup(cleanup)
}

// A cache's reset is handed to a function with a body, which may run it
// anywhere: it is not a runtime hook.
type Cache struct {
	local unsafe.Pointer
}

var caches []*Cache

func (c *Cache) Get() unsafe.Pointer { return atomic.LoadPointer(&c.local) }

func (c *Cache) fill() {
	mu.Lock()
	defer mu.Unlock()
	if c.local == nil { // want "non-atomic read of `c.local`, which is accessed atomically elsewhere"
		caches = append(caches, c)
	}
	atomic.StorePointer(&c.local, unsafe.Pointer(new(int)))
}

func resetCaches() {
	for _, c := range caches {
		c.local = nil // want "non-atomic write of `c.local`, which is accessed atomically elsewhere"
	}
}

func every(f func()) { go f() }

func init() {
	every(resetCaches)
}
