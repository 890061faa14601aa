// Package joins holds the joins and handoffs that order a goroutine's
// accesses against its starter's, and the near misses that do not.
package joins

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/sync/errgroup"
)

func compute() (int, error) { return 0, nil }

// okErrgroup joins with the group's Wait.
func okErrgroup(ctx context.Context) (int, error) {
	var n int
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var err error
		n, err = compute() // excused joined
		return err
	})
	if err := g.Wait(); err != nil {
		return 0, err
	}
	return n, nil // ok: after Wait
}

// badErrgroupNoWait reads before the group's Wait.
func badErrgroupNoWait() int {
	var n int
	var g errgroup.Group
	g.Go(func() error {
		n = 1 // want "goroutine writes `n`, which is read after the goroutine is started without synchronization"
		return nil
	})
	v := n
	g.Wait()
	return v
}

// badErrgroupLoop writes one variable from every goroutine of the group.
func badErrgroupLoop(xs []int) int {
	sum := 0
	var g errgroup.Group
	for _, x := range xs { // excused loopvar
		g.TryGo(func() error {
			sum += x // want "goroutine writes `sum`, and more than one such goroutine may run at once"
			return nil
		})
	}
	g.Wait()
	return sum
}

// okWaitGroupGo joins goroutines started by wg.Go.
func okWaitGroupGo() (a, b int) {
	var wg sync.WaitGroup
	wg.Go(func() { a = 1 }) // excused joined
	wg.Go(func() { b = 2 }) // excused joined
	wg.Wait()
	return a, b // ok: after Wait
}

// badWaitGroupGo writes the same variable from two goroutines of the group.
func badWaitGroupGo() int {
	x := 0
	var wg sync.WaitGroup
	wg.Go(func() { x = 1 }) // want "goroutine writes `x`, which another goroutine writes without synchronization"
	wg.Go(func() { x = 2 }) // excused joined
	wg.Wait()
	return x
}

// okRangeJoin ranges over a channel the goroutine closes.
func okRangeJoin(xs []int) (int, int) {
	count := 0
	ch := make(chan int)
	go func() {
		for _, x := range xs {
			count++ // excused joined
			ch <- x
		}
		close(ch)
	}()
	sum := 0
	for v := range ch {
		sum += v
	}
	return sum, count // ok: the range ends after close
}

// okSelectJoin reads in the case that received the goroutine's signal.
func okSelectJoin(ctx context.Context) (int, error) {
	var n int
	done := make(chan struct{})
	go func() {
		n, _ = compute() // excused joined
		close(done)
	}()
	select {
	case <-done:
		return n, nil // ok: done was closed after the write
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// badSelectTimeout reads in the timeout case, where nothing was received.
func badSelectTimeout() int {
	var n int
	done := make(chan struct{})
	go func() {
		n = 1 // want "goroutine writes `n`, which is read after the go statement"
		close(done)
	}()
	select {
	case <-done:
		return 0
	case <-time.After(time.Second):
		return n
	}
}

// okReceiveLoop receives once per goroutine after starting them all.
func okReceiveLoop(xs []int) error {
	var mu sync.Mutex
	var first error
	done := make(chan bool)
	for range xs {
		go func() {
			if _, err := compute(); err != nil {
				mu.Lock()
				first = err // excused joined, locked
				mu.Unlock()
			}
			done <- true
		}()
	}
	for range xs {
		<-done
	}
	return first // ok: every goroutine sent after its write
}

// okHandoff writes, then sends; the goroutine receives, then reads.
func okHandoff() {
	var cfg string
	start := make(chan struct{})
	done := make(chan struct{})
	go func() {
		<-start
		println(cfg)
		close(done)
	}()
	cfg = "ready" // ok: published by the send on start // excused ordered
	start <- struct{}{}
	<-done
}

// badHandoffAfter writes after the handoff.
func badHandoffAfter() {
	var cfg string
	start := make(chan struct{})
	go func() {
		<-start
		println(cfg)
	}()
	start <- struct{}{}
	cfg = "late" // want "`cfg` is written after the go statement, while the goroutine reads it without synchronization"
}

// wait waits for wg: a function of the package, whose Wait is its
// caller's (rule "joined").
func wait(wg *sync.WaitGroup) { wg.Wait() }

// okHelperWait joins through a helper function.
func okHelperWait() int {
	x := 0
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		x = 1 // excused joined
	}()
	wait(&wg)
	return x // ok: the helper may wait on wg
}

// okContextCancel joins through the context the goroutine cancels.
func okContextCancel(ctx context.Context) error {
	var err error
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		_, err = compute() // excused helper
		cancel()
	}()
	<-ctx.Done()
	return err // ok: cancel closes ctx.Done()
}

