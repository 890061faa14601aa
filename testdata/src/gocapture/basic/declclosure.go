package basic

import "sync"

// Closures written in package-level variable declarations (a command's
// Run, an http.HandlerFunc kept in a variable): go/ssa makes them in the
// package's initializer, which buildssa's SrcFuncs does not list; the
// check reads them all the same (srcfuncs.Checked).

func declWork() error { return nil }

var badDeclRun = func() error {
	var err error
	go func() {
		err = declWork() // want "goroutine writes `err`, which is read after the go statement without synchronization"
	}()
	return err
}

var badDeclHandlers = map[string]func() int{
	"count": func() int {
		n := 0
		for i := 0; i < 3; i++ {
			go func() {
				n++ // want "goroutine writes `n`, which is read after the go statement without synchronization" "goroutine writes `n`, and more than one such goroutine may run at once without synchronization"
			}()
		}
		return n
	},
}

var okDeclRunJoined = func() error {
	var err error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		err = declWork() // excused joined
	}()
	wg.Wait()
	return err
}

var okDeclRunLocked = func() int {
	var mu sync.Mutex
	n := 0
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			n++ // excused joined, locked
			mu.Unlock()
		}()
	}
	wg.Wait()
	return n
}

var okDeclRunChannel = func() error {
	var err error
	done := make(chan struct{})
	go func() {
		err = declWork() // excused joined
		close(done)
	}()
	<-done
	return err
}

var okDeclLockedOnly = func() {
	var mu sync.Mutex
	n := 0
	for i := 0; i < 3; i++ {
		go func() {
			mu.Lock()
			n++ // ok: every goroutine holds mu // excused locked
			mu.Unlock()
		}()
	}
}
