package guards

import (
	"sync"
	"sync/atomic"
)

// A cache whose mutex is held through a pointer field, as nats-server's
// OCSP cache holds it: the lock rule names it by the field too.
type ptrCache struct {
	mu   *sync.RWMutex
	hits int64
}

func (c *ptrCache) get() {
	c.mu.RLock()
	defer c.mu.RUnlock()
	atomic.AddInt64(&c.hits, 1)
}

func (c *ptrCache) okResetPtrMutex() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hits = 0 // ok: the write lock, through the pointer field, excludes every count (fixture okResetPtrMutex) // excused guard
}

func (c *ptrCache) badReadPtrMutex() int64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.hits // want "non-atomic read of `c.hits`, which is accessed atomically elsewhere"
}
