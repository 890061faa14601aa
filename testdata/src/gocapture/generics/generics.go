// Package generics holds races in generic functions: go/ssa builds
// their bodies once, with type parameters.
package generics

import "sync"

// badReduce folds from several goroutines into one accumulator.
func badReduce[T any](xs []T, f func(T, T) T) T {
	var acc T
	var wg sync.WaitGroup
	for _, x := range xs { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			acc = f(acc, x) // want "goroutine writes `acc`, and more than one such goroutine may run at once"
		}()
	}
	wg.Wait()
	return acc
}

// okMapSlice gives each goroutine its own element.
func okMapSlice[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, len(xs))
	var wg sync.WaitGroup
	for i, x := range xs { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = f(x) // ok: distinct elements // excused distinct
		}()
	}
	wg.Wait()
	return out
}

// badFirst returns a result that the goroutine may still be writing.
func badFirst[K comparable, V any](m map[K]V, k K) V {
	var v V
	go func() {
		v = m[k] // want "goroutine writes `v`, which is read after the go statement"
	}()
	return v
}

// Set is a generic set guarded by a mutex.
type Set[T comparable] struct {
	mu sync.Mutex
	m  map[T]bool
}

// okAddAll adds from several goroutines under the set's lock.
func (s *Set[T]) okAddAll(xs []T) {
	var wg sync.WaitGroup
	for _, x := range xs { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.mu.Lock()
			s.m[x] = true // ok: s is only read; the map is reached through a field
			s.mu.Unlock()
		}()
	}
	wg.Wait()
}
