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
