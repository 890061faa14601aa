// Package unsafename is xsync's Map (v4.5.0, map.go:1315): buckets
// reached through pointer arithmetic, whose next field Store links
// atomically and Stats reads plainly. The related information names
// the atomic site's location from its syntax, since SSA has no name
// for a local made from an unsafe.Pointer (TestRelatedName).
package unsafename

import (
	"sync/atomic"
	"unsafe"
)

type bucket struct {
	next unsafe.Pointer
	meta uint64
}

type table struct{ buckets []bucket }

func (t *table) link(i int, p unsafe.Pointer) {
	b := (*bucket)(unsafe.Pointer(uintptr(unsafe.Pointer(&t.buckets[0])) + uintptr(i)*unsafe.Sizeof(bucket{})))
	atomic.StorePointer(&b.next, p)
}

func (t *table) chained() int {
	n := 0
	for i := range t.buckets {
		b := &t.buckets[i]
		if b.next != nil { // want "non-atomic read of `b.next`, which is accessed atomically elsewhere"
			n++
		}
	}
	return n
}

// meta is read atomically everywhere: nothing to report.
func (t *table) metaOf(i int) uint64 {
	b := (*bucket)(unsafe.Pointer(uintptr(unsafe.Pointer(&t.buckets[0])) + uintptr(i)*unsafe.Sizeof(bucket{})))
	return atomic.LoadUint64(&b.meta)
}

func (t *table) metaSum() uint64 {
	var s uint64
	for i := range t.buckets {
		s += atomic.LoadUint64(&t.buckets[i].meta)
	}
	return s
}
