package staticrunner

type semaphore struct {
	ch chan struct{}
}

func newSemaphore(size int) semaphore {
	return semaphore{
		ch: make(chan struct{}, size),
	}
}

func (sem semaphore) Acquire() {
	sem.ch <- struct{}{}
}

func (sem semaphore) AcquireMaybe() bool {
	select {
	case sem.ch <- struct{}{}:
		return true
	default:
		return false
	}
}

func (sem semaphore) Release() {
	<-sem.ch
}

func (sem semaphore) Len() int {
	return len(sem.ch)
}

func (sem semaphore) Cap() int {
	return cap(sem.ch)
}
