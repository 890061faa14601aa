// Package broker is a small message broker with the shared-state bugs
// sharedvet finds. Run sharedvet on it to see them:
//
//	sharedvet ./examples/...
package broker

import "sync"

// Broker numbers messages and hands them to its delivery goroutine.
type Broker struct {
	mu   sync.Mutex
	seq  int
	in   chan string
	subs []func(string)
}

// New returns a broker with its delivery goroutine running.
func New() *Broker {
	b := &Broker{in: make(chan string)}
	go b.run()
	return b
}

// run delivers each published message to the subscribers. It takes
// b.mu to read the subscriber list before it receives the next one.
func (b *Broker) run() {
	for msg := range b.in {
		b.mu.Lock()
		subs := b.subs
		b.mu.Unlock()
		for _, f := range subs {
			f(msg)
		}
	}
}

// Publish numbers msg and hands it to run while it keeps b.mu. When
// run is waiting for b.mu (after the previous message), Publish holds
// b.mu and waits for run: the two deadlock.
func (b *Broker) Publish(msg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	b.in <- msg
}

// Subscribe registers f for every later message.
func (b *Broker) Subscribe(f func(string)) {
	b.mu.Lock()
	b.subs = append(b.subs, f)
	b.mu.Unlock()
}
