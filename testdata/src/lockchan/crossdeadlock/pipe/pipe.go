// Package pipe sends on channels its callers pass: its facts say on
// which parameter, so the callers' package judges the counterparts.
package pipe

func Put(c chan<- int, v int) { // want Put:`blocks\(a channel send at .*/pipe.go:\d+, on parameter 1 only\)`
	c <- v
}

func Get(c <-chan int) int { // want Get:`blocks\(a channel receive at .*/pipe.go:\d+, on parameter 1 only\)`
	return <-c
}