// signal calls f; it stands for any function that runs a callback.
func signal(f func()) { f() }

// okSignalInCallback sends on the channel from a callback.
func okSignalInCallback() int {
	x := 0
	ready := make(chan struct{})
	go func() {
		x = 1 // excused helper
		signal(func() { ready <- struct{}{} })
	}()
	<-ready
	return x // ok: the callback may send on ready
}

// okSynctestWait joins with synctest.Wait.
func okSynctestWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		done := false
		go func() { done = true }() // excused joined
		synctest.Wait()
		println(done) // ok: the goroutine exited before Wait returned
	})
}

// okAtomicHandoff publishes data with an atomic store, taking turns
// (sync/atomic's TestStoreLoadRelAcq32).
func okAtomicHandoff(n int32) {
	var flag int32
	var data int32
	done := make(chan bool, 2)
	for p := range int32(2) { // excused loopvar
		go func() {
			for i := int32(1); i < n; i++ {
				if (i+p)%2 == 0 {
					data = i // ok: published by the atomic store // excused bracketed
					atomic.StoreInt32(&flag, i)
				} else {
					for atomic.LoadInt32(&flag) != i {
					}
					println(data)
				}
			}
			done <- true
		}()
	}
	<-done
	<-done
}

// okCondWait waits on a sync.Cond that the goroutine signals.
func okCondWait() int {
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	ready := false
	x := 0
	go func() {
		x = 1 // excused joined
		mu.Lock()
		ready = true // excused joined
		cond.Signal()
		mu.Unlock()
	}()
	mu.Lock()
	for !ready {
		cond.Wait()
	}
	mu.Unlock()
	return x // ok: the goroutine wrote before it signalled
}

// badSleep "joins" with a sleep, which orders nothing.
func badSleep() int {
	x := 0
	go func() {
		x = 1 // want "goroutine writes `x`, which is read after the go statement"
	}()
	time.Sleep(time.Millisecond)
	return x
}

// okDeferredWait joins with a deferred Wait, which runs before the
// named result is returned.
func okDeferredWait() (err error) {
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, err = compute() // excused joined
	}()
	return // ok: the deferred Wait runs first
}

// badDeferredWaitTooLate reads before the deferred Wait runs.
func badDeferredWaitTooLate() int {
	x := 0
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() {
		defer wg.Done()
		x = 1 // want "goroutine writes `x`, which is read after the go statement"
	}()
	return x
}

// badSelectOtherCase writes a variable that a ticking goroutine reads,
// then closes stop: the goroutine reads in the ticker's case, which the
// close does not order (recall program R6; go test -race reports it).
func badSelectOtherCase(names []string) {
	prefix := "start"
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				println(prefix + ": tick")
			}
		}
	}()
	for _, n := range names {
		prefix = n // want "`prefix` is written after the go statement, while the goroutine reads it without synchronization"
		time.Sleep(2 * time.Millisecond)
	}
	close(stop)
	<-done
}

// okSelectSameCase reads in the case that receives the handoff.
func okSelectSameCase() {
	prefix := "start"
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				println(prefix + ": stopped")
				return
			case <-t.C:
			}
		}
	}()
	prefix = "last" // ok: published by close(stop), received in the case that reads it // excused ordered
	close(stop)
	<-done
}

