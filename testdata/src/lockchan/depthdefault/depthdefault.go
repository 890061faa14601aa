// Package depthdefault checks the default of -lockchan.depth: 2.
package depthdefault

import "sync"

var (
	mu sync.Mutex
	ch = make(chan int)
)

func send()   { ch <- 1 }
func level2() { send() }
func level3() { level2() }

func badDepth2() {
	mu.Lock()
	level2() // want "call to `level2` may block on a channel send while holding `mu`"
	mu.Unlock()
}

func okDepth3() {
	mu.Lock()
	level3() // ok: three calls deep, beyond the default
	mu.Unlock()
}
