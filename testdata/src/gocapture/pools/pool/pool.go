// Package pool holds worker pools written as ants and workerpool
// write theirs, for gocapture to learn from spawnfact's facts that
// their Submit runs the task in a worker goroutine.
package pool

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

func (w *goWorker) inputFunc(fn func()) { w.task <- fn }

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
func (p *Pool) Submit(task func()) error {
	if w := p.retrieveWorker(); w != nil {
		w.inputFunc(task)
	}
	return nil
}

var defaultPool = &Pool{}

// Submit hands task to the default pool.
func Submit(task func()) error { return defaultPool.Submit(task) }

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
func (p *WorkerPool) Submit(task func()) {
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

// StopWait waits for the queued tasks to finish.
func (p *WorkerPool) StopWait() {
	close(p.taskQueue)
	p.wg.Wait()
}

// ReleaseTimeout waits, for a while, for the default pool's tasks.
func ReleaseTimeout() {
	defaultPool.mu.Lock()
	defer defaultPool.mu.Unlock()
}

// A Queue is containerd's internal/eventq: NewQueue starts the queue's
// goroutine, which runs discard for the events still queued once
// Shutdown hands it the word. NewQueue is a spawner (it runs its
// argument in a goroutine it starts) but no pool: its tasks are not
// queued, and Shutdown waits for no discard.
type Queue struct {
	events   chan int
	shutdown chan struct{}
}

// NewQueue starts the queue's goroutine.
func NewQueue(discard func(int)) *Queue {
	q := &Queue{events: make(chan int), shutdown: make(chan struct{})}
	go func() {
		var queued []int
		for {
			select {
			case e := <-q.events:
				queued = append(queued, e)
			case <-q.shutdown:
				for _, e := range queued {
					discard(e)
				}
				return
			}
		}
	}()
	return q
}

// Send queues e.
func (q *Queue) Send(e int) { q.events <- e }

// Shutdown hands the goroutine the word and returns.
func (q *Queue) Shutdown() {
	defer close(q.shutdown)
	q.shutdown <- struct{}{}
}
