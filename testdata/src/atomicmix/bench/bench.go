// Package bench holds benchmarks that share a sink variable: they run
// one at a time, so a plain write in one does not race with the
// atomic writes of another's RunParallel goroutines.
package bench

// Next returns n+1.
func Next(n uint64) uint64 { return n + 1 }
