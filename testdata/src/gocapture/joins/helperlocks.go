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
			count++ // ok: g.mu held, taken by lock // excused locked
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

// The helpers' locks are held in the blocks after the call, until a
// release, on every path (helperlocks.go). The fixtures take a global
// mutex: calls handed a pointer to one are taken to order the
// accesses around them (rules 10 and 14).

// okHelperLockedBranch counts, in a branch, under the mutex that
// lockGlobal took before it.
func okHelperLockedBranch(n int) int {
	count := 0
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			lockGlobal()
			if i%2 == 0 {
				count++ // ok: globalMu held, taken before the branch // excused joined, locked
			}
			unlockGlobal()
		}(i)
	}
	wg.Wait()
	return count
}

// okHelperLockedLoop counts in a loop under the mutex.
func okHelperLockedLoop(n int) int {
	count := 0
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lockGlobal()
			for j := range 3 {
				count += j // ok: globalMu held through the loop // excused joined, locked
			}
			unlockGlobal()
		}()
	}
	wg.Wait()
	return count
}

// okHelperLockedReader reads, in a branch of the function, under the
// mutex the goroutines write under.
func okHelperLockedReader(n int, verbose bool) int {
	count := 0
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lockGlobal()
			count++ // ok: globalMu held // excused locked
			unlockGlobal()
		}()
	}
	lockGlobal()
	v := 0
	if verbose {
		v = count // ok: globalMu held, taken before the branch
	}
	unlockGlobal()
	wg.Wait()
	return v
}

// okHelperLockedEarlyReturn unlocks on each path out.
func okHelperLockedEarlyReturn(n int) int {
	count := 0
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			lockGlobal()
			if i == 0 {
				unlockGlobal()
				return
			}
			count++ // ok: globalMu held on the path that did not unlock // excused joined, locked
			unlockGlobal()
		}(i)
	}
	wg.Wait()
	return count
}

// badHelperLockOnePath takes the mutex on one path only.
func badHelperLockOnePath(n int) int {
	count := 0
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if i%2 == 0 {
				lockGlobal()
			}
			count++ // want "goroutine writes `count`, and more than one such goroutine may run at once without synchronization"
			if i%2 == 0 {
				unlockGlobal()
			}
		}(i)
	}
	wg.Wait()
	return count
}

// badHelperUnlockedInBranch counts after the unlock on one path.
func badHelperUnlockedInBranch(n int) int {
	count := 0
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			lockGlobal()
			if i%2 == 0 {
				unlockGlobal()
				count++ // want "goroutine writes `count`, and more than one such goroutine may run at once without synchronization"
				return
			}
			unlockGlobal()
		}(i)
	}
	wg.Wait()
	return count
}

// badHelperReaderAfterBranch reads after a branch that unlocks.
func badHelperReaderAfterBranch(n int, quiet bool) int {
	count := 0
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lockGlobal()
			count++ // want "goroutine writes `count`, which is read after the go statement"
			unlockGlobal()
		}()
	}
	lockGlobal()
	if quiet {
		unlockGlobal()
	}
	v := count
	if !quiet {
		unlockGlobal()
	}
	wg.Wait()
	return v
}
