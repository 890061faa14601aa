// Package maps holds races on the contents of captured maps, which
// crash the program ("concurrent map writes").
package maps

import (
	"fmt"
	"sync"
)

// badMapWrites writes a captured map from many goroutines.
func badMapWrites(keys []string) map[string]int {
	m := make(map[string]int)
	var wg sync.WaitGroup
	for i, k := range keys { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			m[k] = i // want "goroutine writes map `m`, and more than one such goroutine may run at once"
		}()
	}
	wg.Wait()
	return m
}

// badMapDelete deletes while the starter reads.
func badMapDelete(m map[string]int) int {
	go func() {
		delete(m, "x") // want "goroutine writes map `m`, which is read after the go statement"
	}()
	return m["y"]
}

// badMapRange writes while the starter ranges over the map.
func badMapRange() int {
	m := map[int]int{1: 1}
	go func() {
		m[2] = 2 // want "goroutine writes map `m`, which is read after the go statement"
	}()
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// okMapLocked writes under a mutex.
func okMapLocked(keys []string) map[string]int {
	var mu sync.Mutex
	m := make(map[string]int)
	var wg sync.WaitGroup
	for i, k := range keys { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			m[k] = i // ok: under mu // excused locked
			mu.Unlock()
		}()
	}
	wg.Wait()
	return m
}

// okMapReads only reads the map in the goroutines.
func okMapReads(m map[string]int, keys []string) {
	var wg sync.WaitGroup
	for _, k := range keys { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			println(m[k]) // ok: concurrent reads
		}()
	}
	wg.Wait()
}

// okMapPerGoroutine gives each goroutine its own map.
func okMapPerGoroutine(n int) []map[int]int {
	out := make([]map[int]int, n)
	var wg sync.WaitGroup
	for i := range n { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := make(map[int]int)
			m[i] = i   // ok: m is the goroutine's own
			out[i] = m // excused distinct
		}()
	}
	wg.Wait()
	return out
}

// okMapAfterJoin reads the map after the join.
func okMapAfterJoin() int {
	m := map[int]int{}
	done := make(chan struct{})
	go func() {
		m[1] = 1 // excused joined
		close(done)
	}()
	<-done
	return m[1] // ok: after the receive
}

func logArgs(args map[string]any, err error) string { return fmt.Sprint(args, err) }

// badMapToCallee hands the captured map to a function from the
// goroutine while the starting function adds to it (minio-go's tests).
func badMapToCallee(put func() error) {
	args := map[string]any{"bucket": "b"}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := put(); err != nil {
			logArgs(args, err)
		}
	}()
	args["ctx"] = 1 // want "map `args` is written after the go statement, while the goroutine reads it"
	<-done
}

// badMapPrinted prints the map from the goroutine.
func badMapPrinted() {
	m := map[string]int{"a": 1}
	done := make(chan struct{})
	go func() {
		fmt.Println(len(m), m)
		close(done)
	}()
	m["b"] = 2 // want "map `m` is written after the go statement, while the goroutine reads it"
	<-done
}

// okMapToCalleeAfterJoin writes the map only after the goroutine that
// reads it through a call is done.
func okMapToCalleeAfterJoin() string {
	args := map[string]any{"bucket": "b"}
	done := make(chan string)
	go func() {
		done <- logArgs(args, nil)
	}()
	s := <-done
	args["ctx"] = 1 // ok: the goroutine sent its result after its last read (fixture okMapToCalleeAfterJoin) // excused joined
	return s
}

// okMapReadByBoth: both only read.
func okMapReadByBoth() int {
	m := map[string]int{"a": 1}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		fmt.Println(m)
	}()
	n := len(m) // ok: reads only
	wg.Wait()
	return n
}
