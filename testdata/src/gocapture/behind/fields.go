package behind

import "sync"

// Memory two steps from a captured variable (rule "behind"): the
// elements of a slice held by a field of the function's own object, and
// the object a field of it points to, when the field keeps one value.

type tally struct {
	mu  sync.Mutex
	buf []int
	in  *cell
}

type cell struct{ n int }

// badFieldSliceElement writes an element of the slice in a field of the
// function's object and reads it after go.
func badFieldSliceElement() int {
	st := &tally{buf: make([]int, 4)}
	go func() {
		st.buf[0] = 1 // want "goroutine writes `st.buf\\[0\\]`, which is read after the go statement"
	}()
	return st.buf[0]
}

// badFieldPointee writes a field of the object that a field of the
// function's object points to.
func badFieldPointee() int {
	st := &tally{in: &cell{}}
	go func() {
		st.in.n++ // want "goroutine writes `st.in.n`, which is read after the go statement"
	}()
	return st.in.n
}

// badFieldSliceGoroutines: goroutines of a loop write one element.
func badFieldSliceGoroutines(n int) []int {
	st := &tally{}
	st.buf = make([]int, 1)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st.buf[0]++ // want "goroutine writes `st.buf\\[0\\]`, and more than one such goroutine may run at once"
		}()
	}
	wg.Wait()
	return st.buf
}

// badFieldElemsRange writes an element while the function ranges over
// all of them.
func badFieldElemsRange() (sum int) {
	st := &tally{buf: make([]int, 4)}
	go func() {
		st.buf[1] = 2 // want "goroutine writes `st.buf\\[1\\]`, which is read after the go statement"
	}()
	for _, v := range st.buf {
		sum += v
	}
	return sum
}

// okFieldElemLocked holds the object's mutex at both accesses.
func okFieldElemLocked() int {
	st := &tally{buf: make([]int, 4), in: &cell{}}
	go func() {
		st.mu.Lock()
		st.buf[0]++ // excused locked
		st.in.n++ // excused locked
		st.mu.Unlock()
	}()
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.buf[0] + st.in.n
}

// okFieldPointeeJoined reads after a WaitGroup join.
func okFieldPointeeJoined() int {
	st := &tally{in: &cell{}}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		st.in.n++ // excused joined
	}()
	wg.Wait()
	return st.in.n
}

// okFieldDistinctElems: each goroutine writes its own element (rule
// "distinct").
func okFieldDistinctElems(n int) []int {
	st := &tally{buf: make([]int, n)}
	var wg sync.WaitGroup
	for i := range n { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			st.buf[i] = i // excused distinct
		}()
	}
	wg.Wait()
	return st.buf
}

// okFieldHeaderVsElements: an element write is not a read of the
// slice header that len reads.
func okFieldHeaderVsElements(n int) int {
	st := &tally{buf: make([]int, n)}
	done := make(chan bool)
	for i := range n { // excused loopvar
		go func() {
			st.buf[i] = i // excused distinct
			done <- true
		}()
	}
	m := len(st.buf)
	for range n {
		<-done
	}
	return m
}

// okFieldChannelHandoff: the goroutine writes, then sends; the function
// receives, then reads.
func okFieldChannelHandoff() int {
	st := &tally{buf: make([]int, 1), in: &cell{}}
	done := make(chan struct{})
	go func() {
		st.buf[0] = 1 // excused joined
		st.in.n = 1 // excused joined
		close(done)
	}()
	<-done
	return st.buf[0] + st.in.n
}

// reset assigns the object's fields again: after a call handed the
// object, its fields may hold other values.
func (t *tally) reset() { t.in = &cell{} }

// okFieldReassignedByMethod hands the object to a method that assigns
// its field again: the goroutine's st.in.n is a new object's, not the
// one the function read st.in from before go. The memory behind the
// field is not followed, as for a pointer variable assigned again.
func okFieldReassignedByMethod() int {
	st := &tally{in: &cell{}}
	old := st.in
	go func() {
		st.reset()
		st.in.n++
	}()
	return old.n
}

// okFieldReassigned assigns the field again in the goroutine.
func okFieldReassigned() int {
	st := &tally{in: &cell{}}
	old := st.in
	go func() {
		st.in = &cell{}
		st.in.n++
	}()
	return old.n
}

// first reads the object's first element: a method of the package that
// does not assign the object's fields.
func (t *tally) first() int { return t.buf[0] }

// badFieldElemAfterMethod hands the object to a method that leaves its
// fields as they are: the slice in the field is still followed.
func badFieldElemAfterMethod() int {
	st := &tally{buf: make([]int, 4)}
	n := st.first()
	go func() {
		st.buf[0] = n // want "goroutine writes `st.buf\\[0\\]`, which is read after the go statement"
	}()
	return st.buf[0]
}
