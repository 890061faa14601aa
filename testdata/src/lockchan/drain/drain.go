// Package drain holds lockchan's fixtures for the wait before the
// drain: goroutines send more values than the buffer holds, and the
// function that started them waits for them before it receives.
package drain

import (
	"sync"

	"golang.org/x/sync/errgroup"
)

func safeFunction(tx chan<- int, initial int) {
	tx <- initial + 1
}

// badSeed is the seed article's second example in Go: two senders, a
// buffer of one, both joined before the first receive. The second send
// blocks forever, so wg.Wait never returns.
func badSeed() (int, int) {
	tx := make(chan int, 1)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); safeFunction(tx, 0) }()
	go func() { defer wg.Done(); safeFunction(tx, 10) }()
	wg.Wait() // want "`wg.Wait` waits for goroutines that send 2 values on `tx` before anything receives from it, but its buffer holds 1, so this can deadlock"
	return <-tx, <-tx
}

// badUnbufferedLoop: any worker's send blocks until a receive that
// comes only after the wait.
func badUnbufferedLoop(items []int) []int {
	results := make(chan int)
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- it * 2
		}()
	}
	wg.Wait() // want "`wg.Wait` waits for goroutines that send values on `results` before anything receives from it, but it has no buffer"
	close(results)
	var out []int
	for r := range results {
		out = append(out, r)
	}
	return out
}

// badErrgroup: errgroup's Wait joins the goroutines its Go started.
func badErrgroup() error {
	errs := make(chan error)
	var g errgroup.Group
	g.Go(func() error { errs <- nil; return nil })
	if err := g.Wait(); err != nil { // want "`g.Wait` waits for goroutines that send 1 value on `errs` before anything receives from it, but it has no buffer"
		return err
	}
	return <-errs
}

// okCapacityCoversSends: room for every send.
func okCapacityCoversSends() (int, int) {
	tx := make(chan int, 2)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); safeFunction(tx, 0) }()
	go func() { defer wg.Done(); safeFunction(tx, 10) }()
	wg.Wait() // ok: the buffer holds both sends
	return <-tx, <-tx
}

// okCapacityLoop: a buffer sized by the work list holds every send.
func okCapacityLoop(items []int) int {
	results := make(chan int, len(items))
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func() { defer wg.Done(); results <- it }()
	}
	wg.Wait() // ok: the buffer is as long as the work list
	close(results)
	sum := 0
	for r := range results {
		sum += r
	}
	return sum
}

// okReceiveBeforeWait: the function drains while the workers run.
func okReceiveBeforeWait() int {
	tx := make(chan int)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); safeFunction(tx, 0) }()
	go func() { defer wg.Done(); safeFunction(tx, 10) }()
	a, b := <-tx, <-tx
	wg.Wait() // ok: both values were received before the wait
	return a + b
}

// okCloserGoroutine: a goroutine waits and closes; the function ranges.
func okCloserGoroutine(items []int) int {
	results := make(chan int)
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func() { defer wg.Done(); results <- it }()
	}
	go func() {
		wg.Wait() // ok: the function receives while this goroutine waits
		close(results)
	}()
	sum := 0
	for r := range results {
		sum += r
	}
	return sum
}

// okCollector: another goroutine drains the channel.
func okCollector() int {
	tx := make(chan int)
	sum := 0
	done := make(chan struct{})
	go func() {
		for v := range tx {
			sum += v
		}
		close(done)
	}()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); tx <- 1 }()
	go func() { defer wg.Done(); tx <- 2 }()
	wg.Wait() // ok: the collector receives while the senders run
	close(tx)
	<-done
	return sum
}

// okConditionalSend: a send on only some paths may not happen.
func okConditionalSend(fail bool) error {
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if fail {
			errs <- nil
		}
	}()
	go func() {
		defer wg.Done()
		if fail {
			errs <- nil
		}
	}()
	wg.Wait() // ok (a limitation): the sends are conditional, counted as possibly absent
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// okNotJoined: the goroutine does not call Done, so the wait does not wait for it.
func okNotJoined() int {
	tx := make(chan int)
	var wg sync.WaitGroup
	go func() { tx <- 1 }()
	wg.Wait() // ok: the sender is not one of wg's goroutines
	return <-tx
}

// okDoneBeforeSend: the goroutine is done before it sends, so the
// wait does not wait for the send.
func okDoneBeforeSend() int {
	results := make(chan int)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		wg.Done()
		results <- 1
	}()
	wg.Wait() // ok: Done comes before the send
	return <-results
}

// badDoneAfterSend: Done after the send; the send waits for a receive
// that comes after the wait.
func badDoneAfterSend() int {
	results := make(chan int)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		results <- 1
		wg.Done()
	}()
	wg.Wait() // want "`wg.Wait` waits for goroutines that send 1 value on `results` before anything receives from it"
	return <-results
}

func sendDone(wg *sync.WaitGroup, ch chan int, v int) {
	defer wg.Done()
	ch <- v
}

// badNamedWorkers: go f(ch) with a named function; its send is on its
// parameter, the channel the go statement passes.
func badNamedWorkers() int {
	ch := make(chan int)
	var wg sync.WaitGroup
	wg.Add(2)
	go sendDone(&wg, ch, 1)
	go sendDone(&wg, ch, 2)
	wg.Wait() // want "`wg.Wait` waits for goroutines that send 2 values on `ch` before anything receives from it, but it has no buffer"
	return <-ch + <-ch
}

// okNamedWorkersBuffered: the buffer holds both sends.
func okNamedWorkersBuffered() int {
	ch := make(chan int, 2)
	var wg sync.WaitGroup
	wg.Add(2)
	go sendDone(&wg, ch, 1)
	go sendDone(&wg, ch, 2)
	wg.Wait() // ok: the buffer holds both sends
	return <-ch + <-ch
}
