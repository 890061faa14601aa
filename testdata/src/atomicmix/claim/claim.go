// Package claim has a lock-free ring whose consumers claim a slot by
// moving an index with a CompareAndSwap, as sync's poolDequeue does.
package claim

import (
	"sync/atomic"
	"unsafe"
)

type slot struct {
	typ, val unsafe.Pointer
}

type ring struct {
	headTail atomic.Uint64
	vals     []slot
}

func unpack(ht uint64) (head, tail uint32) { return uint32(ht >> 32), uint32(ht) }

func pack(head, tail uint32) uint64 { return uint64(head)<<32 | uint64(tail) }

// push is called by the single producer.
func (r *ring) push(p unsafe.Pointer) bool {
	head, _ := unpack(r.headTail.Load())
	s := &r.vals[head&uint32(len(r.vals)-1)]
	if atomic.LoadPointer(&s.typ) != nil {
		return false // a consumer is still releasing the slot
	}
	atomic.StorePointer(&s.val, p)
	atomic.StorePointer(&s.typ, p)
	r.headTail.Add(1 << 32)
	return true
}

// popHead is called by the producer: the swap that moves head back
// gives it the slot at the new head.
func (r *ring) popHead() unsafe.Pointer {
	var s *slot
	for {
		ht := r.headTail.Load()
		head, tail := unpack(ht)
		if head == tail {
			return nil
		}
		head--
		if r.headTail.CompareAndSwap(ht, pack(head, tail)) {
			s = &r.vals[head&uint32(len(r.vals)-1)]
			break
		}
	}
	v := atomic.LoadPointer(&s.val)
	*s = slot{} // ok: the slot is claimed by the successful swap (fixture okClaimedSlot in atomicmix/claim) // excused claim
	return v
}

// popTail is called by any consumer; it releases the slot atomically.
func (r *ring) popTail() unsafe.Pointer {
	var s *slot
	for {
		ht := r.headTail.Load()
		head, tail := unpack(ht)
		if head == tail {
			return nil
		}
		if r.headTail.CompareAndSwap(ht, pack(head, tail+1)) {
			s = &r.vals[tail&uint32(len(r.vals)-1)]
			break
		}
	}
	v := s.val // ok: the swap that moved tail past the slot claimed it, and push's stores happened before its Add of headTail // excused claim
	atomic.StorePointer(&s.val, nil)
	atomic.StorePointer(&s.typ, nil)
	return v
}

// clearHead zeroes the slot at head after swapping a different word:
// the swap of headTail claims nothing at an index it did not compute.
func (r *ring) clearHead(gen *atomic.Uint64) {
	head, _ := unpack(r.headTail.Load())
	g := gen.Load()
	if gen.CompareAndSwap(g, g+1) {
		r.vals[head&uint32(len(r.vals)-1)].typ = nil // want "non-atomic write of `r.vals\\[.*\\].typ`, which is accessed atomically elsewhere"
	}
}

// A swap of a flag claims no field of the value it guards.
type state struct {
	started int32
	n       int64
}

func (s *state) start() {
	if atomic.CompareAndSwapInt32(&s.started, 0, 1) {
		s.n = 0 // want "non-atomic write of `s.n`, which is accessed atomically elsewhere"
	}
}

func (s *state) inc() { atomic.AddInt64(&s.n, 1) }

// A plain access reached whether or not the swap succeeded is not
// claimed.
func (r *ring) dropHead() {
	ht := r.headTail.Load()
	head, tail := unpack(ht)
	r.headTail.CompareAndSwap(ht, pack(head-1, tail))
	r.vals[(head-1)&uint32(len(r.vals)-1)].typ = nil // want "non-atomic write of `r.vals\\[.*\\].typ`, which is accessed atomically elsewhere"
}
