// Package syncapi holds channel operations for syncapi's predicates,
// among them values without referrers: a nil channel is an
// *ssa.Const, a package-level channel an *ssa.Global.
package syncapi

var global chan int

// nilChan sends on and receives from a nil channel, a constant in SSA.
func nilChan() {
	var c chan int
	c <- 1 // want `send on closed=false drained=false`
	<-c    // want `receive from closed=false drained=false`
}

// nilChanClosed closes a nil channel (which panics) before receiving:
// each use of nil is its own constant, so the close is not seen.
func nilChanClosed() {
	var c chan int
	close(c)
	<-c // want `receive from closed=false drained=false`
}

// globalClosed closes a package-level channel, then receives from it:
// ClosedBefore follows loads of local variables only, since another
// goroutine may assign a global between the close and the receive.
func globalClosed() {
	close(global)
	<-global // want `receive from closed=false drained=false`
}

// globalDrained drains a package-level channel, then sends on it.
func globalDrained() {
	select {
	case <-global:
	default:
	}
	global <- 1 // want `send on closed=false drained=false`
}

// localDrained is the "keep only the latest value" idiom.
func localDrained(c chan int) {
	select {
	case <-c:
	default:
	}
	c <- 1 // want `send on closed=false drained=true`
}
