// Package watch runs the callbacks its callers supply in goroutines
// that its Close methods wait for. Its facts say which: W.Close waits
// for the goroutine that runs the function passed to Monitor, so a
// caller that calls Close while it holds a lock its callback takes can
// deadlock. The caller's package judges that (package user).
package watch

type Event int

// A W runs a callback for each event until Close.
type W struct {
	events chan Event
	stop   chan struct{}
	done   chan struct{}
}

// Monitor calls fn for each event in a goroutine that closes w.done
// when it stops: Close waits for the running call of fn to return.
func Monitor(fn func(Event)) *W {
	w := &W{events: make(chan Event), stop: make(chan struct{}), done: make(chan struct{})}
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

// Send hands the goroutine an event.
func (w *W) Send(e Event) { // want Send:`blocks\(a channel send at .*/watch.go:\d+; unblocked at .*/watch.go:\d+ after running lockchan/callback/watch.Monitor parameter 1\)`
	w.events <- e
}

// Close stops the goroutine and waits for it.
func (w *W) Close() { // want Close:`blocks\(a channel receive at .*/watch.go:\d+; unblocked at .*/watch.go:\d+ after running lockchan/callback/watch.Monitor parameter 1\)`
	close(w.stop)
	<-w.done
}

// An S is a W whose goroutine is a method: the callback reaches it as
// the method's parameter.
type S struct {
	events chan Event
	stop   chan struct{}
	done   chan struct{}
}

func (s *S) Start(fn func(Event)) {
	s.events, s.stop, s.done = make(chan Event), make(chan struct{}), make(chan struct{})
	go s.loop(fn)
}

func (s *S) loop(fn func(Event)) {
	defer close(s.done)
	for {
		select {
		case <-s.stop:
			return
		case e := <-s.events:
			fn(e)
		}
	}
}

func (s *S) Close() { // want Close:`blocks\(a channel receive at .*/watch.go:\d+; unblocked at .*/watch.go:\d+ after running \(\*lockchan/callback/watch.S\).Start parameter 2\)`
	close(s.stop)
	<-s.done
}

// A T runs its callback once, after the stop, before it closes done:
// Close still waits for it.
type T struct{ stop, done chan struct{} }

func Tail(fn func(Event)) *T {
	t := &T{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		<-t.stop
		fn(0)
		close(t.done)
	}()
	return t
}

func (t *T) Close() { // want Close:`blocks\(a channel receive at .*/watch.go:\d+; unblocked at .*/watch.go:\d+ after running lockchan/callback/watch.Tail parameter 1\)`
	close(t.stop)
	<-t.done
}

// An A runs its callback only after it closed done: Close does not
// wait for it (no callback in the fact).
type A struct{ stop, done chan struct{} }

func After(fn func(Event)) *A {
	a := &A{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		<-a.stop
		close(a.done)
		fn(0)
	}()
	return a
}

func (a *A) Close() { // want Close:`blocks\(a channel receive at .*/watch.go:\d+\)`
	close(a.stop)
	<-a.done
}

// An N calls its callback in the caller's goroutine; the goroutine
// Close waits for runs no callback (no callback in the fact).
type N struct{ stop, done chan struct{} }

func Notify(fn func(Event)) *N {
	n := &N{stop: make(chan struct{}), done: make(chan struct{})}
	fn(0)
	go func() {
		<-n.stop
		close(n.done)
	}()
	return n
}

func (n *N) Close() { // want Close:`blocks\(a channel receive at .*/watch.go:\d+\)`
	close(n.stop)
	<-n.done
}
