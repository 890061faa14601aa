package basic

import "fmt"

// Rule "constant": code under a constant false condition never runs.

const debug = false

const trace = true

// okConstFalse writes only under if debug.
func okConstFalse() int {
	x := 0
	done := make(chan struct{})
	go func() {
		if debug {
			x = 1 // ok: never runs // excused constant
		}
		close(done)
	}()
	n := x
	<-done
	return n
}

// okConstFalseStarter starts the goroutine only under if debug.
func okConstFalseStarter() int {
	x := 0
	if debug {
		go func() { x = 1 }() // ok: never started // excused constant
	}
	return x
}

// okConstFalseRead reads after go only under a constant false
// comparison.
func okConstFalseRead() {
	x := 0
	done := make(chan struct{})
	go func() {
		x = 1
		close(done)
	}()
	if debug && trace {
		fmt.Println(x) // ok: never runs // excused constant
	}
	<-done
}

// badConstTrue writes under a constant true condition.
func badConstTrue() int {
	x := 0
	go func() {
		if trace {
			x = 1 // want "goroutine writes `x`, which is read after the go statement"
		}
	}()
	return x
}
