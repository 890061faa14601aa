// Package joincall is code under test that starts goroutines and, in
// some functions, waits for them before it returns; joincall_test.go
// reads the counters they update atomically, as gnet's and evio's
// tests do.
package joincall

import (
	"errors"
	"sync"
)

// A Handler is called from a server's loops.
type Handler interface {
	OnOpen()
	OnClose()
	OnTick()
}

// A Server runs loops that call its handler.
type Server struct {
	h     Handler
	loops int
	wg    sync.WaitGroup
}

// Run starts the loops and returns once they exited: the loops defer
// Done on s.wg, and Run defers stop, which waits on it (gnet's Run).
// When start fails it returns the error without waiting.
func Run(h Handler, loops int) error {
	s := &Server{h: h, loops: loops}
	if err := s.start(); err != nil {
		return err
	}
	defer s.stop()
	return nil
}

func (s *Server) start() error {
	for range s.loops {
		s.wg.Add(1)
		go s.loop()
	}
	if s.loops > 64 {
		return errors.New("too many loops")
	}
	return nil
}

func (s *Server) loop() {
	defer s.wg.Done()
	s.h.OnOpen()
	s.h.OnClose()
}

func (s *Server) stop() { s.wg.Wait() }

// RunTicking is Run with a ticker goroutine that it does not wait for.
func RunTicking(h Handler, loops int) { // want RunTicking:"leaves goroutines"
	s := &Server{h: h, loops: loops}
	s.start()
	go s.tick()
	s.stop()
}

// RunDetached does not wait for its loops when detach is set.
func RunDetached(h Handler, detach bool) { // want RunDetached:"leaves goroutines"
	var wg sync.WaitGroup
	wg.Go(func() { h.OnOpen() })
	if detach {
		return
	}
	wg.Wait()
}

// RunHalf waits for the goroutine that opens, not for the one that
// closes.
func RunHalf(h Handler) { // want RunHalf:"leaves goroutines"
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		h.OnOpen()
	}()
	go func() { h.OnClose() }()
	wg.Wait()
}

// Start starts the loops and returns; Wait joins them.
func Start(h Handler, loops int) *Server { // want Start:"leaves goroutines"
	s := &Server{h: h, loops: loops}
	s.start()
	return s
}

func (s *Server) Wait() { s.stop() }

// Events holds the callbacks of Serve's loops (evio's Events).
type Events struct {
	Opened func()
	Closed func()
}

// Serve runs loops that call the callbacks and returns once they
// exited.
func Serve(ev Events, loops int) {
	var wg sync.WaitGroup
	for range loops {
		wg.Go(func() {
			ev.Opened()
			ev.Closed()
		})
	}
	wg.Wait()
}

// ServeWatched is Serve with a watcher goroutine that it does not wait
// for, which calls back too.
func ServeWatched(ev Events, loops int) { // want ServeWatched:"leaves goroutines"
	go func() { ev.Closed() }()
	Serve(ev, loops)
}

func (s *Server) tick() { s.h.OnTick() }

// RunNested starts, at each level, a loop that runs the next level,
// and waits for it: the cycle through its closure settles with
// nothing left running.
func RunNested(h Handler, depth int) {
	if depth == 0 {
		return
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		h.OnOpen()
		RunNested(h, depth-1)
	})
	wg.Wait()
}

// RunNestedLeaky is RunNested whose last level leaves a goroutine
// running.
func RunNestedLeaky(h Handler, depth int) { // want RunNestedLeaky:"leaves goroutines"
	if depth == 0 {
		go h.OnClose()
		return
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		h.OnOpen()
		RunNestedLeaky(h, depth-1)
	})
	wg.Wait()
}
