package joins

// Rule "channels": a receive orders the accesses before it only before
// a send that waits for it.

// badBufferedRecvThenSend: the goroutine writes, then receives; the
// send does not wait for the receive on a channel of capacity 2.
func badBufferedRecvThenSend() int {
	x := 0
	ch := make(chan int, 2)
	go func() {
		x = 1 // want "goroutine writes `x`, which is read after the go statement"
		<-ch
	}()
	ch <- 1
	return x
}

// badCloseAfterRecv: close never waits for a receive.
func badCloseAfterRecv() int {
	x := 0
	ch := make(chan int)
	go func() {
		x = 1 // want "goroutine writes `x`, which is read after the go statement"
		<-ch
	}()
	close(ch)
	return x
}

// okUnbufferedRecvThenSend: the send completes only after the receive,
// which follows the write.
func okUnbufferedRecvThenSend() int {
	x := 0
	ch := make(chan int)
	go func() {
		x = 1 // excused joined
		<-ch
	}()
	ch <- 1
	return x // ok: the receive happened
}

// okBufferedSendThenRecv: the goroutine sends after its write; the
// receive that gets the value follows it, whatever the capacity.
func okBufferedSendThenRecv() int {
	x := 0
	ch := make(chan int, 4)
	go func() {
		x = 1 // excused joined
		ch <- 1
	}()
	<-ch
	return x // ok: after the receive of the goroutine's send
}

// okCloseThenRecv: close is received after the write.
func okCloseThenRecv() int {
	x := 0
	ch := make(chan int, 2)
	go func() {
		x = 1 // excused joined
		close(ch)
	}()
	<-ch
	return x // ok: the receive of the close follows it
}
