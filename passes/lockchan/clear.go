package lockchan

import (
	"go/token"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
	"golang.org/x/tools/go/ssa"
)

// This file holds the exceptions of the model's step 2 (doc.go): the
// blocking operations that cannot block, or block only as a fork-join,
// and so are reported in neither tier. They are one ordered table; the
// judge, excuse, goes through it and names the exception that cleared
// an operation.

// An exception clears a blocking operation from both tiers; forkJoin,
// in the function that holds the lock, from the stall tier only: a wait
// that joins goroutines is still a deadlock when they take the held
// lock before they unblock it (fixture badForkJoinTakesLock).
type exception struct {
	name  string // cited in doc.go
	rule  string // one line: what it clears
	clear func(c *checker, op syncapi.BlockingOp) bool
}

const forkJoin = "fork-join"

// exceptions are tried in order; the first that clears an operation
// names it.
var exceptions = []exception{
	{"buffered-local", "a send on a channel the function made with room for all its sends there",
		func(_ *checker, op syncapi.BlockingOp) bool { return cannotBlock(op) }},
	{"buffered-ranged", "a send, once per element, in a range over x on a channel the function made with a buffer of len(x)",
		(*checker).bufferPerElement},
	{"buffered-covered", "a send on a channel made with a constant buffer that holds every send the package makes on it, none in a loop",
		(*checker).bufferCoversSends},
	{"drained", "a send after a non-blocking drain of the channel under the lock",
		func(_ *checker, op syncapi.BlockingOp) bool { return drainedBefore(op) }},
	{"closed", "a receive from a channel the function closed before it on every path",
		func(_ *checker, op syncapi.BlockingOp) bool { return closedBefore(op) }},
	{forkJoin, "a wait for goroutines the same function started, on a channel it made for them or on a channel field of an object only they have",
		func(_ *checker, op syncapi.BlockingOp) bool { return joinsOwnGoroutine(op) }},
	{"len-guarded", "a receive after len(ch) > 0 was checked under a lock that every sender on the channel holds",
		(*checker).lenGuarded},
	{"slot-release", "a receive from a buffered channel (a semaphore) that the function itself sent on before it: it takes back its own slot",
		(*checker).slotRelease},
	{"buffered-by-design", "a send on a channel the package always makes buffered, unless a loop sends on one value's field channel again and again",
		(*checker).bufferedByDesign},
}

// excuse returns the exception that clears op, or nil if op may block
// and is judged by the tiers.
func (c *checker) excuse(op syncapi.BlockingOp) *exception {
	for i := range exceptions {
		if exceptions[i].clear(c, op) {
			return &exceptions[i]
		}
	}
	return nil
}

// bufferCoversSends reports whether op sends on a channel whose every
// make site has a constant buffer at least as large as the number of
// sends the package makes on it, none of them in a loop or in a
// function started or called in a loop: goroutines started once each
// (go work(); go work() on a channel of capacity 2) cannot fill it.
func (c *checker) bufferCoversSends(op syncapi.BlockingOp) bool {
	if op.Kind != syncapi.Send {
		return false
	}
	classes := c.chans.classesOf(op.Chan)
	if len(classes) != 1 || classes[0] == openNode {
		return false
	}
	sends := c.chans.sends[classes[0]]
	makes := c.chans.makeSites[classes[0]]
	capacity, ok := c.chans.minCap[classes[0]]
	if !ok || len(makes) != 1 || int64(len(sends)) > capacity {
		return false
	}
	for _, s := range sends {
		if _, isSend := s.instr.(*ssa.Send); !isSend || c.runsAgain(s.instr.Block(), makes[0].Parent(), 0) {
			return false
		}
	}
	return true
}

// runsAgain reports whether block b may run more than once per call of
// maker, the function that makes the channel: b is in a loop, or its
// function is reached from maker through a call or goroutine start
// that is in a loop, or is started or called from more than one place.
func (c *checker) runsAgain(b *ssa.BasicBlock, maker *ssa.Function, depth int) bool {
	var reach flow.Reach
	if reach.InLoop(b) {
		return true
	}
	fn := b.Parent()
	if fn == maker {
		return false
	}
	sites := c.chans.callers[fn]
	if depth > maxContainDepth || len(sites) != 1 {
		return true
	}
	return c.runsAgain(sites[0].Block(), maker, depth+1)
}

// lenGuarded reports whether op receives from a channel only after
// the function saw len(ch) > 0 (a branch on it dominates op) while
// holding a lock that every sender on the channel holds when it sends,
// and still holds at op: no receiver can have taken the value in
// between, so the receive does not wait (sarama's mock consumer).
func (c *checker) lenGuarded(op syncapi.BlockingOp) bool {
	if op.Kind != syncapi.Recv {
		return false
	}
	guard := lenGuard(op)
	if guard == nil {
		return false
	}
	locks := c.locks.Func(op.Instr.Parent())
	if locks == nil {
		return false
	}
	classes := c.chans.classesOf(op.Chan)
	if len(classes) != 1 || classes[0] == openNode {
		return false
	}
	for _, l := range locks.HeldAt(guard) {
		cls := classOfHeld(l)
		if !cls.known() || !heldClass(locks.HeldAt(op.Instr), cls) {
			continue
		}
		if c.sendersHold(classes[0], cls) {
			return true
		}
	}
	return false
}

