package maps

import "sync"

// Maps of maps: idx[a][b] = v writes the map that idx[a] holds.

// badNestedSameKey: every goroutine writes the map held at "hits".
func badNestedSameKey(keys []string) map[string]map[string]int {
	idx := map[string]map[string]int{"hits": {}}
	var wg sync.WaitGroup
	for _, k := range keys { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			idx["hits"][k]++ // want "goroutine writes map `idx\\[\"hits\"\\]`, and more than one such goroutine may run at once without synchronization"
		}()
	}
	wg.Wait()
	return idx
}

// badNestedReadAfterGo counts the inner map while the goroutine adds
// to it.
func badNestedReadAfterGo(k string) int {
	idx := map[string]map[string]bool{"seen": {}}
	done := make(chan bool)
	go func() {
		idx["seen"][k] = true // want "goroutine writes map `idx\\[\"seen\"\\]`, which is read after the go statement without synchronization"
		done <- true
	}()
	n := len(idx["seen"])
	<-done
	return n
}

// okNestedPerGoroutine: each goroutine writes the map at its own key.
func okNestedPerGoroutine(keys []string) map[string]map[string]int {
	idx := make(map[string]map[string]int)
	for _, k := range keys {
		idx[k] = make(map[string]int)
	}
	var wg sync.WaitGroup
	for _, k := range keys { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			idx[k]["n"] = len(k) // ok: each goroutine's own inner map // excused distinct
		}()
	}
	wg.Wait()
	return idx
}

// okNestedLocked writes the shared inner map under a mutex.
func okNestedLocked(keys []string) int {
	idx := map[string]map[string]int{"hits": {}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, k := range keys { // excused loopvar
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			idx["hits"][k]++ // ok: under mu // excused joined, locked
			mu.Unlock()
		}()
	}
	wg.Wait()
	return len(idx["hits"])
}

// okNestedJoined reads the inner map after the goroutine's signal.
func okNestedJoined(k string) int {
	idx := map[string]map[string]bool{"seen": {}}
	done := make(chan bool)
	go func() {
		idx["seen"][k] = true // ok: received before the read // excused joined
		done <- true
	}()
	<-done
	return len(idx["seen"])
}
