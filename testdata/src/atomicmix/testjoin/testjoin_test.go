package testjoin

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var (
	sum int32
	wg  sync.WaitGroup
)

// incSum is ants' incSumInt: the add, then Done.
func incSum(i int32) {
	atomic.AddInt32(&sum, i)
	wg.Done()
}

// TestSubmitJoined is ants' TestRebootNewPoolCalc: two rounds of tasks
// submitted to a pool, each counted, waited for and checked.
func TestSubmitJoined(t *testing.T) {
	atomic.StoreInt32(&sum, 0)
	wg.Add(100)
	p := NewPool(4)
	defer p.Release()
	for i := range 100 {
		p.Submit(func() { incSum(int32(i)) })
	}
	wg.Wait()
	if got := sum; got != 4950 { // ok: every add is followed by wg.Done, and the test waited // excused testjoin
		t.Errorf("sum = %d", got)
	}

	atomic.StoreInt32(&sum, 0)
	wg.Add(100)
	for i := range 100 {
		p.Submit(func() { incSum(int32(i)) })
	}
	wg.Wait()
	if got := sum; got != 4950 { // ok: the second round's adds were counted before its wait // excused testjoin
		t.Errorf("sum = %d", got)
	}
}

// ExampleFuncPool hands the adding function itself to the pool, which
// calls it once for each Invoke.
func ExampleFuncPool() {
	atomic.StoreInt32(&sum, 0)
	wg.Add(10)
	p := NewFuncPool(2, incSum)
	defer p.Release()
	for i := range 10 {
		p.Invoke(int32(i))
	}
	wg.Wait()
	fmt.Println(sum) // ok: an example runs alone, like a test // excused testjoin
	// Output: 45
}

var deferred int64

// TestDeferredDone submits closures that defer Done before they add.
func TestDeferredDone(t *testing.T) {
	atomic.StoreInt64(&deferred, 0)
	wg.Add(10)
	p := NewPool(2)
	defer p.Release()
	for range 10 {
		p.Submit(func() {
			defer wg.Done()
			atomic.AddInt64(&deferred, 1)
		})
	}
	wg.Wait()
	if deferred != 10 { // ok: the deferred Done runs after the add // excused testjoin
		t.Error("lost adds")
	}
}

var spawned int64

// addSpawned adds on two paths and defers Done on both.
func addSpawned(n int64) {
	defer wg.Done()
	if n > 0 {
		atomic.AddInt64(&spawned, n)
		return
	}
	atomic.AddInt64(&spawned, 1)
}

// TestGoJoined starts its tasks with go statements and resets the
// total plainly once they are done.
func TestGoJoined(t *testing.T) {
	for i := range 4 {
		wg.Add(1)
		go addSpawned(int64(i))
	}
	wg.Wait()
	spawned = 0 // ok: a plain write after the join races with no atomic access // excused testjoin
}

var branches int64

// countBranch calls Done after the add on each of its paths.
func countBranch(even bool) {
	if even {
		atomic.AddInt64(&branches, 2)
		wg.Done()
		return
	}
	atomic.AddInt64(&branches, 1)
	wg.Done()
}

// BenchmarkBranches waits in its loop and once more after it.
func BenchmarkBranches(b *testing.B) {
	for range b.N {
		wg.Add(2)
		go countBranch(true)
		go countBranch(false)
		wg.Wait()
	}
	wg.Wait()
	b.ReportMetric(float64(branches), "adds") // ok: benchmarks run alone too // excused testjoin
}

var subtested int32

func addSubtested() {
	atomic.AddInt32(&subtested, 1)
	wg.Done()
}

// TestParallelSubtest has a parallel subtest, which waits for the test's
// function to return and cannot make the test itself parallel.
func TestParallelSubtest(t *testing.T) {
	atomic.StoreInt32(&subtested, 0)
	t.Run("parallel", func(t *testing.T) {
		t.Parallel()
	})
	wg.Add(1)
	go addSubtested()
	wg.Wait()
	if subtested != 1 { // ok: the subtest's t.Parallel is its own // excused testjoin
		t.Error("lost add")
	}
}

var late int32

// lateAdd calls Done before it adds.
func lateAdd() {
	wg.Done()
	atomic.AddInt32(&late, 1)
}

func TestDoneFirst(t *testing.T) {
	wg.Add(1)
	go lateAdd()
	wg.Wait()
	_ = late // want "non-atomic read of `late`, which is accessed atomically elsewhere"
}

var leaked int32

// addLeaked is counted by no WaitGroup.
func addLeaked() { atomic.AddInt32(&leaked, 1) }

func TestLeakedTask(t *testing.T) {
	wg.Add(1)
	go func() { defer wg.Done() }()
	go addLeaked()
	wg.Wait()
	_ = leaked // want "non-atomic read of `leaked`, which is accessed atomically elsewhere"
}

var twice int32

func addTwice() {
	atomic.AddInt32(&twice, 1)
	wg.Done()
}

// TestAddAfterWait counts a second task after its wait and reads
// before waiting for it.
func TestAddAfterWait(t *testing.T) {
	wg.Add(1)
	go addTwice()
	wg.Wait()
	wg.Add(1)
	go addTwice()
	_ = twice // want "non-atomic read of `twice`, which is accessed atomically elsewhere"
	wg.Wait()
}

var unwaited int32

func addUnwaited() {
	atomic.AddInt32(&unwaited, 1)
	wg.Done()
}

// TestStartsUnwaited leaves its task running; TestReadsUnwaited, which
// runs next, reads without waiting.
func TestStartsUnwaited(t *testing.T) {
	wg.Add(1)
	go addUnwaited()
}

