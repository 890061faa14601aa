// Package broker is a small message broker with the shared-state bugs
// sharedvet finds. Run sharedvet on it to see them:
//
//	sharedvet ./examples/...
package broker

import "sync"

// Broker fans messages out to subscribers.
type Broker struct {
	mu   sync.Mutex
	seq  int
	subs []chan string
}

// Publish delivers msg to every subscriber. It keeps b.mu while it
// sends, so one slow subscriber stalls every Subscribe and Publish.
func (b *Broker) Publish(msg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	for _, s := range b.subs {
		s <- msg
	}
}

// Subscribe registers a new subscriber.
func (b *Broker) Subscribe() <-chan string {
	ch := make(chan string, 16)
	b.mu.Lock()
	b.subs = append(b.subs, ch)
	b.mu.Unlock()
	return ch
}
