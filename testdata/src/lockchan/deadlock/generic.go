package deadlock

import "sync"

// GenPipe is Pipe with a type parameter: its methods are analyzed as
// generic bodies, whose calls of one another (p.loop() in start) call
// instances, and whose channel field is the generic field.
type GenPipe[T any] struct {
	mu  sync.Mutex
	ch  chan T
	log []T
}

func newGenPipe[T any]() *GenPipe[T] {
	p := &GenPipe[T]{ch: make(chan T)}
	go p.loop()
	return p
}

func (p *GenPipe[T]) loop() {
	for v := range p.ch {
		p.record(v)
	}
}

func (p *GenPipe[T]) record(v T) {
	p.mu.Lock()
	p.log = append(p.log, v)
	p.mu.Unlock()
}

func (p *GenPipe[T]) badGenericSend(v T) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ch <- v // want "send on `p.ch` while holding `p.mu`; its only receiver takes `p.mu` first, so this can deadlock"
}

// GenCron is Cron with a type parameter (started-flag on generic code).
type GenCron[T any] struct {
	mu      sync.Mutex
	running bool
	add     chan T
	log     []T
}

func newGenCron[T any]() *GenCron[T] { return &GenCron[T]{add: make(chan T)} }

func (c *GenCron[T]) runHere() {
	c.mu.Lock()
	if c.running {
		c.mu.Unlock()
		return
	}
	c.running = true
	c.mu.Unlock()
	c.run()
}

func (c *GenCron[T]) run() {
	for v := range c.add {
		c.log = append(c.log, v)
	}
}

func (c *GenCron[T]) okGenericAddWhenRunning(v T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		c.add <- v // ok: the loop took c.mu only to set c.running, which is set
	}
}

func (c *GenCron[T]) badGenericStartFlagUnguarded(v T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.add <- v // want "send on `c.add` while holding `c.mu`; its only receiver takes `c.mu` first, so this can deadlock"
}

var _, _ = newGenPipe[int], newGenCron[string]
