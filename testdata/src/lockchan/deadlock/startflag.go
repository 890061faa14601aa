package deadlock

import "sync"

// Cron is robfig/cron v3's shape (docs/findings.md): runHere (Run) takes c.mu
// only to set c.running before it starts the loop, and every wait under
// c.mu runs only when c.running is set, so when a caller holds c.mu and
// waits, the loop is past its Lock (rule 4, started-flag).
type Cron struct {
	mu       sync.Mutex
	running  bool
	add      chan int
	snapshot chan chan int
	stop     chan struct{}
	n        int
}

func newCron() *Cron {
	return &Cron{add: make(chan int), snapshot: make(chan chan int), stop: make(chan struct{})}
}

func (c *Cron) start() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		return
	}
	c.running = true
	go c.run()
}

func (c *Cron) runHere() {
	c.mu.Lock()
	if c.running {
		c.mu.Unlock()
		return
	}
	c.running = true
	c.mu.Unlock()
	c.run()
}

func (c *Cron) run() {
	for {
		select {
		case v := <-c.add:
			c.n += v
		case reply := <-c.snapshot:
			reply <- c.n
		case <-c.stop:
			return
		}
	}
}

func (c *Cron) okAddWhenRunning(v int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running {
		c.n += v
	} else {
		c.add <- v // ok: the loop took c.mu only to set c.running, which is set
	}
}

func (c *Cron) okSnapshotWhenRunning() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		reply := make(chan int, 1)
		c.snapshot <- reply // ok: the loop took c.mu only to set c.running, which is set
		return <-reply      // ok: the loop took c.mu only to set c.running, which is set
	}
	return c.n
}

func (c *Cron) okStopWhenRunning() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		c.stop <- struct{}{} // ok: the loop took c.mu only to set c.running, which is set
		c.running = false
	}
}

// badStartFlagUnguarded sends whether or not the loop runs: if it takes
// c.mu before runHere does, runHere waits for c.mu and the send for runHere
// (docs/repro/lockchan/startflag_shapes_test.go.txt, TestUnguardedHangs).
func (c *Cron) badStartFlagUnguarded(v int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.add <- v // want "send on `c.add` while holding `c.mu`; its only receiver takes `c.mu` first"
}

// StartFlagNoCheck's run sets c.running without checking it first, so
// the flag may be true (enable) while run still waits for c.mu
// (TestUncheckedHangs).
type StartFlagNoCheck struct {
	mu      sync.Mutex
	running bool
	add     chan int
	n       int
}

func (c *StartFlagNoCheck) enable() {
	c.mu.Lock()
	c.running = true
	c.mu.Unlock()
}

func (c *StartFlagNoCheck) run() {
	c.mu.Lock()
	c.running = true
	c.mu.Unlock()
	for v := range c.add {
		c.n += v
	}
}

func (c *StartFlagNoCheck) badStartFlagNoCheck(v int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		c.add <- v // want "send on `c.add` while holding `c.mu`; its only receiver takes `c.mu` first"
	}
}

// StartFlagOtherSection's loop takes c.mu for its setup, in a critical
// section other than the one that set c.running (start's), so the
// sender may see the flag while the loop waits for c.mu
// (TestNoFlagHangs).
type StartFlagOtherSection struct {
	mu      sync.Mutex
	running bool
	add     chan int
	n       int
}

func (c *StartFlagOtherSection) start() {
	c.mu.Lock()
	if c.running {
		c.mu.Unlock()
		return
	}
	c.running = true
	c.mu.Unlock()
	go c.loop()
}

func (c *StartFlagOtherSection) loop() {
	c.mu.Lock()
	c.n = 0
	c.mu.Unlock()
	for v := range c.add {
		c.n += v
	}
}

func (c *StartFlagOtherSection) badStartFlagOtherSection(v int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		c.add <- v // want "send on `c.add` while holding `c.mu`; its only receiver takes `c.mu` first"
	}
}

// StartFlagLoop's loop takes c.mu again each time around, after it set
// c.running the first time: the sender may see the flag while the loop
// waits for c.mu (TestLoopHangs).
type StartFlagLoop struct {
	mu      sync.Mutex
	running bool
	add     chan int
	n       int
}

func (c *StartFlagLoop) run() {
	for {
		c.mu.Lock()
		if !c.running {
			c.running = true
		}
		c.n++
		c.mu.Unlock()
		c.n += <-c.add
	}
}

func (c *StartFlagLoop) badStartFlagLoop(v int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		c.add <- v // want "send on `c.add` while holding `c.mu`; its only receiver takes `c.mu` first"
	}
}

// StartFlagLoopReturn sets c.running on every path to its receive,
// after it found it false, but takes c.mu again around the loop: the
// second time it finds the flag set and returns, while a sender that
// holds c.mu waits for it (TestLoopReturnHangs).
type StartFlagLoopReturn struct {
	mu      sync.Mutex
	running bool
	add     chan int
	n       int
}

func (c *StartFlagLoopReturn) run() {
	for {
		c.mu.Lock()
		if c.running {
			c.mu.Unlock()
			return
		}
		c.running = true
		c.mu.Unlock()
		c.n += <-c.add
	}
}

func (c *StartFlagLoopReturn) badStartFlagLoopReturn(v int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		c.add <- v // want "send on `c.add` while holding `c.mu`; its only receiver takes `c.mu` first"
	}
}

func newStartFlagLoopReturn() *StartFlagLoopReturn {
	return &StartFlagLoopReturn{add: make(chan int)}
}

func newStartFlagNoCheck() *StartFlagNoCheck {
	return &StartFlagNoCheck{add: make(chan int)}
}

func newStartFlagOtherSection() *StartFlagOtherSection {
	return &StartFlagOtherSection{add: make(chan int)}
}

func newStartFlagLoop() *StartFlagLoop {
	return &StartFlagLoop{add: make(chan int)}
}

var _, _, _, _, _ = newCron, newStartFlagNoCheck, newStartFlagOtherSection, newStartFlagLoop, newStartFlagLoopReturn
