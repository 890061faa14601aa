// Package lockchan has lockchan findings, some silenced by directives.
package lockchan

import "sync"

type B struct {
	mu  sync.Mutex
	out chan int
}

func badUnsilenced(b *B) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.out <- 1 // want "send on `b.out` while holding `b.mu`"
}

func okLineIgnore(b *B) {
	b.mu.Lock()
	defer b.mu.Unlock()
	//lint:ignore lockchan out is buffered and never full
	b.out <- 1 // ok: silenced by the directive above
}

func okTrailingIgnore(b *B) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.out <- 1 //lint:ignore lockchan-stall out is buffered and never full
}

func okSuiteIgnore(b *B) {
	b.mu.Lock()
	defer b.mu.Unlock()
	//lint:ignore SA1000,sharedvet several checks in one directive
	b.out <- 1 // ok: "sharedvet" names every check
}

func badOtherCheck(b *B) {
	b.mu.Lock()
	defer b.mu.Unlock()
	//lint:ignore atomicmix names another check
	b.out <- 1 // want "send on `b.out` while holding `b.mu`"
}

func badNoReason(b *B) {
	b.mu.Lock()
	defer b.mu.Unlock()
	//lint:ignore lockchan
	b.out <- 1 // want "send on `b.out` while holding `b.mu`"
}

func badLineBelow(b *B) {
	b.mu.Lock()
	defer b.mu.Unlock()
	//lint:ignore lockchan silences the next line only
	b.seq()
	b.out <- 1 // want "send on `b.out` while holding `b.mu`"
}

func (b *B) seq() {}