func TestReadsUnwaited(t *testing.T) {
	_ = unwaited // want "non-atomic read of `unwaited`, which is accessed atomically elsewhere"
}

var parallelSum int32

// TestParallelWriter and TestParallelReader run at the same time.
func TestParallelWriter(t *testing.T) {
	t.Parallel()
	time.Sleep(time.Millisecond) // lets the reader's add and read come first
	atomic.StoreInt32(&parallelSum, 1)
}

func TestParallelReader(t *testing.T) {
	t.Parallel()
	wg.Add(1)
	go func() {
		defer wg.Done()
		atomic.AddInt32(&parallelSum, 1)
	}()
	wg.Wait()
	_ = parallelSum // want "non-atomic read of `parallelSum`, which is accessed atomically elsewhere"
}

var (
	lateGroup sync.WaitGroup
	counted   int32
)

func addCounted() {
	atomic.AddInt32(&counted, 1)
	lateGroup.Done()
}

// TestAddInGoroutine counts its task in the task's goroutine, which
// the wait may not see.
func TestAddInGoroutine(t *testing.T) {
	go func() {
		lateGroup.Add(1)
		addCounted()
	}()
	lateGroup.Wait()
	_ = counted // want "non-atomic read of `counted`, which is accessed atomically elsewhere"
}

var (
	handedGroup sync.WaitGroup
	handed      int32
)

func addHanded() {
	atomic.AddInt32(&handed, 1)
	handedGroup.Done()
}

// count adds to the group it is handed, wherever it runs.
func count(g *sync.WaitGroup) { g.Add(1) }

// TestHandedGroup counts its task through a pointer to the group, in
// the task's goroutine.
func TestHandedGroup(t *testing.T) {
	go func() {
		count(&handedGroup)
		addHanded()
	}()
	handedGroup.Wait()
	_ = handed // want "non-atomic read of `handed`, which is accessed atomically elsewhere"
}

var direct int32

// TestGoAtomic runs the atomic add itself as a goroutine.
func TestGoAtomic(t *testing.T) {
	wg.Add(1)
	go func() { defer wg.Done() }()
	go atomic.AddInt32(&direct, 1)
	wg.Wait()
	_ = direct // want "non-atomic read of `direct`, which is accessed atomically elsewhere"
}

var deferredAdd int32

// addAtReturn defers its add, which runs after its Done.
func addAtReturn() {
	defer atomic.AddInt32(&deferredAdd, 1)
	wg.Done()
}

func TestDeferredAdd(t *testing.T) {
	wg.Add(1)
	go addAtReturn()
	wg.Wait()
	_ = deferredAdd // want "non-atomic read of `deferredAdd`, which is accessed atomically elsewhere"
}

var flag int32

// TestStoresFlag and TestReadsFlag touch flag in their own bodies only.
func TestStoresFlag(t *testing.T) {
	atomic.StoreInt32(&flag, 1)
}

func TestReadsFlag(t *testing.T) {
	if flag > 1 { // ok: test functions run one at a time // excused testjoin
		t.Error("flag out of range")
	}
}

var rounds int32

func addRound() {
	atomic.AddInt32(&rounds, 1)
	wg.Done()
}

// TestReadBetweenRounds reads after the first round's wait and before
// the second round's Add.
func TestReadBetweenRounds(t *testing.T) {
	atomic.StoreInt32(&rounds, 0)
	wg.Add(1)
	go addRound()
	wg.Wait()
	first := rounds // ok: the second round is counted after this read // excused testjoin
	wg.Add(1)
	go addRound()
	wg.Wait()
	if first != 1 {
		t.Error("lost add")
	}
}

var skipped int64

// TestSkippingTasks submits tasks that return early on some paths,
// after their deferred Done.
func TestSkippingTasks(t *testing.T) {
	atomic.StoreInt64(&skipped, 0)
	p := NewPool(2)
	defer p.Release()
	wg.Add(10)
	for i := range 10 {
		p.Submit(func() {
			defer wg.Done()
			if i%2 == 0 {
				return
			}
			atomic.AddInt64(&skipped, 1)
		})
	}
	wg.Wait()
	if skipped != 5 { // ok: Done is deferred on every path // excused testjoin
		t.Error("lost adds")
	}
}

var helped int32

// mustBeZero is a helper that takes the test's t and does not make it
// parallel.
func mustBeZero(t *testing.T, n int) {
	if n != 0 {
		t.Fatal(n)
	}
}

func TestWithHelper(t *testing.T) {
	atomic.StoreInt32(&helped, 0)
	mustBeZero(t, 0)
	wg.Add(1)
	go func() {
		defer wg.Done()
		atomic.AddInt32(&helped, 1)
	}()
	wg.Wait()
	if helped != 1 { // ok: passing t to a helper that does not call t.Parallel // excused testjoin
		t.Error("lost add")
	}
}

// reenteredGroup has its own group: an Add in a function that is not
// only a test's body keeps rule 18 from trusting the group's count.
var (
	reenteredGroup sync.WaitGroup
	reentered      int32
)

func addReentered() {
	atomic.AddInt32(&reentered, 1)
	reenteredGroup.Done()
}

// TestReentered is also called by TestRunsReentered, in a goroutine
// that overlaps that test's body.
func TestReentered(t *testing.T) {
	reenteredGroup.Add(1)
	go addReentered()
	reenteredGroup.Wait()
	_ = reentered // want "non-atomic read of `reentered`, which is accessed atomically elsewhere"
}

func TestRunsReentered(t *testing.T) {
	done := make(chan bool)
	go func() {
		TestReentered(t)
		done <- true
	}()
	time.Sleep(time.Millisecond) // lets the read come first, as it may without the sleep
	atomic.StoreInt32(&reentered, 5)
	<-done
}
