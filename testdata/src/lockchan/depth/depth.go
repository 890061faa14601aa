// Package depth checks the -lockchan.depth flag, set to 3 by the test.
package depth

import "sync"

var (
	mu sync.Mutex
	ch = make(chan int)
)

func send()   { ch <- 1 }
func level2() { send() }
func level3() { level2() }
func level4() { level3() }

func badDepth3() {
	mu.Lock()
	level3() // want "call to `level3` may block on a channel send while holding `mu`"
	mu.Unlock()
}

func okDepth4() {
	mu.Lock()
	level4() // ok: deeper than the flag allows
	mu.Unlock()
}
