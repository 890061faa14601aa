// Package unused has a directive that silences nothing, reported under
// -lintdirective.unused.
package unused

import "sync"

type B struct {
	mu  sync.Mutex
	out chan int
}

func okUsed(b *B) {
	b.mu.Lock()
	defer b.mu.Unlock()
	//lint:ignore lockchan out is buffered
	b.out <- 1
}

func badStale(b *B) {
	b.mu.Lock()
	b.mu.Unlock()
	// want +1 "lint directive for lockchan silences no finding"
	//lint:ignore lockchan the lock used to be held here
	b.out <- 1
}

func okOtherLinter() {
	//lint:ignore SA4006 not ours to judge
	_ = 1
}
