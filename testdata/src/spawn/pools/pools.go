// Package pools holds worker pools that do and do not start the tasks
// handed to them: a task sent on a channel that a worker goroutine of
// the package receives functions from and calls is started (queued).
package pools

import "sync"

// An ants-like pool: Submit finds a worker, through an interface with
// unexported methods, and sends it the task; the worker's goroutine,
// started lazily, ranges over its channel.

type worker interface {
	run()
	inputFunc(func())
}

type goWorker struct {
	task chan func()
}

func (w *goWorker) run() {
	go func() {
		for fn := range w.task {
			fn()
		}
	}()
}

func (w *goWorker) inputFunc(fn func()) { w.task <- fn } // want inputFunc:"queues\\(1\\)"

type Pool struct {
	mu      sync.Mutex
	workers []worker
}

func (p *Pool) retrieveWorker() worker {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.workers); n > 0 {
		w := p.workers[n-1]
		p.workers = p.workers[:n-1]
		return w
	}
	w := &goWorker{task: make(chan func(), 1)}
	w.run()
	return w
}

// Submit hands task to a worker.
func (p *Pool) Submit(task func()) error { // want Submit:"queues\\(1\\)"
	if w := p.retrieveWorker(); w != nil {
		w.inputFunc(task)
	}
	return nil
}

var defaultPool = &Pool{}

// Submit hands task to the default pool.
func Submit(task func()) error { return defaultPool.Submit(task) } // want Submit:"queues\\(0\\)"

// A workerpool-like pool: a dispatcher goroutine receives the tasks
// and hands each to a worker it starts, which then receives more.

type WorkerPool struct {
	taskQueue   chan func()
	workerQueue chan func()
	wg          sync.WaitGroup
}

func NewWorkerPool() *WorkerPool {
	p := &WorkerPool{taskQueue: make(chan func()), workerQueue: make(chan func())}
	go p.dispatch()
	return p
}

func (p *WorkerPool) dispatch() {
	for task := range p.taskQueue {
		select {
		case p.workerQueue <- task:
		default:
			p.wg.Add(1)
			go runTasks(task, p.workerQueue, &p.wg)
		}
	}
}

func runTasks(task func(), queue chan func(), wg *sync.WaitGroup) {
	defer wg.Done()
	for task != nil {
		task()
		task = <-queue
	}
}

// Submit queues task.
func (p *WorkerPool) Submit(task func()) { // want Submit:"queues\\(1\\)"
	if task != nil {
		p.taskQueue <- task
	}
}

// SubmitWait queues task and waits for it: not a spawner.
func (p *WorkerPool) SubmitWait(task func()) {
	done := make(chan struct{})
	p.taskQueue <- func() {
		defer close(done)
		task()
	}
	<-done
}

// Do is a synchronous call on the pool's worker: not a spawner.
func (p *WorkerPool) Do(task func()) error {
	errc := make(chan error, 1)
	p.Submit(func() {
		task()
		errc <- nil
	})
	return <-errc
}

// A Loop runs the functions posted to it when its owner calls Run, in
// the owner's goroutine: Post is no spawner, since nothing in the
// package runs Run in a goroutine.
type Loop struct{ ch chan func(int) }

func (l *Loop) Post(f func(int)) { l.ch <- f }

func (l *Loop) Run() {
	for f := range l.ch {
		f(1)
	}
}

// A conc-like pool: its workers are started by a spawner of the
// table as method values, and Go sends the task to them.

type Group struct{ wg sync.WaitGroup }

func (g *Group) Go(f func()) { // want Go:"spawns\\(1\\)"
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		f()
	}()
}

type ConcPool struct {
	handle Group
	tasks  chan func()
}

func (p *ConcPool) worker() {
	for f := range p.tasks {
		f()
	}
}

func (p *ConcPool) Go(f func()) { // want Go:"queues\\(1\\)"
	select {
	case p.tasks <- f:
	default:
		p.handle.Go(p.worker)
		p.tasks <- f
	}
}
