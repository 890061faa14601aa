package lockchan

import (
	"go/token"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// This file holds rule 4's exception own-goroutine (doc.go): a
// counterpart reached through a function that only the waiter's own
// goroutine runs does not need the lock the waiter holds, even if that
// function takes it first. x/net/quic's connection loop (one goroutine
// per Conn) holds c.streams.sendMu while it takes each stream's gate, a
// lock made of one-slot channels, and releases the gate in the same
// critical section; the gate the loop waits for is released by a user
// goroutine that takes sendMu only after (docs/findings.md).
//
// Why it holds: every chain of the package's calls into the waiter's
// function W and into the acquiring function F starts at one go
// statement that starts a method on a value its function has just
// made, outside any loop (c := &Conn{…}; go c.loop()), and passes that
// receiver on at each call. So for each value v, W(v) and F(v) run only
// in v's loop goroutine. The lock held is a field of W's receiver
// reached without a pointer load, and F's acquisition a Lock of the same
// field of F's receiver. If F runs on the waiter's value, it runs in the
// waiting goroutine, which cannot unblock itself; on another value, it
// takes another mutex.
//
// The same holds per call: when the held mutex lies in an object the
// waiting function W made itself (r := &rec{…}; r.Lock()), reached
// without a pointer load, a Lock of that same object in W's own frame,
// on the way from W to a counterpart (a deferred p.close() that ends in
// the callback that sends), is passed over. That frame is the waiting
// call itself, blocked at the wait, or another call of W, which made
// and locks another object (mongo-driver's CMAP test, docs/findings.md).

// ownGoroutine reports whether the acquisition a, in fn, is one that
// rule 4 passes over for q: fn runs only in the goroutine of q's
// waiter, or in another value's, and a locks fn's receiver's own copy
// of the held mutex; or fn is the waiting function and a locks the held
// mutex of an object fn made.
func (n *lockNeeds) ownGoroutine(fn *ssa.Function, a acquisition, q *needQuery) bool {
	if q.waiter == nil {
		return false
	}
	w := q.waiter.Parent()
	obj, path, ok := objectPath(w, q.held.Key)
	if !ok {
		return false
	}
	if alloc, made := obj.(*ssa.Alloc); made && alloc.Parent() == w {
		return fn == w && n.locksObject(fn, a, q.cls, obj, path, 0)
	}
	if !isReceiver(w, obj) || fn.Signature.Recv() == nil || len(fn.Params) == 0 || !n.locksObject(fn, a, q.cls, fn.Params[0], path, 0) {
		return false
	}
	root := n.loopRoot(w)
	return root != nil && n.loopRoot(fn) == root
}

// locksObject reports whether the acquisition a of cls, in fn, locks
// the mutex at path in obj, a value of fn (its receiver, or an object
// it made): a Lock call, or a call that passes obj on to functions
// whose every acquisition of cls locks it there (around a loop, the
// previous iteration's p.step(); runOperation(t, op, testInfo)).
func (n *lockNeeds) locksObject(fn *ssa.Function, a acquisition, cls lockClass, obj ssa.Value, path string, depth int) bool {
	call, ok := a.instr.(ssa.CallInstruction)
	if !ok || depth > maxDepth {
		return false
	}
	if a.depth == 0 {
		lc, ok := syncapi.LockCallOf(call.Common())
		if !ok {
			return false
		}
		o, p, ok := objectPath(fn, n.locks.KeyOf(lc.Mutex))
		return ok && o == obj && p == path
	}
	arg := -1
	for i, v := range call.Common().Args {
		if onlyValue(fn, v) == obj {
			arg = i
			break
		}
	}
	callees := n.chans.callees(call.Common())
	if arg < 0 || len(callees) == 0 {
		return false
	}
	for _, g := range callees {
		if arg >= len(g.Params) {
			return false
		}
		for _, b := range n.acquires[g][cls] {
			if !n.locksObject(g, b, cls, g.Params[arg], path, depth+1) {
				return false
			}
		}
	}
	return true
}

// objectPath returns the value of fn that the mutex k lies in and the
// fields that lead from it to k, if no pointer load does: a mutex of
// that value's own, distinct for distinct values. A variable assigned
// once, which closures capture, is looked through.
func objectPath(fn *ssa.Function, k lockset.Key) (ssa.Value, string, bool) {
	root, path := k.Root, k.Path
	if cell, ok := root.(*ssa.Alloc); ok && cell.Parent() == fn && strings.HasPrefix(path, "*") {
		if v := assignedOnce(cell); v != nil {
			root, path = v, path[1:]
		}
	}
	if root == nil || strings.Contains(path, "*") {
		return nil, "", false
	}
	return root, path, true
}

// isReceiver reports whether v is fn's receiver, or a load of the
// variable that holds it when closures capture it.
func isReceiver(fn *ssa.Function, v ssa.Value) bool {
	if fn.Signature.Recv() == nil || len(fn.Params) == 0 {
		return false
	}
	return onlyValue(fn, v) == fn.Params[0]
}

// onlyValue returns v, or, for a load of a variable of fn assigned
// once (which closures capture but only read), the value stored in it.
func onlyValue(fn *ssa.Function, v ssa.Value) ssa.Value {
	if ld, ok := v.(*ssa.UnOp); ok && ld.Op == token.MUL {
		if cell, ok := ld.X.(*ssa.Alloc); ok && cell.Parent() == fn {
			return assignedOnce(cell)
		}
	}
	return v
}

// loopRoot returns the go statement that starts the only goroutine
// running fn for each value of its receiver, or nil: see the file's
// comment.
func (n *lockNeeds) loopRoot(fn *ssa.Function) *ssa.Go {
	if root, ok := n.loopRoots[fn]; ok {
		return root
	}
	root, ok := n.rootsUp(fn, make(map[*ssa.Function]bool))
	if !ok {
		root = nil
	}
	n.loopRoots[fn] = root
	return root
}

// rootsUp walks up the package's calls of fn; it returns the one go
// statement they all start from (nil if all lead back to fn through a
// cycle), and false if some chain starts anywhere else or does not
// pass the receiver on.
func (n *lockNeeds) rootsUp(fn *ssa.Function, seen map[*ssa.Function]bool) (*ssa.Go, bool) {
	if seen[fn] {
		return nil, true // recursion adds no goroutine
	}
	seen[fn] = true
	if fn.Signature.Recv() == nil || len(fn.Params) == 0 || n.chans.exportedFunc(fn) || n.chans.addrTaken[fn] || n.invokedNames()[fn.Name()] {
		return nil, false
	}
	callers := n.chans.callers[fn]
	if len(callers) == 0 {
		return nil, false
	}
	var root *ssa.Go
	for _, call := range callers {
		var r *ssa.Go
		switch call := call.(type) {
		case *ssa.Go:
			if !n.startsOnceForFreshValue(call) {
				return nil, false
			}
			r = call
		case *ssa.Call, *ssa.Defer:
			caller := call.Parent()
			if args := call.Common().Args; len(args) == 0 || !isReceiver(caller, args[0]) {
				return nil, false
			}
			var ok bool
			if r, ok = n.rootsUp(caller, seen); !ok {
				return nil, false
			}
		default:
			return nil, false
		}
		if r != nil && root != nil && r != root {
			return nil, false
		}
		if r != nil {
			root = r
		}
	}
	return root, true
}

// startsOnceForFreshValue reports whether the go statement starts a
// method on a value its function has just made (&T{…}, possibly kept
// in a variable a closure reads), and runs at most once per call.
func (n *lockNeeds) startsOnceForFreshValue(g *ssa.Go) bool {
	args := g.Call.Args
	if g.Call.IsInvoke() || len(args) == 0 || g.Block() == nil {
		return false
	}
	fn := g.Parent()
	r := n.reach[fn]
	if r == nil {
		r = new(flow.Reach)
		n.reach[fn] = r
	}
	if r.InLoop(g.Block()) {
		return false
	}
	alloc, ok := onlyValue(fn, args[0]).(*ssa.Alloc)
	return ok && alloc.Parent() == fn
}

// invokedNames returns the names of the methods the package calls
// through interfaces: a method of that name may be called from anywhere.
func (n *lockNeeds) invokedNames() map[string]bool {
	if n.invoked == nil {
		n.invoked = make(map[string]bool)
		for _, call := range n.chans.calls {
			if c := call.Common(); c.IsInvoke() {
				n.invoked[c.Method.Name()] = true
			}
		}
	}
	return n.invoked
}
