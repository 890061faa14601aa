// Package methods holds calls of the package's methods on a captured
// variable, which access it as their bodies do (methods.go).
package methods

import "sync"

type counter struct{ n int }

func (c *counter) inc()     { c.n++ }
func (c *counter) get() int { return c.n }

// badMethodRead reads c.n through get while the goroutine's inc may
// still write it.
func badMethodRead() int {
	var c counter
	done := make(chan bool)
	go func() {
		c.inc() // want "goroutine writes `c.n`, which is read after the go statement without synchronization"
		done <- true
	}()
	v := c.get()
	<-done
	return v
}

// badMethodLoop: every goroutine of the loop calls inc.
func badMethodLoop(n int) int {
	var c counter
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.inc() // want "goroutine writes `c.n`, and more than one such goroutine may run at once without synchronization"
		}()
	}
	wg.Wait()
	return c.get()
}

type stats struct{ hits, misses int }

func (s *stats) hit()         { s.hits++ }
func (s *stats) total() int   { return s.hits + s.misses }
func (s *stats) reset()       { *s = stats{} }
func (s *stats) missed() bool { return s.misses > 0 }

// badPointerObject counts into the function's own object through a
// method, and totals it after go (rule "behind").
func badPointerObject() int {
	st := &stats{}
	go func() {
		st.hit() // want "goroutine writes `st.hits`, which is read after the go statement without synchronization"
	}()
	return st.total()
}

// badResetAfterGo resets the object that the goroutine reads.
func badResetAfterGo() {
	st := &stats{}
	done := make(chan bool)
	go func() {
		println(st.missed())
		done <- true
	}()
	st.reset() // want "`\\*st` is written after the go statement, while the goroutine reads it without synchronization"
	<-done
}

type safeCounter struct {
	mu sync.Mutex
	n  int
}

func (c *safeCounter) inc() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

func (c *safeCounter) get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// okMethodLocked: the methods lock the counter themselves.
func okMethodLocked(n int) int {
	var c safeCounter
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.inc() // ok: inc holds c.mu // excused locked
		}()
	}
	v := c.get()
	wg.Wait()
	return v
}

// okMethodLockedHere locks around the calls.
func okMethodLockedHere(n int) int {
	var c counter
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			c.inc() // ok: under mu // excused locked
			mu.Unlock()
		}()
	}
	mu.Lock()
	v := c.get()
	mu.Unlock()
	wg.Wait()
	return v
}

// okMethodJoined reads after Wait.
func okMethodJoined() int {
	var c counter
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.inc() // ok: joined before get // excused joined
	}()
	wg.Wait()
	return c.get()
}

// okMethodChannel reads after receiving the goroutine's signal.
func okMethodChannel() int {
	var c counter
	done := make(chan bool)
	go func() {
		c.inc() // ok: sent after // excused joined
		done <- true
	}()
	<-done
	return c.get()
}

// okMethodReadOnly: both sides only read.
func okMethodReadOnly() int {
	var c counter
	done := make(chan bool)
	go func() {
		println(c.get())
		done <- true
	}()
	v := c.get()
	<-done
	return v
}
