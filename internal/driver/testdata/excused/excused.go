// Package excused has one candidate that an exception clears and no
// finding: sharedvet -excused prints the one and exits 0.
package excused

import (
	"sync"
	"sync/atomic"
)

// Once is the sync.Once pattern: the plain read of done holds mu, which
// every write of done holds.
type Once struct {
	done uint32
	mu   sync.Mutex
}

func (o *Once) Do(f func()) {
	if atomic.LoadUint32(&o.done) == 0 {
		o.slow(f)
	}
}

func (o *Once) slow(f func()) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done == 0 {
		defer atomic.StoreUint32(&o.done, 1)
		f()
	}
}
