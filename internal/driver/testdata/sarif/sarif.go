package sarif

import "sync"

type B struct {
	mu  sync.Mutex
	out chan string
}

// Send has a lockchan finding with a related location; the comment has
// non-ASCII text so that columns in UTF-16 units differ from bytes.
func (b *B) Send(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n = n + 1
	/* é */ b.out <- "ü"
}

// NewB starts the receiver, which takes b.mu before each receive:
// Send can deadlock with it.
func NewB() *B {
	b := &B{out: make(chan string)}
	go func() {
		for range b.out {
			b.mu.Lock()
			b.mu.Unlock()
		}
	}()
	return b
}
