package bench

import (
	"sync/atomic"
	"testing"
)

// sink keeps the results alive.
var sink uint64

func BenchmarkSerial(b *testing.B) {
	var t uint64
	for range b.N {
		t += Next(t)
	}
	sink = t // ok: benchmarks run one at a time, and RunParallel joins its goroutines (fixture BenchmarkSerial in atomicmix/bench) // excused bench
}

func BenchmarkParallel(b *testing.B) {
	b.RunParallel(func(pb *testing.PB) {
		var t uint64
		for pb.Next() {
			t += Next(t)
		}
		atomic.AddUint64(&sink, t)
	})
}

// counted is also updated by a goroutine that nothing joins.
var counted uint64

func BenchmarkCountedParallel(b *testing.B) {
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			atomic.AddUint64(&counted, 1)
		}
	})
	go atomic.AddUint64(&counted, 1)
}

func BenchmarkCountedSerial(b *testing.B) {
	counted = 0 // want "non-atomic write of `counted`, which is accessed atomically elsewhere"
}

// shared is read inside the parallel body: its goroutines overlap.
var shared uint64

func BenchmarkSharedParallel(b *testing.B) {
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			atomic.AddUint64(&shared, 1)
			if shared > 1e18 { // want "non-atomic read of `shared`, which is accessed atomically elsewhere"
				return
			}
		}
	})
}
