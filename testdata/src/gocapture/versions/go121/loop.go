// Package loopvar is compiled at Go 1.21 (see go.mod): a loop
// variable is one variable for the whole loop, shared by the
// goroutines of all its iterations.
package loopvar

import "sync"

// badThreeClause: i++ writes the i that the goroutines read.
func badThreeClause(n int) {
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

// badRange: each iteration assigns the x that the goroutines read.
func badRange(xs []string) {
	var wg sync.WaitGroup
	for _, x := range xs { // want "`x` is written after the go statement, while the goroutine reads it without synchronization"
		wg.Add(1)
		go func() {
			defer wg.Done()
			println(x)
		}()
	}
	wg.Wait()
}

// okCopy copies the loop variable, as code before Go 1.22 must.
func okCopy(xs []string) {
	var wg sync.WaitGroup
	for _, x := range xs {
		x := x // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			println(x) // ok: a copy per iteration
		}()
	}
	wg.Wait()
}

// okArgument passes the loop variable as an argument.
func okArgument(xs []string) {
	var wg sync.WaitGroup
	for _, x := range xs {
		wg.Add(1)
		go func(x string) {
			defer wg.Done()
			println(x) // ok: passed by value
		}(x)
	}
	wg.Wait()
}
