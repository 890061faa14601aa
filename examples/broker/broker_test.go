package broker

import (
	"testing"
	"time"
)

// TestPublishDeadlock shows that lockchan's finding in Publish is a
// real deadlock: the second Publish holds b.mu while run waits for it.
// It passes by observing the hang (a watchdog), not by hanging CI.
func TestPublishDeadlock(t *testing.T) {
	b := New()
	b.Subscribe(func(string) { time.Sleep(time.Millisecond) })
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 100 {
			b.Publish("m")
		}
	}()
	select {
	case <-done:
		t.Fatal("100 publishes finished; expected Publish and run to deadlock")
	case <-time.After(2 * time.Second):
		// Deadlocked, as lockchan says: the goroutines stay blocked.
	}
}
