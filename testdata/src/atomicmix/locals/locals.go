// Package locals holds local variables accessed both atomically and
// plainly: they race only when another goroutine can reach them, and
// not after the join of every goroutine that can.
package locals

import (
	"sync"
	"sync/atomic"
	"testing"
)

// okSingleGoroutine is sync/atomic's own test: no other goroutine ever
// sees x or v.
func okSingleGoroutine() bool {
	var x int64
	atomic.AddInt64(&x, 1)
	var v struct {
		before, i, after int64
	}
	v.before = 1 // ok: v is not shared
	atomic.AddInt64(&v.i, 2)
	return x == 1 && v.i == 2 && v.after == 0 // ok: x and v are not shared // excused private
}

// okSyncClosure calls the closure that updates n in its own goroutine.
func okSyncClosure() int64 {
	var n int64
	inc := func() { atomic.AddInt64(&n, 1) }
	inc()
	defer inc()
	return n // ok: n is not shared with another goroutine // excused private
}

// badShared reads n while the goroutines may still run.
func badShared() int64 {
	var n int64
	for range 4 {
		go func() { atomic.AddInt64(&n, 1) }()
	}
	return n // want "non-atomic read of `n`, which is accessed atomically elsewhere"
}

// okAfterWait reads n after every goroutine that updates it is joined.
func okAfterWait() int64 {
	var n int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			atomic.AddInt64(&n, 1)
		}()
	}
	wg.Wait()
	return n // ok: after the join of every goroutine that reaches n // excused joined
}

// okDoneAfterUse calls Done after the last use, without defer.
func okDoneAfterUse() int64 {
	var n int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		atomic.AddInt64(&n, 1)
		wg.Done()
	}()
	wg.Wait()
	n++      // ok: after the join // excused joined
	return n // excused joined
}

// okWaitArg passes the WaitGroup to the goroutine as an argument.
func okWaitArg() int64 {
	var n int64
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func(wg *sync.WaitGroup, d int64) {
			defer wg.Done()
			atomic.AddInt64(&n, d)
		}(&wg, int64(i))
	}
	wg.Wait()
	return n // ok: after the join // excused joined
}

// okGroupGo starts the goroutines with (*sync.WaitGroup).Go.
func okGroupGo() int64 {
	var n int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { atomic.AddInt64(&n, 1) })
	}
	wg.Wait()
	return n // ok: after the join // excused joined
}

// badDoneBeforeUse signals Done before its update: Wait may return
// while the goroutine still adds.
func badDoneBeforeUse() int64 {
	var n int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		wg.Done()
		atomic.AddInt64(&n, 1)
	}()
	wg.Wait()
	return n // want "non-atomic read of `n`, which is accessed atomically elsewhere"
}

// badPartialJoin joins one goroutine but not the other.
func badPartialJoin() int64 {
	var n int64
	var wg, other sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		atomic.AddInt64(&n, 1)
	}()
	other.Add(1)
	go func() {
		defer other.Done()
		atomic.AddInt64(&n, 1)
	}()
	wg.Wait()
	return n // want "non-atomic read of `n`, which is accessed atomically elsewhere"
}

// badNested starts a goroutine that starts another: the outer join
// does not wait for it.
func badNested() int64 {
	var n int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		go func() { atomic.AddInt64(&n, 1) }()
	}()
	wg.Wait()
	return n // want "non-atomic read of `n`, which is accessed atomically elsewhere"
}

// badEscaped hands &n to a function that may keep it; the check
// cannot follow it.
func badEscaped(start func(*int64)) int64 {
	var n int64
	atomic.AddInt64(&n, 1)
	start(&n)
	return n // want "non-atomic read of `n`, which is accessed atomically elsewhere"
}

// badGoArg passes &n to a go statement.
func badGoArg() int64 {
	var n int64
	go atomic.AddInt64(&n, 1)
	return n // want "non-atomic read of `n`, which is accessed atomically elsewhere"
}

