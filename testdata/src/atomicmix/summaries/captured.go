package summaries

import "sync/atomic"

// A stream's state is set atomically once the cstream is running.
type cstream struct {
	state uint32
}

func (s *cstream) setState(v uint32) { atomic.StoreUint32(&s.state, v) }

// s is captured by a closure, so each use reads the pointer back from
// s's cell; until the closure exists and the cstream is published, the
// cstream is the function's own (grpc's operateHeaders: "s is just
// created by the caller. No lock needed").
func okCapturedInit(ended bool, publish func(*cstream, func())) {
	s := &cstream{}
	if ended {
		s.state = 2 // ok: not yet shared (fixture okCapturedInit in atomicmix/summaries) // excused unpublished
	}
	cancel := func() { s.setState(3) }
	publish(s, cancel)
}

func badCapturedAfterClosure(publish func(func())) {
	s := &cstream{}
	publish(func() { s.setState(1) })
	s.state = 2 // want "non-atomic write of `s.state`, which is accessed atomically elsewhere"
}

func badCapturedPublished(publish func(*cstream)) {
	s := &cstream{}
	publish(s)
	s.state = 2 // want "non-atomic write of `s.state`, which is accessed atomically elsewhere"
	done := func() { s.setState(4) }
	done()
}

// Assigned twice, s may hold a shared cstream.
func badCapturedReassigned(shared *cstream) {
	s := &cstream{}
	if shared != nil {
		s = shared
	}
	s.state = 2 // want "non-atomic write of `s.state`, which is accessed atomically elsewhere"
	done := func() { s.setState(4) }
	done()
}
