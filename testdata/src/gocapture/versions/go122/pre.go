//go:build go1.21

// This file's build constraint downgrades its Go version to 1.21,
// below the module's: its loop variables are shared again.

package loopvar

import "sync"

// badDowngraded: the file is at Go 1.21, so i is shared.
func badDowngraded(n int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ { // want "`i` is written after the go statement, while the goroutine reads it without synchronization"
		wg.Add(1)
		go func() {
			defer wg.Done()
			println(i)
		}()
	}
	wg.Wait()
}
