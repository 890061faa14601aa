package broker

import (
	"sync"
	"sync/atomic"
)

// Stats counts deliveries. Inc is called from many goroutines.
type Stats struct {
	delivered uint64
}

func (s *Stats) Inc() { atomic.AddUint64(&s.delivered, 1) }

// Snapshot reads the counter plainly: a data race with Inc.
func (s *Stats) Snapshot() uint64 { return s.delivered }

// DeliverAll hands each message to deliver in its own goroutine and
// counts failures in a captured variable that every goroutine writes.
func DeliverAll(msgs []string, deliver func(string) error) int {
	failed := 0
	var wg sync.WaitGroup
	for _, m := range msgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if deliver(m) != nil {
				failed++
			}
		}()
	}
	wg.Wait()
	return failed
}
