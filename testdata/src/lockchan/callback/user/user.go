// Package user supplies callbacks to package watch, whose goroutines
// run them, and then waits for those goroutines while it holds a lock.
// When every callback it passes takes the held lock, the wait can
// deadlock: the goroutine is stuck in the callback, waiting for the
// lock, and never reaches the close that would end the wait.
package user

import (
	"sync"

	"lockchan/callback/watch"
)

type D struct {
	mu   sync.Mutex
	rw   sync.RWMutex
	n    int
	w    *watch.W
	s    *watch.S
	t    *watch.T
	a    *watch.A
	note *watch.N
}

func newD() *D {
	d := &D{s: new(watch.S)}
	d.w = watch.Monitor(func(e watch.Event) {
		d.mu.Lock()
		d.n += int(e)
		d.mu.Unlock()
	})
	d.s.Start(d.onEvent)
	d.t = watch.Tail(func(watch.Event) { d.count() })
	d.a = watch.After(func(watch.Event) { d.count() })
	d.note = watch.Notify(func(watch.Event) { d.count() })
	return d
}

func (d *D) onEvent(e watch.Event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.n += int(e)
}

// count takes d.mu a call below the callback.
func (d *D) count() {
	d.mu.Lock()
	d.n++
	d.mu.Unlock()
}

func (d *D) badClose() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.w.Close() // want "call to `d.w.Close` may block on a channel receive \\(.*/watch.go:\\d+\\) while holding `d.mu`; its only sender runs the function literal in newD passed to `watch.Monitor`, which takes `d.mu` first, so this can deadlock"
}

func (d *D) badSend() {
	d.mu.Lock()
	d.w.Send(1) // want "call to `d.w.Send` may block on a channel send \\(.*/watch.go:\\d+\\) while holding `d.mu`; its only receiver runs the function literal in newD passed to `watch.Monitor`, which takes `d.mu` first"
	d.mu.Unlock()
}

func (d *D) badCloseMethodValue() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.s.Close() // want "call to `d.s.Close` may block on a channel receive \\(.*/watch.go:\\d+\\) while holding `d.mu`; its only sender runs `\\(\\*D\\).onEvent` passed to `d.s.Start`, which takes `d.mu` first"
}

func (d *D) badCloseTail() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.t.Close() // want "call to `d.t.Close` may block .* while holding `d.mu`; its only sender runs the function literal in newD passed to `watch.Tail`, which takes `d.mu` first"
}

// stop is a helper: the call under the lock reaches Close a call below.
func (d *D) stop() { d.w.Close() }

func (d *D) badCloseThroughHelper() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stop() // want "call to `d.stop` may block on a channel receive .* while holding `d.mu`; its only sender runs"
}

func (d *D) okCloseAfter() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.a.Close() // ok: the goroutine runs the callback after it closes done
}

func (d *D) okCloseNotify() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.note.Close() // ok: Notify runs the callback in the caller's goroutine, not in the one Close waits for
}

func (d *D) okCloseOtherLock() {
	d.rw.Lock()
	defer d.rw.Unlock()
	d.w.Close() // ok: the callback takes d.mu, not d.rw
}

func (d *D) okCloseUnlocked() {
	d.mu.Lock()
	d.n = 0
	d.mu.Unlock()
	d.w.Close() // ok: nothing held
}

// Readers: a callback that read-locks does not wait for a read lock.
type R struct {
	mu sync.RWMutex
	n  int
	w  *watch.W
}

func newR() *R {
	r := &R{}
	r.w = watch.Monitor(func(watch.Event) {
		r.mu.RLock()
		_ = r.n
		r.mu.RUnlock()
	})
	return r
}

func (r *R) okReadLockedClose() {
	r.mu.RLock()
	defer r.mu.RUnlock()
	r.w.Close() // ok: the callback only read-locks r.mu
}

func (r *R) badWriteLockedClose() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.w.Close() // want "while holding `r.mu`; its only sender runs the function literal in newR passed to `watch.Monitor`, which takes `r.mu` first"
}

// Quiet's callback takes no lock.
type Quiet struct {
	mu sync.Mutex
	n  int
	w  *watch.W
}

func newQuiet() *Quiet {
	q := &Quiet{}
	q.w = watch.Monitor(func(watch.Event) { q.n++ })
	return q
}

func (q *Quiet) okCallbackLockFree() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.w.Close() // ok: the callback takes no lock (a stall)
}

// Mixed passes two callbacks to Monitor, one of which does not take
// the lock: the goroutine Close waits for may be the one whose callback
// runs free.
type Mixed struct {
	mu    sync.Mutex
	n     int
	w, w2 *watch.W
}

func newMixed(fn func(watch.Event)) *Mixed {
	m := &Mixed{}
	m.w = watch.Monitor(func(watch.Event) { m.mu.Lock(); m.n++; m.mu.Unlock() })
	m.w2 = watch.Monitor(fn)
	return m
}

func (m *Mixed) okCallbackUnknown() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.w2.Close() // ok: one Monitor call in the package passes a function it does not know
}

var _, _, _, _ = newD, newR, newQuiet, newMixed

// gmu is a package mutex that callbacks take.
var gmu sync.Mutex

func badCloseLocal() {
	w := watch.Monitor(func(watch.Event) { gmu.Lock(); gmu.Unlock() })
	gmu.Lock()
	defer gmu.Unlock()
	w.Close() // want "call to `w.Close` may block .* while holding `gmu`; its only sender runs the function literal in badCloseLocal passed to `watch.Monitor`, which takes `gmu` first"
}

func okCloseParam(w *watch.W) {
	_ = watch.Monitor(func(watch.Event) { gmu.Lock(); gmu.Unlock() })
	gmu.Lock()
	defer gmu.Unlock()
	w.Close() // ok: which Monitor call made w is not known here
}
