// Package watch runs a callback for each event in a goroutine of its
// own, and Close waits for that goroutine. A caller that holds, while
// it calls Close, a lock its callback takes can deadlock: see package
// store, and run sharedvet on it:
//
//	sharedvet ./examples/...
package watch

// A Watcher calls its callback for each event until Close.
type Watcher struct {
	events chan string
	stop   chan struct{}
	done   chan struct{}
}

// Monitor calls fn for each event in a goroutine that ends at Close.
func Monitor(fn func(event string)) *Watcher {
	w := &Watcher{events: make(chan string), stop: make(chan struct{}), done: make(chan struct{})}
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

// Notify hands the goroutine an event.
func (w *Watcher) Notify(e string) { w.events <- e }

// Close stops the goroutine and waits until the running callback has
// returned.
func (w *Watcher) Close() {
	close(w.stop)
	<-w.done
}
