// Package loopvar is compiled at Go 1.22 (see go.mod): each iteration
// of a loop has its own loop variable.
package loopvar

import "sync"

// okThreeClause: each goroutine reads its own i.
func okThreeClause(n int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ { // ok: per-iteration i
		wg.Add(1)
		go func() {
			defer wg.Done()
			println(i)
		}()
	}
	wg.Wait()
}

// okRange: each goroutine reads its own x.
func okRange(xs []string) {
	var wg sync.WaitGroup
	for _, x := range xs { // ok: per-iteration x // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			println(x)
		}()
	}
	wg.Wait()
}

// badSharedOutsideLoop: a variable declared outside the loop is still shared.
func badSharedOutsideLoop(xs []string) string {
	var last string
	var wg sync.WaitGroup
	for _, x := range xs { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			last = x // want "goroutine writes `last`, and more than one such goroutine may run at once"
		}()
	}
	wg.Wait()
	return last
}
