// Package directive has malformed and unused directives.
package directive

import "sync"

type B struct {
	mu  sync.Mutex
	out chan int
}

func badNoReason(b *B) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// want +1 "lint directive gives no reason: write //lint:ignore lockchan <reason>"
	//lint:ignore lockchan
	b.out <- 1
}

func okUsed(b *B) {
	b.mu.Lock()
	defer b.mu.Unlock()
	//lint:ignore lockchan out is buffered
	b.out <- 1
}

func okOtherLinter() {
	//lint:ignore SA4006 staticcheck's business, not ours
	_ = 1
	//lint:ignore SA4006
	_ = 2 // ok: a directive without reason for staticcheck is staticcheck's to report
}
