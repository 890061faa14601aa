package basic

import (
	"sync/atomic"
	"unsafe"
)

// node is a lock-free list's node, as otter v2's hash-map buckets: built
// by one goroutine, then published by an atomic store of its pointer.
type node struct {
	meta  atomic.Uint64
	slots [4]unsafe.Pointer
	next  atomic.Pointer[node]
}

func loadSlot(n *node) unsafe.Pointer { return atomic.LoadPointer(&n.slots[0]) }

// okAtomicFieldThenInit: an atomic method called on a field of the fresh
// node does not share the node (otter's internal/hashmap/map.go:375).
func okAtomicFieldThenInit(head *node, p unsafe.Pointer) {
	n := new(node)
	n.meta.Store(1)
	n.slots[0] = p // ok: n is not shared yet // excused unpublished
	head.next.Store(n)
}

// okCASFieldThenInit: a compare-and-swap on the fresh node's field.
func okCASFieldThenInit(head *node, p unsafe.Pointer) {
	n := new(node)
	n.meta.CompareAndSwap(0, 1)
	n.slots[0] = p // ok: n is not shared yet // excused unpublished
	head.next.Store(n)
}

// okLiteralThenInit: a composite literal, its next field cleared
// atomically, then its slot written, then published.
func okLiteralThenInit(head *node, p unsafe.Pointer) {
	n := &node{}
	n.next.Store(nil)
	n.slots[0] = p // ok: n is not shared yet // excused unpublished
	head.next.Store(n)
}

// badPublishedByAtomic: the atomic store that publishes n comes first.
func badPublishedByAtomic(head *node, p unsafe.Pointer) {
	n := new(node)
	head.next.Store(n)
	n.slots[0] = p // want "non-atomic write of"
}

// badStoredByAtomic: n's pointer is the value an atomic store writes.
func badStoredByAtomic(head *node, p unsafe.Pointer) {
	n := new(node)
	atomic.StorePointer(&head.slots[1], unsafe.Pointer(n))
	n.slots[0] = p // want "non-atomic write of"
}

// badSwappedIn: n's pointer is what an atomic swap writes.
func badSwappedIn(head *node, p unsafe.Pointer) {
	n := new(node)
	head.next.Swap(n)
	n.slots[0] = p // want "non-atomic write of"
}