// Counter is a struct whose field is updated atomically.
type Counter struct{ value int64 }

// badFieldAfterWait keeps the field rule: a field stands for all values
// of its type, and the join rule is for variables only (see the seed's
// badMainPlain).
func badFieldAfterWait() int64 {
	c := &Counter{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		atomic.AddInt64(&c.value, 1)
	}()
	wg.Wait()
	return c.value // want "non-atomic read of `c.value`, which is accessed atomically elsewhere"
}

// okLoopInit initializes a fresh variable in each iteration, before
// its goroutine starts: the goroutines of earlier iterations have
// other variables (runtime's TestGoroutineParallelism).
func okLoopInit() {
	for range 3 {
		done := make(chan bool)
		x := uint32(0) // ok: a new x, not yet shared // excused unpublished
		for range 2 {
			go func() {
				atomic.AddUint32(&x, 1)
				done <- true
			}()
		}
		<-done
		<-done
	}
}

// okRunParallel reads the counter after RunParallel, which returns
// after its goroutines.
func okRunParallel(b *testing.B) {
	var iters uint64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			atomic.AddUint64(&iters, 1)
		}
	})
	if iters == 0 { // ok: RunParallel joined its goroutines // excused joined
		b.Fatal("no iterations")
	}
}

// badInRunParallel reads the counter inside the parallel body.
func badInRunParallel(b *testing.B) {
	var iters uint64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			atomic.AddUint64(&iters, 1)
			if iters > 1e9 { // want "non-atomic read of `iters`, which is accessed atomically elsewhere"
				return
			}
		}
	})
}

// okSubtests reads the count after t.Run, which waits for the parallel
// subtests of its function (testing's TestTRun).
func okSubtests(t *testing.T) {
	var count uint32
	t.Run("group", func(t *testing.T) {
		for range 4 {
			t.Run("par", func(t *testing.T) {
				t.Parallel()
				atomic.AddUint32(&count, 1)
			})
		}
	})
	if count != 4 { // ok: t.Run waited for every subtest of group // excused joined
		t.Errorf("count = %d", count) // ok: same // excused joined
	}
}

// okParallelSubtest reads the count after t.Run of a parallel subtest:
// t.Run returns when the subtest calls t.Parallel, but the subtest then
// waits for this test function to return.
func okParallelSubtest(t *testing.T) {
	var count uint32
	t.Run("par", func(t *testing.T) {
		t.Parallel()
		atomic.AddUint32(&count, 1)
	})
	if count > 1 { // ok: the subtest resumes after this function returns // excused joined
		t.Log("too many")
	}
}

// badInSubtests reads the count inside parallel subtests, which run at
// the same time.
func badInSubtests(t *testing.T) {
	var count uint32
	for range 2 {
		t.Run("par", func(t *testing.T) {
			t.Parallel()
			atomic.AddUint32(&count, 1)
			if count > 2 { // want "non-atomic read of `count`, which is accessed atomically elsewhere"
				t.Log("too many")
			}
		})
	}
}

// okNestedAdd starts goroutines from a goroutine, adding each to the
// group before it starts while its own Done is pending: the Wait joins
// them all (client-go's synctrack TestLazyThroughput).
func okNestedAdd() int64 {
	var total int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				atomic.AddInt64(&total, 1)
			}()
		}
	}()
	wg.Wait()
	return total // ok: every goroutine that adds was counted in before it started // excused joined
}

// badNestedOtherGroup counts the inner goroutines in a group that
// nobody waits for.
func badNestedOtherGroup() int64 {
	var total int64
	var wg, inner sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		inner.Add(1)
		go func() {
			defer inner.Done()
			atomic.AddInt64(&total, 1)
		}()
	}()
	wg.Wait()
	return total // want "non-atomic read of `total`, which is accessed atomically elsewhere"
}
