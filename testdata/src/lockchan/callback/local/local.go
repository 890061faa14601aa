// Package local is package watch and package user in one package: the
// goroutine that closes w.done calls the function passed to monitor,
// a call through a parameter, which takes the lock only when every
// function the package passes for that parameter does.
package local

import "sync"

type W struct {
	events chan int
	stop   chan struct{}
	done   chan struct{}
}

func monitor(fn func(int)) *W {
	w := &W{events: make(chan int), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for {
			select {
			case <-w.stop:
				return
			case e := <-w.events:
				fn(e)
			}
		}
	}()
	return w
}

func (w *W) close() {
	close(w.stop)
	<-w.done
}

type D struct {
	mu sync.Mutex
	n  int
	w  *W
}

func newD() *D {
	d := &D{}
	d.w = monitor(d.onEvent)
	return d
}

func (d *D) onEvent(e int) {
	d.mu.Lock()
	d.n += e
	d.mu.Unlock()
}

func (d *D) badClose() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.w.close() // want "call to `d.w.close` may block on a channel receive while holding `d.mu`; its only sender takes `d.mu` first, so this can deadlock"
}

// An A runs its callback after it closes done.
type A struct{ stop, done chan struct{} }

func after(fn func()) *A {
	a := &A{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		<-a.stop
		close(a.done)
		fn()
	}()
	return a
}

func (a *A) close() {
	close(a.stop)
	<-a.done
}

// An E runs whichever function its callers pass: one takes e.mu, the
// other does not.
type E struct{ stop, done chan struct{} }

func each(fn func()) *E {
	e := &E{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(e.done)
		<-e.stop
		fn()
	}()
	return e
}

func (e *E) close() {
	close(e.stop)
	<-e.done
}

type F struct {
	mu   sync.Mutex
	n    int
	a    *A
	e, q *E
}

func newF() *F {
	f := &F{}
	f.a = after(func() { f.mu.Lock(); f.n++; f.mu.Unlock() })
	f.e = each(func() { f.mu.Lock(); f.n++; f.mu.Unlock() })
	f.q = each(func() { f.n++ })
	return f
}

func (f *F) okCloseAfter() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.a.close() // ok: the goroutine runs the callback only after it closes done
}

func (f *F) okCloseMixed() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.e.close() // ok: one of the functions passed to each takes no lock (in one package, every value of E is one)
}

var _, _ = newD, newF
