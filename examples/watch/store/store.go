// Package store keeps what a watch.Watcher reports. Its Shutdown holds
// s.mu while it waits for the watcher's goroutine, whose callback takes
// s.mu: if an event is being handled, neither can go on.
package store

import (
	"sync"

	"github.com/sharedvet/sharedvet/examples/watch"
)

// A Store counts the events a watcher reports.
type Store struct {
	mu     sync.Mutex
	events int
	closed bool
	w      *watch.Watcher
}

// New returns a store that counts the events of a new watcher.
func New() *Store {
	s := &Store{}
	s.w = watch.Monitor(func(string) {
		s.mu.Lock()
		s.events++
		s.mu.Unlock()
	})
	return s
}

// Notify reports an event to the store's watcher.
func (s *Store) Notify(e string) { s.w.Notify(e) }

// Shutdown marks the store closed and stops the watcher.
func (s *Store) Shutdown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.w.Close() // the watcher's callback takes s.mu: this can deadlock
}
