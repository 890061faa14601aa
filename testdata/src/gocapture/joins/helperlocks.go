package joins

import "sync"

// Locks taken and released by the package's helpers (helperlocks.go).

type guarded struct {
	mu sync.Mutex
	n  int
}

func (g *guarded) lock()   { g.mu.Lock() }
func (g *guarded) unlock() { g.mu.Unlock() }

var globalMu sync.Mutex

func lockGlobal()   { globalMu.Lock() }
func unlockGlobal() { globalMu.Unlock() }

// okHelperLocked counts under the mutex that lock takes.
func okHelperLocked(g *guarded, n int) int {
	count := 0
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.lock()
			count++ // ok: g.mu held, taken by lock // excused helper, locked
			g.unlock()
		}()
	}
	g.lock()
	v := count // ok: g.mu held
	g.unlock()
	wg.Wait()
	return v
}

// okHelperAndDirect takes the mutex through the helper in the
// goroutines and directly in the function.
func okHelperAndDirect(g *guarded, n int) int {
	count := 0
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.lock()
			count++ // ok: g.mu held // excused locked
			g.mu.Unlock()
		}()
	}
	g.mu.Lock()
	v := count // ok: g.mu held
	g.mu.Unlock()
	wg.Wait()
	return v
}

// okGlobalHelper counts under a global mutex that helpers take.
func okGlobalHelper(n int) int {
	count := 0
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lockGlobal()
			count++ // ok: globalMu held // excused joined, locked
			unlockGlobal()
		}()
	}
	wg.Wait()
	return count
}

// badHelperReleased counts after the helper released the mutex.
func badHelperReleased(g *guarded, n int) int {
	count := 0
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.lock()
			g.unlock()
			count++ // want "goroutine writes `count`, and more than one such goroutine may run at once without synchronization"
		}()
	}
	wg.Wait()
	return count
}

func (g *guarded) lockDeferred() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n++
}

// badDeferredUnlockHelper: lockDeferred releases the mutex when it
// returns, so the count is not guarded.
func badDeferredUnlockHelper(g *guarded, n int) int {
	count := 0
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.lockDeferred()
			count++ // want "goroutine writes `count`, and more than one such goroutine may run at once without synchronization"
		}()
	}
	wg.Wait()
	return count
}
