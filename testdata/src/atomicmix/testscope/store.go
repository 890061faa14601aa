// Package testscope is code under test whose counters are updated
// atomically; store_test.go reads them as tests do.
package testscope

import (
	"sync"
	"sync/atomic"
)

type stats struct {
	gets uint64
	puts uint64
}

type node struct {
	store *Store
}

type Store struct {
	mu    sync.Mutex
	root  *node
	data  map[string]string
	stats stats
}

// NewStore links the store from its own root, so its result is not a
// value that nothing else holds: only the test rule keeps the tests'
// reads quiet.
func NewStore() *Store {
	s := &Store{data: make(map[string]string)}
	s.root = &node{store: s}
	return s
}

func (s *Store) Get(k string) string {
	atomic.AddUint64(&s.stats.gets, 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data[k]
}

func (s *Store) Put(k, v string) {
	atomic.AddUint64(&s.stats.puts, 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data[k] = v
}

// Start runs a goroutine that keeps reading the store.
func (s *Store) Start() {
	go func() {
		for {
			s.Get("tick")
		}
	}()
}

// A Server calls OnConn from its own goroutines, and Serve returns
// after all of them.
type Server struct {
	OnConn func()
}

func (srv *Server) Serve(conns int) {
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			srv.OnConn()
		}()
	}
	wg.Wait()
}
