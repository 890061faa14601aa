// Command mainbefore sets package variables, then starts named worker
// functions that count them down atomically, as go-workflows'
// samples/scale/starter does.
package main

import (
	"fmt"
	"sync"
	"sync/atomic"
)

var remaining, late, looped, after, limit int32

func work(wg *sync.WaitGroup) {
	defer wg.Done()
	atomic.AddInt32(&remaining, -1)
	atomic.AddInt32(&late, 1)
	atomic.AddInt32(&looped, 1)
	atomic.AddInt32(&after, 1)
	atomic.AddInt32(&limit, -1)
}

func main() {
	remaining = 10     // ok: before main starts any worker, and only workers add // excused mainjoin
	if remaining > 5 { // ok: read before the workers start // excused mainjoin
		limit = 3 // ok: on one branch, still before every start // excused mainjoin
	}
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		looped = int32(i) // want "non-atomic write of `looped`, which is accessed atomically elsewhere"
		wg.Add(1)
		go work(&wg)
	}
	late = 5 // want "non-atomic write of `late`, which is accessed atomically elsewhere"
	wg.Wait()
	// The Done is on work's parameter: the join is not followed into a
	// named worker, so this read, which the Wait orders, stays reported.
	fmt.Println(after) // want "non-atomic read of `after`, which is accessed atomically elsewhere"
}
