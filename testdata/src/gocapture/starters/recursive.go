package starters

import (
	"sync"
	"sync/atomic"
)

// Closures held in a variable, as self-recursive walkers are (rule 1).

type node struct {
	id   int
	kids []*node
}

// badRecursiveCount: every goroutine of the walker bumps count.
func badRecursiveCount(root *node) int {
	count := 0
	var wg sync.WaitGroup
	var walk func(n *node)
	walk = func(n *node) {
		defer wg.Done()
		count++ // want "goroutine writes `count`, and more than one such goroutine may run at once without synchronization"
		for _, k := range n.kids {
			wg.Add(1)
			go walk(k)
		}
	}
	wg.Add(1)
	go walk(root)
	wg.Wait()
	return count
}

// badRecursiveNoWait returns the depth while the walkers still run.
func badRecursiveNoWait(root *node) int {
	depth := 0
	var walk func(n *node, d int)
	walk = func(n *node, d int) {
		depth = d // want "goroutine writes `depth`, and more than one such goroutine may run at once without synchronization" "goroutine writes `depth`, which is read after the go statement without synchronization"
		for _, k := range n.kids {
			go walk(k, d+1)
		}
	}
	go walk(root, 0)
	return depth // reported at the goroutine's write
}

// okRecursiveLocked counts under a mutex and reads after Wait.
func okRecursiveLocked(root *node) int {
	count := 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	var walk func(n *node)
	walk = func(n *node) {
		defer wg.Done()
		mu.Lock()
		count++ // ok: under mu // excused joined, locked
		mu.Unlock()
		for _, k := range n.kids {
			wg.Add(1)
			go walk(k)
		}
	}
	wg.Add(1)
	go walk(root)
	wg.Wait()
	return count
}

// okRecursiveAtomic counts atomically.
func okRecursiveAtomic(root *node) int64 {
	var count int64
	var wg sync.WaitGroup
	var walk func(n *node)
	walk = func(n *node) {
		defer wg.Done()
		atomic.AddInt64(&count, 1) // ok: atomic
		for _, k := range n.kids {
			wg.Add(1)
			go walk(k)
		}
	}
	wg.Add(1)
	go walk(root)
	wg.Wait()
	return count
}

// okRecursiveElements: each walker writes the element of its node.
func okRecursiveElements(root *node, n int) []int {
	seen := make([]int, n)
	var wg sync.WaitGroup
	var walk func(x *node)
	walk = func(x *node) {
		defer wg.Done()
		seen[x.id] = len(x.kids) // ok: distinct elements // excused distinct
		for _, k := range x.kids {
			wg.Add(1)
			go walk(k)
		}
	}
	wg.Add(1)
	go walk(root)
	wg.Wait()
	return seen
}

// okRecursiveChannel: each walker sends its count, and the function
// adds them up.
func okRecursiveChannel(root *node) int {
	counts := make(chan int)
	var walk func(n *node)
	walk = func(n *node) {
		for _, k := range n.kids {
			go walk(k)
		}
		counts <- 1
	}
	go walk(root)
	total := 0
	for range size(root) {
		total += <-counts
	}
	return total
}

func size(n *node) int {
	s := 1
	for _, k := range n.kids {
		s += size(k)
	}
	return s
}
