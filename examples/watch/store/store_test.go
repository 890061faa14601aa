package store

import (
	"testing"
	"time"
)

// TestShutdownDeadlock shows that lockchan's finding in Shutdown is a
// real deadlock: Shutdown holds s.mu and waits for the watcher's
// goroutine, which is in the callback, waiting for s.mu. It passes by
// observing the hang (a watchdog), not by hanging CI.
func TestShutdownDeadlock(t *testing.T) {
	s := New()
	// Line the two up at s.mu: Shutdown first, then the callback of an
	// event. A mutex wakes its waiters in order, so Shutdown gets s.mu
	// while the watcher's goroutine is inside the callback.
	s.mu.Lock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Shutdown()
	}()
	time.Sleep(20 * time.Millisecond)
	go s.Notify("e")
	time.Sleep(20 * time.Millisecond)
	s.mu.Unlock()
	select {
	case <-done:
		t.Fatal("Shutdown returned; expected it to deadlock with the watcher's callback")
	case <-time.After(2 * time.Second):
		// Deadlocked, as lockchan says: the goroutines stay blocked.
	}
}
