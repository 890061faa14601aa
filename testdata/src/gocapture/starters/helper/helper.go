// Package helper runs callbacks in goroutines, as many packages' own
// Go helpers do; gocapture learns it from spawnfact's facts.
package helper

// Go runs f in a new goroutine.
func Go(f func()) { go f() }

// A Runner runs tasks.
type Runner struct{}

// Submit runs f in a new goroutine that recovers its panics.
func (*Runner) Submit(name string, f func()) {
	go func() {
		defer func() { recover() }()
		f()
	}()
}

// Run calls f and returns: not a spawner.
func Run(f func()) { f() }

// RunAll runs f in n goroutines and waits for them, as
// (*testing.B).RunParallel does.
func RunAll(n int, f func()) {
	done := make(chan struct{})
	for range n {
		go func() {
			f()
			done <- struct{}{}
		}()
	}
	for range n {
		<-done
	}
}
