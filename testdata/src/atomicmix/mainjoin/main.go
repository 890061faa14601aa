// Command mainjoin starts workers that add up totals atomically, waits
// for them, and prints the totals.
package main

import (
	"fmt"
	"sync"
	"sync/atomic"
)

var (
	total, early, leaked, hooked, viaMethod, deep int64
)

func work(n int) {
	defer func() { atomic.AddInt64(&total, int64(n)) }()
	atomic.AddInt64(&early, 1)
	record(n)
}

// record is called by work only, two calls below the workers.
func record(n int) {
	if n > 0 {
		atomic.AddInt64(&deep, 1)
	}
}

func bump() { atomic.AddInt64(&hooked, 1) }

// hook is bump used as a value: it may run anywhere.
var hook = bump

type runner interface{ run() }

type worker struct{}

func (worker) run() { atomic.AddInt64(&viaMethod, 1) }

func main() {
	go hook()
	var r runner = worker{}
	go r.run()

	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work(i)
		}()
	}
	fmt.Println(early) // want "non-atomic read of `early`, which is accessed atomically elsewhere"
	go func() { atomic.AddInt64(&leaked, 1) }()
	wg.Wait()
	fmt.Println(total)     // ok: every add runs in a worker that main has waited for (fixture main in atomicmix/mainjoin) // excused mainjoin
	fmt.Println(deep)      // ok: record is called only from the workers, through work // excused mainjoin
	fmt.Println(leaked)    // want "non-atomic read of `leaked`, which is accessed atomically elsewhere"
	fmt.Println(hooked)    // want "non-atomic read of `hooked`, which is accessed atomically elsewhere"
	fmt.Println(viaMethod) // want "non-atomic read of `viaMethod`, which is accessed atomically elsewhere"
}
