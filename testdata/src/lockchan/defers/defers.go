// Package defers holds lockchan's fixtures for deferred unlocks and
// deferred calls, which run in last-in, first-out order.
package defers

import "sync"

type S struct {
	mu sync.Mutex
	ch chan int
}

func (s *S) send() { s.ch <- 1 }

func (s *S) badDeferUnlockThenSend() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ch <- 1 // want "send on `s.ch` while holding `s.mu`"
}

func (s *S) okDeferredSendRunsAfterUnlock() {
	defer s.send() // ok: deferred first, so it runs after the deferred unlock
	s.mu.Lock()
	defer s.mu.Unlock()
}

func (s *S) badDeferredSendRunsBeforeUnlock() {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.send() // want "deferred call to `s.send` may block on a channel send while holding `s.mu`"
}

func (s *S) okDeferredClosureUnlocksFirst() {
	s.mu.Lock()
	defer func() {
		s.mu.Unlock()
		s.ch <- 1 // ok: unlocked before the send
	}()
}

func (s *S) badDeferredClosureSendsFirst() {
	s.mu.Lock()
	defer func() { // want "deferred call to function literal may block on a channel send while holding `s.mu`"
		s.ch <- 1
		s.mu.Unlock()
	}()
}

func (s *S) okDeferredClosureUnlock() {
	defer s.send() // ok: runs after the deferred closure that unlocks
	s.mu.Lock()
	defer func() { s.mu.Unlock() }()
}

func (s *S) okExplicitUnlockThenDeferred() {
	defer s.send() // ok: the lock is released before return
	s.mu.Lock()
	s.mu.Unlock()
}

func (s *S) badDeferredTwoReturns(cond bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.send() // want "deferred call to `s.send` may block on a channel send while holding `s.mu`"
	if cond {
		return 1
	}
	return 2
}
