package joins

// Pipelines: a goroutine that writes and sends in a loop, and a starter
// that receives in a loop (rule 6). A receive takes one message: the
// goroutine's next write, after an earlier send, is not ordered by it.

// badPipeline reads the progress counter that the producer goes on
// writing after the send the receive took.
func badPipeline(n int) int {
	done := 0
	ch := make(chan int, 4)
	go func() {
		for i := range n {
			done++ // want "goroutine writes `done`, which is read after the go statement without synchronization"
			ch <- i
		}
		close(ch)
	}()
	last := 0
	for range ch {
		last = done
	}
	return last
}

type flag struct{ stopped bool }

func (f *flag) poll() bool { return f.stopped }

func (f *flag) set() { f.stopped = true }

func (f *flag) produce(out chan<- int) {
	defer close(out)
	for i := 0; ; i++ {
		if f.poll() {
			return
		}
		out <- i
	}
}

// badRangeBodyAfterClose: the producer closes the channel when it
// returns, which orders the loop's exit, not its body (golang-migrate's
// Up, with the runner inlined).
func badRangeBodyAfterClose(f *flag) int {
	out := make(chan int, 4)
	go f.produce(out)
	n := 0
	for v := range out {
		if v > 10 {
			f.set() // want "`f.stopped` is written after the go statement, while the goroutine reads it without synchronization"
		}
		n++
	}
	return n
}

// okReadAfterRange reads the counter once the range has seen the close.
func okReadAfterRange(n int) int {
	done := 0
	ch := make(chan int)
	go func() {
		defer close(ch)
		for i := range n {
			done++ // excused joined
			ch <- i
		}
	}()
	for range ch {
	}
	return done
}

// okPingPong: the producer waits for the consumer's answer before its
// next write (the answer, a send in the consumer's loop that the
// producer's receive lets through, is taken to wait for it: rule 9).
func okPingPong(n int) int {
	cur := 0
	req, ack := make(chan bool), make(chan bool)
	go func() {
		for range n {
			cur++ // excused joined
			req <- true
			<-ack
		}
		close(req)
	}()
	sum := 0
	for range req {
		sum += cur
		ack <- true
	}
	return sum
}

// okStartedThenDone: two sends outside a loop, each received once: the
// second follows the write.
func okStartedThenDone() int {
	x := 0
	ch := make(chan bool)
	go func() {
		ch <- true
		x = 1 // excused joined
		ch <- true
	}()
	<-ch
	<-ch
	return x
}

// okValuesOnly: the producer hands each value over the channel and
// shares nothing else.
func okValuesOnly(n int) int {
	ch := make(chan int)
	go func() {
		defer close(ch)
		for i := range n {
			v := i * i
			ch <- v
		}
	}()
	sum := 0
	for v := range ch {
		sum += v
	}
	return sum
}
