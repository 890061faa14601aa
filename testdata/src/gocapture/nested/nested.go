// Package nested holds goroutines started by closures, where the
// captured variable is a free variable of the starter.
package nested

import "sync"

// badInClosure starts the goroutine from a closure; both capture n.
func badInClosure() func() int {
	n := 0
	return func() int {
		go func() {
			n++ // want "goroutine writes `n`, which is read after the go statement"
		}()
		return n
	}
}

// okInClosureJoined joins in the closure before reading.
func okInClosureJoined() func() int {
	n := 0
	return func() int {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			n++ // excused joined
		}()
		wg.Wait()
		return n // ok: after Wait
	}
}

// badGoroutineStartsGoroutine: a goroutine starts another that writes
// the variable the first one then reads.
func badGoroutineStartsGoroutine() {
	x := 0
	done := make(chan bool)
	go func() {
		go func() {
			x = 1 // want "goroutine writes `x`, which is read after the go statement"
		}()
		println(x)
		done <- true
	}()
	<-done
}

// okPointerCaptured writes through a captured pointer: the pointee is
// not the captured variable, and p itself is only read.
func okPointerCaptured(p *int) {
	done := make(chan bool)
	go func() {
		*p = 1 // ok: not tracked, p is only read
		done <- true
	}()
	<-done
}

// okPerGoroutineVar declares the variable inside the goroutine.
func okPerGoroutineVar() {
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			n++ // ok: the goroutine's own
			println(n)
		}()
	}
	wg.Wait()
}

// okMethodValue starts a method value, which captures nothing by reference.
type worker struct{ n int }

func (w *worker) run() { w.n++ }

func okMethodValue(w *worker) {
	f := w.run
	go f()
}
