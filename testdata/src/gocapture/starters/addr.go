package starters

import "sync"

// Goroutines handed the address of a variable: go f(&n) (params.go).

func bump(p *int) {
	*p++ // want "goroutine writes `n`, which is read after the go statement without synchronization"
}

// badBump reads n while bump may still write it.
func badBump() int {
	n := 0
	go bump(&n)
	return n
}

func add(p *int, v int) {
	*p += v // want "goroutine writes `total`, and more than one such goroutine may run at once without synchronization" "goroutine writes `total`, which is read after the go statement without synchronization"
}

// badAddLoop starts add on the same variable from a loop, and reads
// it without waiting.
func badAddLoop(xs []int) int {
	total := 0
	for _, x := range xs {
		go add(&total, x)
	}
	return total // reported at add's write
}

func record(m *map[string]bool, k string) {
	(*m)[k] = true // want "goroutine writes map `seen`, which is read after the go statement without synchronization"
}

// badRecordMap reads the map that record may still write.
func badRecordMap(k string) int {
	seen := map[string]bool{}
	go record(&seen, k)
	return len(seen)
}

func bumpDone(p *int, wg *sync.WaitGroup) {
	defer wg.Done()
	*p++ // ok: Done follows // excused joined
}

// okBumpWaited reads n after Wait.
func okBumpWaited() int {
	n := 0
	var wg sync.WaitGroup
	wg.Add(1)
	go bumpDone(&n, &wg)
	wg.Wait()
	return n
}

func bumpLocked(p *int, mu *sync.Mutex) {
	mu.Lock()
	*p++ // ok: under mu // excused locked
	mu.Unlock()
}

// okBumpLocked reads n under the mutex the goroutine holds.
func okBumpLocked() int {
	n := 0
	var mu sync.Mutex
	go bumpLocked(&n, &mu)
	mu.Lock()
	defer mu.Unlock()
	return n
}

func bumpSend(p *int, done chan bool) {
	*p = 1 // ok: sent after // excused joined
	done <- true
}

// okBumpChannel reads n after receiving the goroutine's signal.
func okBumpChannel() int {
	n := 0
	done := make(chan bool)
	go bumpSend(&n, done)
	<-done
	return n
}

func show(p *int) { println(*p) }

// okShowReadOnly: both sides only read n.
func okShowReadOnly() int {
	n := 42
	go show(&n)
	return n
}
