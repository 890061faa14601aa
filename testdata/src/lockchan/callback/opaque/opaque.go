// Package opaque runs handlers its users set in a goroutine of its
// own, and waits for that goroutine under its lock. Whether that
// deadlocks depends on the handler (one that calls State, which takes
// c.mu, does): a stall whose message says the other side runs
// functions from outside the package first (centrifuge-go's callback
// queue). Run with -lockchan.stalls.
package opaque

import "sync"

type Client struct {
	mu      sync.Mutex
	state   int
	onEvent func(int)
	events  chan int
	stop    chan struct{}
	done    chan struct{}
	quiet   chan struct{}
	local   chan struct{}
}

func New() *Client {
	c := &Client{events: make(chan int), stop: make(chan struct{}), done: make(chan struct{}), quiet: make(chan struct{}), local: make(chan struct{})}
	go c.dispatch()
	go func() {
		defer close(c.quiet)
		<-c.stop
	}()
	log := func() { c.state++ }
	go func() {
		defer close(c.local)
		<-c.stop
		log()
	}()
	return c
}

// OnEvent sets the handler: a function the package does not see.
func (c *Client) OnEvent(fn func(int)) { c.onEvent = fn }

func (c *Client) State() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

func (c *Client) dispatch() {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case e := <-c.events:
			if h := c.onEvent; h != nil {
				h(e)
			}
		}
	}
}

func (c *Client) badCloseRunsHandler() {
	c.mu.Lock()
	defer c.mu.Unlock()
	close(c.stop)
	<-c.done // want "receive from `c.done` while holding `c.mu`; it stalls other users of the lock, but its senders do not all take `c.mu` themselves: they first run functions from outside the package, which deadlock it if they take `c.mu`"
}

func (c *Client) badCloseQuiet() {
	c.mu.Lock()
	defer c.mu.Unlock()
	<-c.quiet // want "receive from `c.quiet` while holding `c.mu`; it stalls other users of the lock, but its senders do not all take `c.mu`$"
}

func (c *Client) badCloseLocalFunc() {
	c.mu.Lock()
	defer c.mu.Unlock()
	<-c.local // want "receive from `c.local` while holding `c.mu`; it stalls other users of the lock, but its senders do not all take `c.mu`$"
}

// An Actor runs the functions the package sends it (prometheus's WL):
// its own closures, not functions from outside.
type Actor struct {
	mu     sync.Mutex
	n      int
	actorc chan func()
	stopc  chan chan struct{}
}

func NewActor() *Actor {
	a := &Actor{actorc: make(chan func()), stopc: make(chan chan struct{})}
	go a.run()
	return a
}

func (a *Actor) run() {
	for {
		select {
		case f := <-a.actorc:
			f()
		case donec := <-a.stopc:
			close(donec)
			return
		}
	}
}

func (a *Actor) Do() { a.actorc <- func() { a.n++ } } // want Do:`blocks\(a channel send at .*/opaque.go:\d+\)`

func (a *Actor) badStopActor() {
	a.mu.Lock()
	defer a.mu.Unlock()
	donec := make(chan struct{})
	a.stopc <- donec // want "send on `a.stopc` while holding `a.mu`; it stalls other users of the lock, but its receivers do not all take `a.mu`$"
	<-donec          // want "receive from `donec` while holding `a.mu`; it stalls other users of the lock, but its senders do not all take `a.mu`$"
}

// A Queue runs the closures its callers push, each of which calls a
// handler the user set, or not (centrifuge-go's runHandlerSync).
type Queue struct {
	mu      sync.Mutex
	onError func(error)
	items   chan *item
}

type item struct{ fn func() }

func NewQueue() *Queue {
	q := &Queue{items: make(chan *item)}
	go func() {
		for it := range q.items {
			it.fn()
		}
	}()
	return q
}

func (q *Queue) OnError(fn func(error)) { q.onError = fn }

func (q *Queue) push(f func()) { q.items <- &item{fn: f} }

func (q *Queue) runSync(fn func()) {
	wait := make(chan struct{})
	q.push(func() {
		defer close(wait)
		fn()
	})
	<-wait
}

func (q *Queue) handleError(err error) {
	var handler func(error)
	if q.onError != nil {
		handler = q.onError
	}
	if handler != nil {
		q.runSync(func() { handler(err) })
	}
}

func (q *Queue) badErrorUnderLock(err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.handleError(err) // want "call to `q.handleError` may block on a channel receive while holding `q.mu`; .* they first run functions from outside the package"
}
