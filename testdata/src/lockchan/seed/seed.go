// Package seed translates the first two examples of the article that
// started sharedvet ("Why does one asynchronous Rust function exhibit
// thread safety issues while a similar one does not?") into Go.
package seed

import "sync"

type SharedData struct {
	mu    sync.Mutex
	value int
}

// badUnsafeFunction is example 1: a counter behind a lock whose result
// is sent on a channel while the guard is still alive. With an
// unbuffered channel, every other user of data.mu waits for the
// receiver.
func badUnsafeFunction(data *SharedData, tx chan<- int) {
	data.mu.Lock()
	defer data.mu.Unlock()
	data.value++
	result := data.value
	tx <- result // want "send on `tx` while holding `data.mu`"
}

// okUnsafeFunctionFixed drops the guard before the send.
func okUnsafeFunctionFixed(data *SharedData, tx chan<- int) {
	data.mu.Lock()
	data.value++
	result := data.value
	data.mu.Unlock()
	tx <- result // ok: the lock is released
}

// okSafeFunction is example 2: results handed over a channel, no lock.
func okSafeFunction(tx chan<- int, initial int) {
	tx <- initial + 1 // ok: no lock
}

func main() {
	data := &SharedData{}
	tx1, tx2 := make(chan int, 1), make(chan int, 1)
	go badUnsafeFunction(data, tx1)
	go badUnsafeFunction(data, tx2)
	_, _ = <-tx1, <-tx2

	tx := make(chan int, 1)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); okSafeFunction(tx, 0) }()
	go func() { defer wg.Done(); okSafeFunction(tx, 10) }()
	_, _ = <-tx, <-tx
	wg.Wait()
	_ = okUnsafeFunctionFixed
}