// badTimerCaseWork is badSelectOtherCase with the starter calling a
// function between writes: a call may close a channel of unknown
// origin, but not a ticker's, which only the runtime sends on (go test
// -race reports it).
func badTimerCaseWork(names []string) {
	prefix := "start"
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				println(prefix + ": tick")
			case <-time.After(time.Second):
				println(prefix + ": idle")
			}
		}
	}()
	for _, n := range names {
		prefix = n // want "`prefix` is written after the go statement, while the goroutine reads it without synchronization"
		work(n)
	}
	close(stop)
	<-done
}

func work(string) { time.Sleep(2 * time.Millisecond) }

// badSelectEmptyCase reads after a select whose cases are empty: the
// done case is ordered, the context's is not, and both go on to the
// read (go test -race reports it when the context is done first).
func badSelectEmptyCase(ctx context.Context) int {
	var n int
	done := make(chan struct{})
	go func() {
		n, _ = compute() // want "goroutine writes `n`, which is read after the go statement without synchronization"
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
	return n
}

// okSelectEmptyCase reads after the same select only when done was
// received.
func okSelectEmptyCase(ctx context.Context) int {
	var n int
	done := make(chan struct{})
	go func() {
		n, _ = compute() // excused joined
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		return -1
	}
	return n // ok: only the done case reaches it
}

func fetchWith(ctx context.Context, key string) (string, error) { return key, ctx.Err() }

// badBackgroundContext: context.Background() carries nothing to
// synchronize on, so the goroutine's call and the starter's are not
// taken to order the write after the go statement with its read.
func badBackgroundContext(key string) string {
	done := make(chan struct{})
	go func() {
		defer close(done)
		v, err := fetchWith(context.Background(), key)
		if err == nil {
			_ = v
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	key = "other" // want "`key` is written after the go statement, while the goroutine reads it without synchronization"
	_ = ctx
	<-done
	return key
}

// okCanceledContext: the goroutine waits on the context that the
// starter cancels, so the cancel orders the write before the read.
func okCanceledContext(key string) string {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan string)
	go func() {
		<-ctx.Done()
		done <- key
	}()
	key = "other" // ok: written before cancel, which the goroutine waits for // excused ordered
	cancel()
	return <-done
}

// An uploader guards its state with a mutex, so a call handed it may
// synchronize; its options, a reader and an error do not.
type uploader struct {
	mu    sync.Mutex
	count int
}

type uploadOpts struct {
	ContentType string
	Progress    func(int)
}

func (u *uploader) put(ctx context.Context, r *strings.Reader, opts uploadOpts) error {
	u.mu.Lock()
	u.count++
	u.mu.Unlock()
	return ctx.Err()
}

func logFailure(args map[string]any, err error) string { return fmt.Sprint(args, err) }

// badZeroOptions: the goroutine's call gets the uploader, which the
// starter never hands to a call, a zero options value (a constant) and
// a reader with nothing to synchronize on.
func badZeroOptions(u *uploader, data string) {
	args := map[string]any{"bucket": "b"}
	done := make(chan struct{})
	go func() {
		defer close(done)
		err := u.put(context.Background(), strings.NewReader(data), uploadOpts{})
		logFailure(args, err)
	}()
	args["ctx"] = 1 // want "map `args` is written after the go statement, while the goroutine reads it without synchronization"
	<-done
}

// badErrorLogged: the error the starter logs, a call's result, orders
// nothing.
func badErrorLogged(u *uploader, check func() error) {
	args := map[string]any{"bucket": "b"}
	done := make(chan struct{})
	go func() {
		defer close(done)
		logFailure(args, nil)
	}()
	logFailure(nil, check())
	args["ctx"] = 1 // want "map `args` is written after the go statement, while the goroutine reads it without synchronization"
	<-done
}
