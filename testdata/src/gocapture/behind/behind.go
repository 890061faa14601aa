// Package behind holds races on memory that a captured variable
// reaches: the elements of the slice it holds, and the object it
// points to when the function allocated it (rule "behind" of doc.go).
// Each bad function races under go test -race; each ok one does not.
package behind

import (
	"sync"
	"sync/atomic"
)

// badSliceElemAfterGo reads an element that the goroutine writes.
func badSliceElemAfterGo() int {
	buf := make([]int, 4)
	go func() {
		buf[0] = 1 // want "goroutine writes `buf\\[0\\]`, which is read after the go statement without synchronization"
	}()
	return buf[0]
}

// badCopyThenRange fills the slice with copy in the goroutine while the
// starter ranges over it.
func badCopyThenRange(src []int) int {
	buf := make([]int, len(src))
	go func() {
		copy(buf, src) // want "goroutine writes the elements of `buf`, which is read after the go statement"
	}()
	n := 0
	for _, v := range buf {
		n += v
	}
	return n
}

// badWriteWhileRange writes an element while the goroutine ranges over
// the slice.
func badWriteWhileRange() {
	xs := []int{1, 2, 3}
	done := make(chan int)
	go func() {
		n := 0
		for _, x := range xs {
			n += x
		}
		done <- n
	}()
	xs[1] = 5 // want "`xs\\[1\\]` is written after the go statement, while the goroutine reads it without synchronization"
	<-done
}

// badStringOfBytes converts the bytes that the goroutine writes.
func badStringOfBytes() string {
	b := make([]byte, 2)
	go func() {
		b[1] = 'x' // want "goroutine writes `b\\[1\\]`, which is read after the go statement"
	}()
	return string(b)
}

func sum(xs []int) (n int) {
	for _, x := range xs {
		n += x
	}
	return n
}

// badSliceToCallee hands the slice to a function, which reads it.
func badSliceToCallee() int {
	xs := make([]int, 3)
	go func() {
		xs[2] = 7 // want "goroutine writes `xs\\[2\\]`, which is read after the go statement"
	}()
	return sum(xs)
}

// badSliceElemGoroutines: goroutines of a loop all write one element.
func badSliceElemGoroutines(n int) []int {
	hist := make([]int, 2)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hist[0]++ // want "goroutine writes `hist\\[0\\]`, and more than one such goroutine may run at once"
		}()
	}
	wg.Wait()
	return hist
}

type stats struct {
	mu   sync.Mutex
	hits int
	n    int64
}

// badPointerField writes a field of the function's own object through
// the captured pointer, and returns a copy of the object.
func badPointerField() stats {
	st := &stats{}
	go func() {
		st.hits++ // want "goroutine writes `st.hits`, which is read after the go statement"
	}()
	return *st
}

// badPointerFieldGoroutines counts hits from many goroutines.
func badPointerFieldGoroutines(n int) int {
	st := new(stats)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st.hits++ // want "goroutine writes `st.hits`, and more than one such goroutine may run at once"
		}()
	}
	wg.Wait()
	return st.hits
}

// badPointeeOfLocal writes a local through a pointer to it.
func badPointeeOfLocal() int {
	n := 0
	p := &n
	go func() {
		*p = 1 // want "goroutine writes `\\*p`, which is read after the go statement"
	}()
	return *p
}

// okSliceElemJoined reads the element after the join.
func okSliceElemJoined() int {
	buf := make([]int, 4)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf[0] = 1 // excused joined
	}()
	wg.Wait()
	return buf[0] // ok: after Wait
}

// okCopyChannel copies in the goroutine, which then closes done.
func okCopyChannel(src []int) int {
	buf := make([]int, len(src))
	done := make(chan struct{})
	go func() {
		copy(buf, src) // excused joined
		close(done)
	}()
	<-done
	return sum(buf) // ok: after the receive
}

// okElemsJoined writes an element per goroutine, then ranges after Wait.
func okElemsJoined(n int) int {
	out := make([]int, n)
	var wg sync.WaitGroup
	for i := range n { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = i // ok: distinct elements // excused distinct, joined
		}()
	}
	wg.Wait()
	t := 0
	for _, v := range out { // ok: after Wait
		t += v
	}
	return t
}

// okReadOnlyElems only reads the elements on both sides.
func okReadOnlyElems(xs []int) int {
	done := make(chan int)
	go func() {
		done <- sum(xs)
	}()
	n := xs[0] // ok: reads only
	return n + <-done
}

// okDistinctConstElems writes two different elements.
func okDistinctConstElems() []int {
	buf := make([]int, 2)
	done := make(chan struct{})
	go func() {
		buf[0] = 1
		close(done)
	}()
	buf[1] = 2 // ok: another element
	<-done
	return buf
}

// okSliceHandoff writes, then sends; the goroutine receives, then reads.
func okSliceHandoff() {
	buf := make([]int, 1)
	ready := make(chan struct{})
	done := make(chan struct{})
	go func() {
		<-ready
		println(buf[0])
		close(done)
	}()
	buf[0] = 1 // ok: before the send the goroutine waits for // excused ordered
	close(ready)
	<-done
}

// okPointerFieldLocked counts under the object's mutex.
func okPointerFieldLocked(n int) int {
	st := &stats{}
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st.mu.Lock()
			st.hits++ // ok: under st.mu // excused joined, locked
			st.mu.Unlock()
		}()
	}
	wg.Wait()
	return st.hits
}

// okPointerFieldAtomic counts atomically.
func okPointerFieldAtomic(n int) int64 {
	st := &stats{}
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			atomic.AddInt64(&st.n, 1) // ok: atomic
		}()
	}
	wg.Wait()
	return st.n
}

// okPointerJoinedByChannel reads the object after the goroutine is done.
func okPointerJoinedByChannel() stats {
	st := &stats{}
	done := make(chan struct{})
	go func() {
		st.hits++ // excused joined
		close(done)
	}()
	<-done
	return *st // ok: after the receive
}

// okOtherFields writes one field in the goroutine, another after go.
func okOtherFields() int64 {
	st := &stats{}
	done := make(chan struct{})
	go func() {
		st.hits = 1
		close(done)
	}()
	st.n = 2 // ok: another field
	<-done
	return st.n
}
