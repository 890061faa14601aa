package basic

import (
	"fmt"
	"sync"
)

func use(any) {}

// badBoxedArgument: the workers write err, and a call handed only a
// boxed int (use(1), fmt.Errorf's variadic i) gives no callee anything
// to synchronize on (ristretto's stress test, docs/exploration).
func badBoxedArgument(keys []int) error {
	var err error
	var wg sync.WaitGroup
	for _, k := range keys { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			use(1)
			err = fmt.Errorf("missing %d", k) // want `goroutine writes .err., and more than one such goroutine may run at once without synchronization`
		}()
	}
	wg.Wait()
	return err
}

// okBoxedMutex: the boxed value is the mutex's pointer, which a callee
// may lock: nothing is said.
func okBoxedMutex(keys []int) error {
	var err error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lockAndSet(&mu, func() { err = fmt.Errorf("missing %d", k) })
		}()
	}
	wg.Wait()
	return err
}

func lockAndSet(l sync.Locker, f func()) {
	l.Lock()
	defer l.Unlock()
	f()
}

// okBoxedLocked: the same workers, each write under a mutex.
func okBoxedLocked(keys []int) error {
	var err error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, k := range keys { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			use(k)
			mu.Lock()
			err = fmt.Errorf("missing %d", k) // excused joined, locked
			mu.Unlock()
		}()
	}
	wg.Wait()
	return err
}
