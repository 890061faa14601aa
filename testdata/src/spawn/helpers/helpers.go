// Package helpers holds functions that do and do not run a function
// argument in a new goroutine.
package helpers

import "time"

func Go(f func()) { go f() } // want Go:"spawns\\(0\\)"

func GoWrapped(name string, f func()) { // want GoWrapped:"spawns\\(1\\)"
	go func() {
		defer func() { recover() }()
		f()
	}()
}

// Later hands f to another spawner of the package.
func Later(f func()) { GoWrapped("later", f) } // want Later:"spawns\\(0\\)"

// Timer hands f to time.AfterFunc.
func Timer(f func()) { time.AfterFunc(time.Second, f) } // want Timer:"spawns\\(0\\)"

type Pool struct{}

func (*Pool) Submit(f func()) { go f() } // want Submit:"spawns\\(1\\)"

// Run calls f: not a spawner.
func Run(f func()) { f() }

// Each calls each function: not a spawner.
func Each(fs []func()) {
	for _, f := range fs {
		f()
	}
}

// RunAll runs f in goroutines and waits for them, as
// (*testing.B).RunParallel does: not a spawner for its callers.
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

// GoThenCall starts f, then calls a function that may wait for it.
func GoThenCall(f func(), wait func()) {
	go f()
	wait()
}
