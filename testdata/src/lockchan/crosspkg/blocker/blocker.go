// Package blocker exports functions that may block on channels; the
// facts lockchan records for them are used by package user.
package blocker

type Pipe struct {
	C chan string
}

func (p *Pipe) Put(s string) { // want Put:`blocks\(a channel send at .*/blocker.go:10\)`
	p.C <- s
}

func (p *Pipe) Relay(s string) { // want Relay:`blocks\(a channel send at .*/blocker.go:10, 1 calls deep\)`
	p.Put(s)
}

func (p *Pipe) Len() int { return len(p.C) }

func Wait(done <-chan struct{}) { // want Wait:`blocks\(a channel receive at .*/blocker.go:20, on parameter 1 only\)`
	<-done
}

func TrySend(c chan int, v int) bool {
	select {
	case c <- v:
		return true
	default:
		return false
	}
}

func Notify(done chan<- struct{}) { // want Notify:`blocks\(a channel send at .*/blocker.go:34, on parameter 1\)`
	if done != nil {
		done <- struct{}{}
	}
}
