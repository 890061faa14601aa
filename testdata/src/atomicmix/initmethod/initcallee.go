package initmethod

import (
	"sync/atomic"
	"unsafe"
)

// memTable is go-memdb's MemDB in small: the constructor prepares the
// new table in a helper method, which writes the root that every other
// method loads atomically.
type memTable struct {
	root unsafe.Pointer
	size int64
}

func newMemTable() *memTable {
	t := &memTable{}
	t.initialize()
	return t
}

func (t *memTable) initialize() {
	root := t.getRoot()
	t.root = unsafe.Pointer(root) // ok: every call of initialize is on a value its caller has not yet shared (fixture memTable.initialize) // excused initcallee
	t.size = 0                    // excused initcallee
}

func (t *memTable) getRoot() *int { return (*int)(atomic.LoadPointer(&t.root)) }

func (t *memTable) grow() { atomic.AddInt64(&t.size, 1) }

// okInitCallee prepares two values with the same helper before either
// is shared.
func okInitCallee() (*memTable, *memTable) {
	a, b := new(memTable), new(memTable)
	a.initialize()
	b.initialize()
	return a, b
}

// A helper that a method also calls on a value in use is not
// initialization.
type resettable struct{ n int64 }

func newResettable() *resettable {
	r := &resettable{}
	r.clear()
	return r
}

func (r *resettable) clear() {
	r.n = 0 // want "non-atomic write of `r.n`, which is accessed atomically elsewhere"
}

func (r *resettable) Reset() { r.clear() }

func (r *resettable) Add() { atomic.AddInt64(&r.n, 1) }

// A helper that starts a goroutine on its receiver before the write
// has shared it.
type started struct{ n int64 }

func newStarted() *started {
	s := &started{}
	s.start()
	return s
}

func (s *started) start() {
	go s.loop()
	s.n = 1 // want "non-atomic write of `s.n`, which is accessed atomically elsewhere"
}

func (s *started) loop() { atomic.AddInt64(&s.n, 1) }

// A helper the constructor calls after it published the value.
type published struct{ n int64 }

var current *published

func newPublished() *published {
	p := &published{}
	current = p
	p.setup()
	return p
}

func (p *published) setup() {
	p.n = 1 // want "non-atomic write of `p.n`, which is accessed atomically elsewhere"
}

func (p *published) Bump() { atomic.AddInt64(&p.n, 1) }

// A helper also used as a method value: who calls it is unknown.
type valued struct{ n int64 }

func newValued() (*valued, func()) {
	v := &valued{}
	v.prepare()
	return v, new(valued).prepare
}

func (v *valued) prepare() {
	v.n = 1 // want "non-atomic write of `v.n`, which is accessed atomically elsewhere"
}

func (v *valued) Bump() { atomic.AddInt64(&v.n, 1) }

// A helper run by a go statement on a fresh value runs beside its
// caller, which goes on to share the value.
type spawned struct{ n int64 }

func newSpawned() *spawned {
	s := &spawned{}
	go s.fill()
	return s
}

func (s *spawned) fill() {
	s.n = 1 // want "non-atomic write of `s.n`, which is accessed atomically elsewhere"
}

func (s *spawned) Bump() { atomic.AddInt64(&s.n, 1) }

// A helper named by an interface call of the package.
type preparer interface{ ready() }

type viaIface struct{ n int64 }

func newViaIface() *viaIface {
	v := &viaIface{}
	v.ready()
	var p preparer = new(viaIface)
	p.ready()
	return v
}

func (v *viaIface) ready() {
	v.n = 1 // want "non-atomic write of `v.n`, which is accessed atomically elsewhere"
}

func (v *viaIface) Bump() { atomic.AddInt64(&v.n, 1) }
