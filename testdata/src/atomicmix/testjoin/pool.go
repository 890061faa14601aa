// Package testjoin is a small worker pool whose tests add up totals in
// the tasks they hand to it, wait on a package-level WaitGroup and read
// the totals plainly (rule 18, ants' example_test.go). Each test here
// was run under the race detector: the ones whose reads are excused are
// race-free, the ones whose reads are reported race.
package testjoin

// A Pool runs the functions submitted to it in its worker goroutines.
type Pool struct{ tasks chan func() }

// NewPool starts n workers.
func NewPool(n int) *Pool {
	p := &Pool{tasks: make(chan func())}
	for range n {
		go p.work()
	}
	return p
}

func (p *Pool) work() {
	for f := range p.tasks {
		f()
	}
}

// Submit hands f to a worker.
func (p *Pool) Submit(f func()) { p.tasks <- f }

// Release stops the workers.
func (p *Pool) Release() { close(p.tasks) }

// A FuncPool calls one function, in its workers, with each argument it
// is invoked with.
type FuncPool struct {
	fn   func(int32)
	args chan int32
}

// NewFuncPool starts n workers that call fn.
func NewFuncPool(n int, fn func(int32)) *FuncPool { // want NewFuncPool:"leaves goroutines"
	p := &FuncPool{fn: fn, args: make(chan int32)}
	for range n {
		go p.work()
	}
	return p
}

func (p *FuncPool) work() {
	for a := range p.args {
		p.fn(a)
	}
}

// Invoke hands i to a worker.
func (p *FuncPool) Invoke(i int32) { p.args <- i }

// Release stops the workers.
func (p *FuncPool) Release() { close(p.args) }
