package atomicmix

import (
	"go/constant"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/memloc"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// Rule 17 (countdown). A hand-made WaitGroup: a function starts n
// goroutines that each count something atomically, then count down a
// counter set to n, and the one that brings it to zero closes a
// channel; the function receives from the channel and reads the count
// plainly (tailscale's singleflight test, fixture okCountdown in
// atomicmix/countdown). The read is ordered after every atomic access:
// each goroutine makes it before its decrement, the decrement that
// reaches zero comes after all the others (atomic operations are
// sequentially consistent, and each synchronizes with the next), it is
// before the close, and the close before the receive. What the check
// cannot see is that the counter counts the goroutines; like a
// WaitGroup's Add, that is the program's to get right, and a wrong
// count makes the function hang or close twice, which tests notice.
// The rest is checked: the variable, the counter and the channel are
// locals of one function, made outside any loop, and reached only by
// it and its closures; the channel is never sent on and closed in one
// place, under `if atomic.AddInt32(&n, -1) == 0` (or != 0 with the
// close on the other branch, or n.Add(-1) on an atomic.Int32); the
// counter is written only by that decrement, outside the allocating
// function; and each atomic access of the variable outside it is in
// the decrement's function, which runs the decrement after it on
// every path and never before it (fixtures badIncrementAfter,
// badUnguardedClose, badReadBeforeReceive, badSentOn).

// A latch is a channel that a countdown closes.
type latch struct {
	ch      *ssa.MakeChan
	dec     *ssa.Call         // the decrement whose reaching zero guards the close
	counter *ssa.Alloc        // the local variable it decrements
	recvs   []ssa.Instruction // receives of the channel in its allocating function
	selects []*ssa.BasicBlock // select cases receiving from it there: the case's first block
}

// afterCountdown reports whether t, a plain access of a local
// variable in the function that allocated it, runs after receiving
// from a channel that a countdown closes after every atomic access of
// the variable (rule 17).
func (c *checker) afterCountdown(t touch) bool {
	x := t.loc.Local
	if x == nil || t.path != "" || t.fn != x.Parent() {
		return false
	}
	atomics, ok := c.countdownAtomics(x)
	if !ok {
		return false
	}
	var reach flow.Reach
	if reach.InLoop(x.Block()) {
		return false
	}
	for _, b := range t.fn.Blocks {
		for _, instr := range b.Instrs {
			mc, ok := instr.(*ssa.MakeChan)
			if !ok {
				continue
			}
			l := c.latchOf(mc)
			if l == nil || reach.InLoop(mc.Block()) || reach.InLoop(l.counter.Block()) || !l.receivedBefore(t.instr) {
				continue
			}
			if countedBefore(atomics, x.Parent(), l.dec) {
				return true
			}
		}
	}
	return false
}

// receivedBefore reports whether every path to at receives from l's
// channel first.
func (l *latch) receivedBefore(at ssa.Instruction) bool {
	for _, r := range l.recvs {
		if flow.Dominates(r, at) {
			return true
		}
	}
	for _, b := range l.selects {
		if b.Dominates(at.Block()) {
			return true
		}
	}
	return false
}

// countedBefore reports whether each atomic access, unless it is in
// the allocating function, is in dec's function and followed by dec
// on every path, with no path from dec back to it.
func countedBefore(atomics []ssa.Instruction, alloc *ssa.Function, dec *ssa.Call) bool {
	stop := map[ssa.Instruction]bool{dec: true}
	for _, a := range atomics {
		if a.Parent() == alloc {
			continue // the reading goroutine's own
		}
		if a.Parent() != dec.Parent() || runAfter(dec, nil)[a] {
			return false
		}
		if exitsWithout(a, stop) {
			return false // a path that returns or panics without the decrement
		}
	}
	return true
}

// countdownAtomics returns the atomic accesses of the variable x,
// which only its function and its closures may reach: false if it is
// used otherwise.
func (c *checker) countdownAtomics(x *ssa.Alloc) ([]ssa.Instruction, bool) {
	var out []ssa.Instruction
	ok := c.eachUse(x, 0, func(use ssa.Instruction, v ssa.Value) bool {
		switch use := use.(type) {
		case *ssa.UnOp:
			return use.Op == token.MUL
		case *ssa.Store:
			return use.Addr == v
		case *ssa.Call:
			op, ok := syncapi.AtomicAccessOf(use.Common())
			if ok && op.Addr == v && !slices.Contains(use.Common().Args[1:], v) {
				out = append(out, use)
				return true
			}
		}
		return false
	})
	return out, ok
}

// latchOf returns the latch that mc makes, or nil if mc is not one:
// sent on, closed in more or fewer than one place, not under a
// countdown, or reached by code other than its function's and its
// closures'. The channel is either used as it is or, when closures
// capture it, stored once into a variable that is then only loaded.
// Computed once per channel.
func (c *checker) latchOf(mc *ssa.MakeChan) *latch {
	if l, ok := c.latches[mc]; ok {
		return l
	}
	if c.latches == nil {
		c.latches = make(map[*ssa.MakeChan]*latch)
	}
	c.latches[mc] = nil
	l := &latch{ch: mc}
	var closes []*ssa.Call
	// chanUse accepts a use of the channel's value v: receives,
	// select cases receiving, and close.
	chanUse := func(use ssa.Instruction, v ssa.Value) bool {
		switch use := use.(type) {
		case *ssa.DebugRef:
			return true
		case *ssa.UnOp:
			if use.Op == token.ARROW && use.Parent() == mc.Parent() {
				l.recvs = append(l.recvs, use)
			}
			return use.Op == token.ARROW
		case *ssa.Select:
			for i, s := range use.States {
				if s.Chan == v && s.Dir != types.RecvOnly {
					return false
				}
				if s.Chan == v && use.Parent() == mc.Parent() {
					if b := selectCase(use, i); b != nil {
						l.selects = append(l.selects, b)
					}
				}
			}
			return true
		case *ssa.Call:
			if b, ok := use.Call.Value.(*ssa.Builtin); ok && b.Name() == "close" {
				closes = append(closes, use)
				return true
			}
		}
		return false
	}
	var ok bool
	if v := capturedChan(mc); v == nil {
		ok = c.eachUse(mc, 0, chanUse)
	} else {
		// done := make(chan T), captured: stored once, then loaded.
		ok = c.eachUse(v, 0, func(use ssa.Instruction, v ssa.Value) bool {
			switch use := use.(type) {
			case *ssa.Store:
				return use.Addr == v && use.Val == mc
			case *ssa.UnOp:
				if use.Op != token.MUL {
					return false
				}
				for _, r := range *use.Referrers() {
					if !chanUse(r, use) {
						return false
					}
				}
				return true
			}
			return false
		})
	}
	if !ok || len(closes) != 1 {
		return nil
	}
	l.dec, l.counter = c.countdownGuard(closes[0])
	if l.dec == nil || l.counter.Parent() != mc.Parent() || !c.onlyCountedDown(l) {
		return nil
	}
	c.latches[mc] = l
	return l
}

// capturedChan returns the variable that mc is stored into, when that
// store is mc's only use and the variable is a local of the same
// function; nil otherwise.
func capturedChan(mc *ssa.MakeChan) *ssa.Alloc {
	var out *ssa.Alloc
	for _, r := range *mc.Referrers() {
		st, ok := r.(*ssa.Store)
		if !ok {
			return nil
		}
		v, ok := st.Addr.(*ssa.Alloc)
		if !ok || st.Val != mc || v.Parent() != mc.Parent() || out != nil {
			return nil
		}
		out = v
	}
	return out
}

// selectCase returns the block that starts case i of sel, when sel's
// index is compared with i and the true branch has no other way in.
func selectCase(sel *ssa.Select, i int) *ssa.BasicBlock {
	for _, r := range *sel.Referrers() {
		ex, ok := r.(*ssa.Extract)
		if !ok || ex.Index != 0 {
			continue
		}
		for _, r := range *ex.Referrers() {
			cmp, ok := r.(*ssa.BinOp)
			if !ok || cmp.Op != token.EQL || !isConstInt(cmp.Y, int64(i)) {
				continue
			}
			for _, r := range *cmp.Referrers() {
				if iff, ok := r.(*ssa.If); ok {
					if s := iff.Block().Succs[0]; len(s.Preds) == 1 {
						return s
					}
				}
			}
		}
	}
	return nil
}

// countdownGuard returns the atomic decrement whose result reaching
// zero is the nearest condition that close runs under, and the local
// counter it decrements; nil if there is none.
func (c *checker) countdownGuard(close *ssa.Call) (*ssa.Call, *ssa.Alloc) {
	for b := close.Block(); b != nil; b = b.Idom() {
		if len(b.Preds) != 1 {
			continue
		}
		iff, ok := b.Preds[0].Instrs[len(b.Preds[0].Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		cmp, ok := iff.Cond.(*ssa.BinOp)
		if !ok || !(cmp.Op == token.EQL && b == iff.Block().Succs[0] || cmp.Op == token.NEQ && b == iff.Block().Succs[1]) {
			return nil, nil // under another condition: not the countdown's
		}
		dec, ok := cmp.X.(*ssa.Call)
		if !ok || !isConstInt(cmp.Y, 0) || !isDecrement(dec.Common()) {
			return nil, nil
		}
		loc, ok := memloc.Of(dec.Common().Args[0], c.bind)
		if !ok || loc.Local == nil {
			return nil, nil
		}
		return dec, loc.Local
	}
	return nil, nil
}

// decrements lists the sync/atomic functions and methods that count a
// counter down by their second argument.
var decrements = map[string]bool{
	"sync/atomic.AddInt32": true, "sync/atomic.AddInt64": true,
	"sync/atomic.AddUint32": true, "sync/atomic.AddUint64": true,
	"(*sync/atomic.Int32).Add": true, "(*sync/atomic.Int64).Add": true,
	"(*sync/atomic.Uint32).Add": true, "(*sync/atomic.Uint64).Add": true,
}

// isDecrement reports whether call adds -1 to a counter: -1 for the
// signed types, the all-ones value (^uint32(0)) for the unsigned ones.
func isDecrement(call *ssa.CallCommon) bool {
	fn := syncapi.Callee(call)
	if fn == nil || !decrements[fn.FullName()] || len(call.Args) != 2 {
		return false
	}
	k, ok := call.Args[1].(*ssa.Const)
	if !ok || k.Value == nil || k.Value.Kind() != constant.Int {
		return false
	}
	if basic, ok := k.Type().Underlying().(*types.Basic); ok && basic.Info()&types.IsUnsigned != 0 {
		max := constant.Shift(constant.MakeUint64(1), token.SHL, uint(8*sizeOf(basic)))
		return constant.Compare(constant.BinaryOp(k.Value, token.ADD, constant.MakeInt64(1)), token.EQL, max)
	}
	return constant.Compare(k.Value, token.EQL, constant.MakeInt64(-1))
}

// sizeOf returns the size in bytes of an unsigned counter type.
func sizeOf(b *types.Basic) int {
	switch b.Kind() {
	case types.Uint32:
		return 4
	case types.Uint64:
		return 8
	}
	return 8 // uintptr on the 64-bit platforms
}

// onlyCountedDown reports whether l's counter is written outside its
// allocating function only by l's decrement, and otherwise only
// loaded, and whether nothing else reaches it.
func (c *checker) onlyCountedDown(l *latch) bool {
	home := l.counter.Parent()
	return c.eachUse(l.counter, 0, func(use ssa.Instruction, v ssa.Value) bool {
		switch use := use.(type) {
		case *ssa.UnOp:
			return use.Op == token.MUL
		case *ssa.Store:
			return use.Addr == v && use.Parent() == home
		case *ssa.Call:
			if use == l.dec {
				return true
			}
			if slices.Contains(use.Common().Args[1:], v) {
				return false
			}
			if op, ok := syncapi.AtomicAccessOf(use.Common()); ok && op.Addr == v {
				return op.Kind == "Load" || op.Kind == "Store" && use.Parent() == home
			}
			if fn := syncapi.Callee(use.Common()); fn != nil && len(use.Common().Args) > 0 && use.Common().Args[0] == v {
				switch fn.FullName() {
				case "(*sync/atomic.Int32).Load", "(*sync/atomic.Int64).Load", "(*sync/atomic.Uint32).Load", "(*sync/atomic.Uint64).Load":
					return true
				case "(*sync/atomic.Int32).Store", "(*sync/atomic.Int64).Store", "(*sync/atomic.Uint32).Store", "(*sync/atomic.Uint64).Store":
					return use.Parent() == home
				}
			}
		}
		return false
	})
}

// eachUse calls f on each use of v, the value a function allocated,
// following v into the closures that capture it, and reports whether
// f accepted them all. A closure whose free variable the package
// binds in more than one place is not followed, and fails.
func (c *checker) eachUse(v ssa.Value, depth int, f func(use ssa.Instruction, v ssa.Value) bool) bool {
	if depth > 8 {
		return false
	}
	for _, r := range *v.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
			continue
		case *ssa.MakeClosure:
			fn := r.Fn.(*ssa.Function)
			for i, b := range r.Bindings {
				if b != v {
					continue
				}
				if fv := fn.FreeVars[i]; c.bind(fv) != v || !c.eachUse(fv, depth+1, f) {
					return false
				}
			}
			continue
		}
		if !f(r, v) {
			return false
		}
	}
	return true
}

// isConstInt reports whether v is the integer constant n.
func isConstInt(v ssa.Value, n int64) bool {
	k, ok := v.(*ssa.Const)
	return ok && k.Value != nil && k.Value.Kind() == constant.Int && constant.Compare(k.Value, token.EQL, constant.MakeInt64(n))
}