// lenGuard returns the branch on len(ch) > 0 (or != 0, >= 1) whose true
// edge dominates op, for op's channel ch, or nil.
func lenGuard(op syncapi.BlockingOp) *ssa.If {
	for b := op.Instr.Block(); b != nil; b = b.Idom() {
		idom := b.Idom()
		if idom == nil {
			return nil
		}
		br, ok := idom.Instrs[len(idom.Instrs)-1].(*ssa.If)
		if !ok || idom.Succs[0] != b && !idom.Succs[0].Dominates(op.Instr.Block()) {
			continue
		}
		cmp, ok := br.Cond.(*ssa.BinOp)
		if !ok {
			continue
		}
		if lenCall, ok := cmp.X.(*ssa.Call); ok && isLenOf(lenCall, op.Chan) && positive(cmp) {
			return br
		}
	}
	return nil
}

// isLenOf reports whether call is len(ch'), ch' the same channel as ch.
func isLenOf(call *ssa.Call, ch ssa.Value) bool {
	b, ok := call.Call.Value.(*ssa.Builtin)
	if !ok || b.Name() != "len" || len(call.Call.Args) != 1 {
		return false
	}
	return sameChan(call.Call.Args[0]) == sameChan(ch) || sameLoad(call.Call.Args[0], ch)
}

// sameLoad reports whether a and b load the same field of the same value.
func sameLoad(a, b ssa.Value) bool {
	la, ok1 := unconvert(a).(*ssa.UnOp)
	lb, ok2 := unconvert(b).(*ssa.UnOp)
	if !ok1 || !ok2 || la.Op != token.MUL || lb.Op != token.MUL {
		return false
	}
	fa, ok1 := la.X.(*ssa.FieldAddr)
	fb, ok2 := lb.X.(*ssa.FieldAddr)
	return ok1 && ok2 && fa.X == fb.X && fa.Field == fb.Field
}

// positive reports whether cmp is x > 0, x != 0 or x >= 1.
func positive(cmp *ssa.BinOp) bool {
	k, ok := cmp.Y.(*ssa.Const)
	if !ok || k.Value == nil {
		return false
	}
	switch cmp.Op {
	case token.GTR, token.NEQ:
		return k.Int64() == 0
	case token.GEQ:
		return k.Int64() == 1
	}
	return false
}

func heldClass(held lockset.Set, cls lockClass) bool {
	for _, l := range held {
		if classOfHeld(l) == cls {
			return true
		}
	}
	return false
}

// sendersHold reports whether every send on the channel class holds
// the lock class when it sends.
func (c *checker) sendersHold(class chanNode, cls lockClass) bool {
	sends := c.chans.sends[class]
	if len(sends) == 0 {
		return false
	}
	for _, s := range sends {
		f := c.locks.Func(s.instr.Parent())
		if f == nil || !heldClass(f.HeldAt(s.instr), cls) {
			return false
		}
	}
	return true
}

// slotRelease reports whether op receives from a buffered channel that
// its function may have sent on before it: a semaphore's release of the
// slot the function took (sarama's sendInternal takes a b.inFlight
// slot and gives it back when the write fails). It assumes the
// semaphore discipline, each receiver releasing a slot some send took.
func (c *checker) slotRelease(op syncapi.BlockingOp) bool {
	if op.Kind != syncapi.Recv {
		return false
	}
	classes := c.chans.classesOf(op.Chan)
	if len(classes) == 0 {
		return false
	}
	for _, cls := range classes {
		if cls == openNode || !c.chans.makes[cls] || c.chans.unbufMake[cls] {
			return false
		}
	}
	var reach flow.Reach
	for _, b := range op.Instr.Parent().Blocks {
		for _, instr := range b.Instrs {
			send, ok := instr.(*ssa.Send)
			if !ok || !(sameChan(send.Chan) == sameChan(op.Chan) || sameLoad(send.Chan, op.Chan)) {
				continue
			}
			if reach.MayPrecede(send, op.Instr) {
				return true
			}
		}
	}
	return false
}

// bufferedByDesign: a buffer the package always gives the channel holds
// a send now and then, but a loop sending on one field channel fills it
// under load: that is a stall (fixture badBufferedFieldLoop).
func (c *checker) bufferedByDesign(op syncapi.BlockingOp) bool {
	if !c.buffered.bufferedByDesign(op) {
		return false
	}
	var reach flow.Reach
	if syncapi.LoadedField(op.Chan) == nil || !reach.InLoop(op.Instr.Block()) {
		return true
	}
	// In a loop, the send fills one channel only if it is the same
	// value's field every time around: a field of a value the loop
	// takes afresh each iteration (w.done for each waiter w) is a
	// one-shot reply channel, sent on once (go-redis's state machine).
	return perIteration(fieldBase(op.Chan), &reach)
}

// fieldBase returns x for a channel loaded as x.f, or nil.
func fieldBase(ch ssa.Value) ssa.Value {
	if ld, ok := unconvert(ch).(*ssa.UnOp); ok && ld.Op == token.MUL {
		if fa, ok := ld.X.(*ssa.FieldAddr); ok {
			return fa.X
		}
	}
	return nil
}

// perIteration reports whether v is computed inside a loop, so that
// each iteration has its own.
func perIteration(v ssa.Value, reach *flow.Reach) bool {
	instr, ok := v.(ssa.Instruction)
	return ok && instr.Block() != nil && reach.InLoop(instr.Block())
}
