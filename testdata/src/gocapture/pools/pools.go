// Package pools queues tasks to worker pools that spawnfact recognizes
// (rule 1): a pool's Submit starts its task, and the joins of rules 9
// and 10 apply to it as to a go statement.
package pools

import (
	"sync"

	"github.com/sourcegraph/conc"

	"gocapture/pools/pool"
)

// badSubmitRead reads what the queued task writes.
func badSubmitRead(p *pool.Pool) int {
	n := 0
	p.Submit(func() {
		n = 1 // want "goroutine writes `n`, which is read after the goroutine is started without synchronization"
	})
	return n
}

// badPackageSubmit queues to the package's default pool.
func badPackageSubmit() error {
	var err error
	pool.Submit(func() {
		err = work() // want "goroutine writes `err`, which is read after the goroutine is started without synchronization"
	})
	return err
}

// badLoopCondition is gnet's gnet_test.go:2068: the loop condition
// reads the count that the started clients decrement under a mutex.
func badLoopCondition(p *pool.Pool) {
	var mu sync.Mutex
	clients := 10
	for i := 0; i < clients; i++ {
		p.Submit(func() {
			mu.Lock()
			clients-- // want "goroutine writes `clients`, which is read after the goroutine is started without synchronization"
			mu.Unlock()
		})
	}
}

// badWorkerPoolBeforeStop reads the total before StopWait.
func badWorkerPoolBeforeStop(wp *pool.WorkerPool) int {
	total := 0
	wp.Submit(func() {
		total += 2 // want "goroutine writes `total`, which is read after the goroutine is started without synchronization"
	})
	t := total
	wp.StopWait()
	return t
}

// badGoAndSubmit: a go statement's goroutine runs at once with the
// pool's task, whatever the pool.
func badGoAndSubmit(p *pool.Pool) {
	var wg sync.WaitGroup
	count := 0
	wg.Add(2)
	go func() {
		defer wg.Done()
		count++ // want "goroutine writes `count`, which another goroutine writes without synchronization"
	}()
	p.Submit(func() {
		defer wg.Done()
		count++
	})
	wg.Wait()
}

// okPoolWait reads the total after the pool's StopWait.
func okPoolWait(wp *pool.WorkerPool) int {
	total := 0
	wp.Submit(func() {
		total += 2 // excused helper
	})
	wp.StopWait()
	return total
}

// okPackageRelease reads after a call of the pool's package.
func okPackageRelease() int {
	x := 0
	pool.Submit(func() {
		x = 1 // excused helper
	})
	pool.ReleaseTimeout()
	return x
}

// okSubmitWaitGroup joins the task with a WaitGroup.
func okSubmitWaitGroup(p *pool.Pool) int {
	x := 0
	var wg sync.WaitGroup
	wg.Add(1)
	p.Submit(func() {
		defer wg.Done()
		x = 1 // excused joined
	})
	wg.Wait()
	return x
}

// okResultChannel receives the task's result before it reads.
func okResultChannel(p *pool.Pool) int {
	v := 0
	res := make(chan int)
	p.Submit(func() {
		v = 2 // excused joined
		res <- 1
	})
	<-res
	return v
}

// okSubmitWait: SubmitWait waits for its task, so it starts nothing.
func okSubmitWait(wp *pool.WorkerPool) int {
	x := 0
	wp.SubmitWait(func() { x = 1 })
	return x
}

// okDo: a synchronous Do through the pool.
func okDo(wp *pool.WorkerPool) int {
	x := 0
	wp.Do(func() { x = 1 })
	return x
}

// okLoopPost: Post queues for a loop that the caller runs itself.
func okLoopPost(l *pool.Loop) int {
	x := 0
	l.Post(func(int) { x = 1 })
	l.Run()
	return x
}

// okQueuedTasks: tasks of one pool may run one after another, on its
// one worker (rule "queued").
func okQueuedTasks(wp *pool.WorkerPool, n int) int {
	count := 0
	for range n {
		wp.Submit(func() {
			count++ // excused helper, queued
		})
	}
	wp.StopWait()
	return count
}

func work() error { return nil }

// badConcGo reads before conc's Wait (rule 1: conc's WaitGroup.Go is
// in the table).
func badConcGo() int {
	var wg conc.WaitGroup
	n := 0
	wg.Go(func() {
		n = 1 // want "goroutine writes `n`, which is read after the goroutine is started without synchronization"
	})
	r := n
	wg.Wait()
	return r
}

// okConcWait reads after conc's Wait, a call handed the spawner's
// receiver.
func okConcWait() int {
	var wg conc.WaitGroup
	n := 0
	wg.Go(func() {
		n = 1 // excused helper
	})
	wg.Wait()
	return n
}

// badDiscardAfterShutdown is containerd's internal/eventq/eventq_test.go:
// the queue's goroutine runs discard after Shutdown's hand-off, so the
// read after Shutdown races with it. NewQueue spawns but is no pool, so
// a call of its package (Shutdown, Send) is no join.
func badDiscardAfterShutdown() []int {
	var discarded []int
	q := pool.NewQueue(func(e int) {
		discarded = append(discarded, e) // want "goroutine writes `discarded`, which is read after the goroutine is started without synchronization"
	})
	q.Send(1)
	q.Shutdown()
	return discarded
}
