// Package clean is idiomatic concurrent Go: every sharedvet pass must
// stay silent on it.
package clean

import (
	"context"
	"sync"
	"sync/atomic"
)

// Cache is guarded by mu; its loader runs outside the lock.
type Cache struct {
	mu    sync.RWMutex
	items map[string]string
	hits  atomic.Int64
}

func NewCache() *Cache {
	c := &Cache{}
	c.items = make(map[string]string) // constructor before publication
	return c
}

func (c *Cache) Get(k string) (string, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.items[k]
	if ok {
		c.hits.Add(1)
	}
	return v, ok
}

func (c *Cache) Set(k, v string) {
	c.mu.Lock()
	c.items[k] = v
	c.mu.Unlock()
}

// Fanout runs work on every input and joins before reading results.
func Fanout(ctx context.Context, inputs []int, work func(int) int) []int {
	out := make([]int, len(inputs))
	var wg sync.WaitGroup
	for i, in := range inputs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = work(in)
		}()
	}
	wg.Wait()
	return out
}

// Pipeline sends results over a channel without holding a lock.
func Pipeline(ctx context.Context, in <-chan int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for v := range in {
			select {
			case out <- v * 2:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// Counter is incremented atomically everywhere.
type Counter struct {
	n int64
}

func (c *Counter) Inc()        { atomic.AddInt64(&c.n, 1) }
func (c *Counter) Load() int64 { return atomic.LoadInt64(&c.n) }

// Notifier signals without blocking while it holds its lock.
type Notifier struct {
	mu      sync.Mutex
	pending int
	wake    chan struct{}
}

func (n *Notifier) Notify() {
	n.mu.Lock()
	n.pending++
	select {
	case n.wake <- struct{}{}:
	default:
	}
	n.mu.Unlock()
}

// Once-style lazy initialisation.
type Lazy struct {
	once sync.Once
	val  *int
}

func (l *Lazy) Get() *int {
	l.once.Do(func() { v := 42; l.val = &v })
	return l.val
}

// async hands a result back through a channel, then joined.
func async(f func() error) error {
	errc := make(chan error, 1)
	go func() { errc <- f() }()
	return <-errc
}
