package joins

import (
	"fmt"
	"math/rand"
	"sync"

	"golang.org/x/sync/errgroup"

	"gocapture/joins/client"
)

// Rule 15, "bracketed": two goroutines are ordered only when one may
// release after its access and the other may acquire before its own.

// badWorkersAfterGet is ristretto's TestStressSetGet: each worker's
// write of err follows every call that may synchronize (its own random
// source, the cache's Get), and only wg.Done() comes after it, which
// releases to the Wait of the starter, not to another worker, which the
// WaitGroup still counts.
func badWorkersAfterGet(n int) error {
	c := client.New()
	var err error
	wg := &sync.WaitGroup{}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			r := rand.New(rand.NewSource(int64(i)))
			for a := 0; a < 100; a++ {
				k := r.Intn(10)
				if _, ok := c.Get(k); !ok {
					err = fmt.Errorf("expected %d but got nil", k) // want "goroutine writes `err`, and more than one such goroutine may run at once"
					break
				}
			}
			wg.Done()
		}()
	}
	wg.Wait()
	return err
}

// badWorkersDeferDone is the same with a deferred Done.
func badWorkersDeferDone(n int) error {
	var err error
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(i)))
			if r.Intn(10) >= 0 {
				err = fmt.Errorf("worker %d failed", i) // want "goroutine writes `err`, and more than one such goroutine may run at once"
			}
		}()
	}
	wg.Wait()
	return err
}

// badMixedStarts: a goroutine that calls wg.Done() and one started by
// wg.Go, which the WaitGroup counts until it returns: the first's Done
// does not let the second through.
func badMixedStarts() error {
	var err error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		r := rand.New(rand.NewSource(1))
		if r.Intn(10) >= 0 {
			err = fmt.Errorf("first failed") // want "goroutine writes `err`, which another goroutine writes"
		}
		wg.Done()
	}()
	wg.Go(func() {
		r := rand.New(rand.NewSource(2))
		if r.Intn(10) >= 0 {
			err = fmt.Errorf("second failed") // excused joined
		}
	})
	wg.Wait()
	return err
}

// badTwoWorkersAfterCall: two go statements, each writing after its
// calls and before its Done.
func badTwoWorkersAfterCall() error {
	var err error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		r := rand.New(rand.NewSource(1))
		if r.Intn(10) >= 0 {
			err = fmt.Errorf("first failed") // want "goroutine writes `err`, which another goroutine writes"
		}
		wg.Done()
	}()
	go func() {
		r := rand.New(rand.NewSource(2))
		if r.Intn(10) >= 0 {
			err = fmt.Errorf("second failed") // excused joined
		}
		wg.Done()
	}()
	wg.Wait()
	return err
}

// okLockedByCall holds the client's lock around the write, through
// calls of another package: Begin before and End after.
func okLockedByCall(n int) int {
	c := client.New()
	total := 0
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Begin()
			total += i // ok: between Begin and End // excused joined, bracketed
			c.End()
		}()
	}
	wg.Wait()
	return total
}

// okTokenPassed passes one token among the workers on a channel of one
// slot: each receives it before its write and sends it back after.
func okTokenPassed(n int) int {
	token := make(chan struct{}, 1)
	token <- struct{}{}
	count := 0
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-token
			count++ // ok: the token orders the workers // excused joined, bracketed
			token <- struct{}{}
		}()
	}
	wg.Wait()
	return count
}

// A pool hands out its one slot.
type pool struct{ slots chan int }

func newPool() *pool {
	p := &pool{slots: make(chan int, 1)}
	p.slots <- 0
	return p
}

func (p *pool) acquire() int  { return <-p.slots }
func (p *pool) release(s int) { p.slots <- s }

// okPoolOfOne acquires the pool's one slot before the write and
// releases it after.
func okPoolOfOne(n int) int {
	p := newPool()
	last := 0
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := p.acquire()
			last = i // ok: only the slot's holder writes // excused joined, bracketed
			p.release(s)
		}()
	}
	wg.Wait()
	return last
}

// okErrgroupClient: errgroup workers update a total between calls of
// a shared client that lock it and unlock it.
func okErrgroupClient(n int) (int, error) {
	c := client.New()
	total := 0
	var g errgroup.Group
	for i := 0; i < n; i++ {
		g.Go(func() error {
			c.Begin()
			defer c.End()
			total += i // ok: between Begin and the deferred End // excused joined, bracketed
			return nil
		})
	}
	err := g.Wait()
	return total, err
}

// okBarrier: the second goroutine waits, after its own Done, for the
// first's Done, which follows its write.
func okBarrier() {
	x := 0
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		x = 1 // excused bracketed
		wg.Done()
	}()
	go func() {
		wg.Done()
		wg.Wait()
		println(x)
	}()
}

// badReadRacesOneWriter: the first goroutine's read races with the
// second's write; the third's write is ordered after the read by the
// channel, and the trace names why, although a race of the first
// goroutine's was found before it was paired with the third.
func badReadRacesOneWriter() {
	x := 0
	var mu sync.Mutex
	ch := make(chan int)
	go func() { println(x); ch <- 1 }()
	go func() { mu.Lock(); x = 2; mu.Unlock() }()       // want "goroutine writes `x`, which another goroutine reads"
	go func() { <-ch; mu.Lock(); x = 3; mu.Unlock() }() // ok: after the read, by the channel // excused bracketed
}

// okTokenRing is std's runtime/debuglog_test.go: goroutines pass one
// token around a ring of channels, each receiving from its own and
// sending to the next, and touch i only while they hold it. The channel
// at a variable index of a slice may be the one at another.
func okTokenRing(limit int) int {
	const n = 4
	var wg sync.WaitGroup
	i := 0
	chans := make([]chan bool, n)
	for gid := range n { // excused loopvar
		chans[gid] = make(chan bool) // excused distinct
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				<-chans[gid]
				next := chans[(gid+1)%len(chans)]
				if i >= limit { // ok: the token orders the goroutines
					close(next)
					break
				}
				i++ // ok: the token orders the goroutines // excused joined, bracketed
				next <- true
			}
		}()
	}
	chans[0] <- true
	wg.Wait()
	return i
}

// badOwnChannels: each goroutine waits on its own channel of one slice
// and signals on its own of another; the starter starts them all, so
// nothing orders their writes.
func badOwnChannels() int {
	const n = 4
	count := 0
	start, done := make([]chan bool, n), make([]chan bool, n)
	for g := range n { // excused loopvar
		start[g], done[g] = make(chan bool), make(chan bool) // excused distinct
		go func() {
			<-start[g]
			count++ // want "goroutine writes `count`, and more than one such goroutine may run at once"
			done[g] <- true
		}()
	}
	for g := range n {
		start[g] <- true
	}
	for g := range n {
		<-done[g]
	}
	return count
}
