package testjoinstray

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var (
	total int32
	wg    sync.WaitGroup
)

// parallel makes its caller's test parallel.
func parallel(t *testing.T) { t.Parallel() }

func TestHelperWriter(t *testing.T) {
	parallel(t)
	time.Sleep(time.Millisecond) // lets the reader's add and read come first
	atomic.StoreInt32(&total, 1)
}

func TestHelperReader(t *testing.T) {
	parallel(t)
	wg.Add(1)
	go func() {
		defer wg.Done()
		atomic.AddInt32(&total, 1)
	}()
	wg.Wait()
	_ = total // want "non-atomic read of `total`, which is accessed atomically elsewhere"
}
