// Package lib serves callbacks from goroutines; user's tests count
// them, across the package boundary.
package lib

import "sync"

// Events holds the callbacks.
type Events struct{ Opened func() }

// Serve calls the callback from its loops and returns once they
// exited.
func Serve(ev Events, loops int) {
	var wg sync.WaitGroup
	for range loops {
		wg.Go(ev.Opened)
	}
	wg.Wait()
}

// Start calls the callback from a loop that it does not wait for.
func Start(ev Events) { // want Start:"leaves goroutines"
	go func() { ev.Opened() }()
}

// Call calls f.
func Call(f func()) { f() }

// Go runs f in a new goroutine (a SpawnsFact).
func Go(f func()) { go f() } // want Go:"leaves goroutines"
