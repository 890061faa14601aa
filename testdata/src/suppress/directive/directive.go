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

func badBlankReason(b *B) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// want +1 "lint directive gives no reason: write //lint:ignore lockchan <reason>"
	//lint:ignore lockchan 	 
	b.out <- 1
}

func badMisspelled(b *B) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// want +1 "lint directive names lokchan, which is no check: write lockchan"
	//lint:ignore lokchan out is buffered
	b.out <- 1
}

func badUpperCase(b *B) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// want +1 "lint directive names Lockchan-Stall, which is no check: write lockchan-stall"
	//lint:ignore Lockchan-Stall out is buffered
	b.out <- 1
}

func badEmptyName(b *B) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// want +1 "lint directive has an empty check name: write //lint:ignore CHECK\\[,CHECK\\] <reason>"
	//lint:ignore lockchan, out is buffered
	b.out <- 1
}

func badSuiteMisspelled() {
	// want +1 "lint directive names SharedVet, which is no check: write sharedvet"
	//lint:ignore SharedVet generated
	_ = 3
}

func okTabSeparated(b *B) {
	b.mu.Lock()
	defer b.mu.Unlock()
	//lint:ignore lockchan	out is buffered
	b.out <- 1
}

func okOtherLinters() {
	//lint:ignore U1000 kept for the next release
	_ = 4
	//lint:ignore errcheck,gosec the error is logged by the caller
	_ = 5
}
