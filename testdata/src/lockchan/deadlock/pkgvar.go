package deadlock

import "sync"

// Channels held by package variables and made in their declarations: the
// make is in the package's synthetic initializer, which the channel index
// reads beside the source functions (withPackageInit). Before, these
// channels had no make site and their counterparts counted as unknown.

var (
	pvMu    sync.Mutex
	pvTotal int

	pvQueue    = make(chan int)    // unbuffered: a send waits for pvConsume
	pvBuffered = make(chan int, 1) // one slot: a send has room
	pvEvents   = make(chan int)    // also drained by pvDrain, which takes no lock
	PvOut      = make(chan int)    // exported: other packages may receive
	pvDrain    = func() {
		for range pvEvents {
		}
	} // a closure of a declaration, run by pvStart
)

// pvConsume takes pvMu between receives, so around its loop it takes the
// lock before it receives again.
func pvConsume() {
	for {
		select {
		case v := <-pvQueue:
			pvMu.Lock()
			pvTotal += v
			pvMu.Unlock()
		case v := <-pvBuffered:
			pvMu.Lock()
			pvTotal += v
			pvMu.Unlock()
		case v := <-pvEvents:
			pvMu.Lock()
			pvTotal += v
			pvMu.Unlock()
		case v := <-PvOut:
			pvMu.Lock()
			pvTotal += v
			pvMu.Unlock()
		}
	}
}

func pvStart() {
	go pvConsume()
	go pvDrain()
}

func badPkgVarSend(v int) {
	pvMu.Lock()
	defer pvMu.Unlock()
	pvQueue <- v // want "send on `pvQueue` while holding `pvMu`; its only receiver takes `pvMu` first"
}

func okPkgVarBuffered(v int) {
	pvMu.Lock()
	defer pvMu.Unlock()
	pvBuffered <- v // ok: a buffered make site gives the send room (a stall, not a deadlock)
}

func okPkgVarOtherReceiver(v int) {
	pvMu.Lock()
	defer pvMu.Unlock()
	pvEvents <- v // ok: pvDrain, a closure of a declaration, receives without the lock
}

func okPkgVarExported(v int) {
	pvMu.Lock()
	defer pvMu.Unlock()
	PvOut <- v // ok: an exported variable's receivers are not all known
}

// pvHandlers holds closures written in a declaration: they are checked
// like declared functions (srcfuncs.Checked), with their lock sets.
var pvHandlers = map[string]func(int){
	"send": func(v int) {
		pvMu.Lock()
		defer pvMu.Unlock()
		pvQueue <- v // want "send on `pvQueue` while holding `pvMu`; its only receiver takes `pvMu` first"
	},
	"buffered": func(v int) {
		pvMu.Lock()
		defer pvMu.Unlock()
		pvBuffered <- v // ok: a buffered make site gives the send room
	},
}
