// Package user calls package blocker's functions while holding locks.
package user

import (
	"sync"

	"lockchan/crosspkg/blocker"
)

type Service struct {
	mu   sync.Mutex
	pipe *blocker.Pipe
	done chan struct{}
	c    chan int
}

func (s *Service) badPut() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pipe.Put("x") // want "call to `s.pipe.Put` may block on a channel send \\(.*/blocker.go:10\\) while holding `s.mu`"
}

func (s *Service) badRelay() {
	s.mu.Lock()
	s.pipe.Relay("x") // want "call to `s.pipe.Relay` may block on a channel send \\(.*/blocker.go:10\\) while holding `s.mu`"
	s.mu.Unlock()
}

func (s *Service) badWait() {
	s.mu.Lock()
	blocker.Wait(s.done) // want "call to `blocker.Wait` may block on a channel receive \\(.*/blocker.go:20\\) while holding `s.mu`"
	s.mu.Unlock()
}

func (s *Service) helper() { blocker.Wait(s.done) }

func (s *Service) badViaLocalHelper() {
	s.mu.Lock()
	s.helper() // want "call to `s.helper` may block on a channel receive \\(.*/blocker.go:20\\) while holding `s.mu`"
	s.mu.Unlock()
}

func (s *Service) okLen() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pipe.Len() // ok: Len does not block
}

func (s *Service) okTrySend() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return blocker.TrySend(s.c, 1) // ok: select with default
}

func (s *Service) okUnlocked() {
	s.mu.Lock()
	p := s.pipe
	s.mu.Unlock()
	p.Put("x") // ok: released
}

func (s *Service) okNotifyNil() {
	s.mu.Lock()
	defer s.mu.Unlock()
	blocker.Notify(nil) // ok: no channel, no send
}

func (s *Service) badNotify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	blocker.Notify(s.done) // want "call to `blocker.Notify` may block on a channel send \\(.*/blocker.go:34\\) while holding `s.mu`"
}
