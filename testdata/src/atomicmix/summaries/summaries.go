// Package summaries holds values that stay unshared while they come
// from, or pass through, a function that does not share them: the
// constructors and init methods of grpc's transport and etcd's store.
package summaries

import (
	"sync/atomic"
)

type buffer struct {
	c   chan int
	err error
}

// init does not let b escape: it only writes through it.
func (b *buffer) init() {
	b.c = make(chan int, 1)
}

type stream struct {
	buf    buffer
	closed uint32
	n      int64
}

// Close is the atomic side of closed and n.
func (s *stream) Close() {
	atomic.StoreUint32(&s.closed, 1)
	atomic.AddInt64(&s.n, 1)
}

var published []*stream

func publish(s *stream) { published = append(published, s) }

// newStream is a constructor: its result is not shared yet.
func newStream() *stream {
	s := &stream{}
	s.buf.init()
	return s
}

// okConstructorCall initializes the constructor's result before
// publishing it (grpc's transport_test newTestClientStream).
func okConstructorCall() {
	s := newStream()
	s.closed = 0 // ok: s comes from a constructor and is not shared yet // excused unpublished
	publish(s)
}

// okInitMethod passes a fresh value to an init method that does not
// share it (grpc's http2_server operateHeaders).
func okInitMethod() {
	s := &stream{}
	s.buf.init()
	s.n = 1 // ok: init does not share s.buf // excused unpublished
	publish(s)
}

// okSingleGoroutine uses a constructed value in one goroutine only
// (grpc's callcounter_test, etcd's stats_test).
func okSingleGoroutine() int64 {
	s := newStream()
	s.Close()
	return s.n // ok: Close does not share s // excused unpublished
}

// okNestedConstructor returns another constructor's result.
func okNestedConstructor() *stream {
	return newStream()
}

func okNested() {
	s := okNestedConstructor()
	s.n = 2 // ok: fresh through two constructors // excused unpublished
	publish(s)
}

// newTicking starts a goroutine with the value it returns.
func newTicking() *stream {
	s := &stream{}
	go func() {
		for {
			s.Close()
		}
	}()
	return s
}

func badTicking() {
	s := newTicking()
	s.n = 0 // want "non-atomic write of `s.n`, which is accessed atomically elsewhere"
}

// newCached returns a value it also stored in a global.
func newCached() *stream {
	s := &stream{}
	published = append(published, s)
	return s
}

func badCached() {
	s := newCached()
	s.n = 0 // want "non-atomic write of `s.n`, which is accessed atomically elsewhere"
}

func badPublished() {
	s := &stream{}
	publish(s)
	s.n = 0 // want "non-atomic write of `s.n`, which is accessed atomically elsewhere"
}

// start shares its parameter with a goroutine.
func start(s *stream) { go s.Close() }

// relay passes s on to start.
func relay(s *stream) { start(s) }

func badStarted() {
	s := &stream{}
	relay(s)
	s.n = 0 // want "non-atomic write of `s.n`, which is accessed atomically elsewhere"
}

type closer interface{ Close() }

func badInterface(c func() closer) {
	s := &stream{}
	var x closer = s
	x.Close()
	s.n = 0 // want "non-atomic write of `s.n`, which is accessed atomically elsewhere"
}

func badFuncValue(f func(*stream)) {
	s := &stream{}
	f(s)
	s.n = 0 // want "non-atomic write of `s.n`, which is accessed atomically elsewhere"
}
