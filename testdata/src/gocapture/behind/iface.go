package behind

import "sync"

// A pointer stored in an interface (rule "behind"): the object that the
// interface's pointer points to is the function's own, and is followed
// as a pointer variable's is.

// badInterfacePointer writes a field of the object in the interface
// and reads it after go.
func badInterfacePointer() int {
	var v any = &stats{}
	go func() {
		v.(*stats).hits++ // want "goroutine writes `v.hits`, which is read after the go statement"
	}()
	return v.(*stats).hits
}

// badInterfacePointerCommaOk asserts with comma-ok in the goroutines.
func badInterfacePointerCommaOk(n int) int {
	var v any = new(stats)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if st, ok := v.(*stats); ok {
				st.hits++ // want "goroutine writes `v.hits`, and more than one such goroutine may run at once"
			}
		}()
	}
	wg.Wait()
	return v.(*stats).hits
}

// badInterfacePointerCopy writes in the goroutine while the function
// copies the whole object.
func badInterfacePointerCopy() stats {
	var v any = &stats{}
	go func() {
		v.(*stats).n = 1 // want "goroutine writes `v.n`, which is read after the go statement"
	}()
	return *v.(*stats)
}

// okInterfacePointerLocked counts under the object's mutex.
func okInterfacePointerLocked(n int) int {
	var v any = &stats{}
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := v.(*stats)
			st.mu.Lock()
			st.hits++ // ok: under st.mu // excused joined, locked
			st.mu.Unlock()
		}()
	}
	wg.Wait()
	return v.(*stats).hits
}

// okInterfacePointerJoined reads after the join.
func okInterfacePointerJoined() int {
	var v any = &stats{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		v.(*stats).hits++ // excused joined
	}()
	wg.Wait()
	return v.(*stats).hits // ok: after the join
}

// okInterfacePointerOtherField writes one field in the goroutine and
// another after go.
func okInterfacePointerOtherField() int64 {
	var v any = &stats{}
	done := make(chan struct{})
	go func() {
		v.(*stats).hits = 1
		close(done)
	}()
	v.(*stats).n = 2 // ok: another field
	<-done
	return v.(*stats).n
}

// okInterfacePointerHandoff writes before a send that the goroutine
// waits for, and the goroutine reads after it.
func okInterfacePointerHandoff() {
	var v any = &stats{}
	ready := make(chan struct{})
	done := make(chan struct{})
	go func() {
		<-ready
		println(v.(*stats).hits)
		close(done)
	}()
	v.(*stats).hits = 1 // ok: before the send the goroutine waits for // excused ordered
	close(ready)
	<-done
}
