package lockchan

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/report"
	"github.com/sharedvet/sharedvet/passes/internal/safefunc"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// A blocker explains why calling a function may block: the channel
// operation it reaches, directly or through a chain of static calls.
type blocker struct {
	op   string    // "a channel send", "a channel receive", ...
	pos  token.Pos // of the operation, if it is in this package
	posn string    // of the operation, as text, if it is in another package
	// local is the operation, if it is in this package; named in
	// source terms ("send on s.out") only when a finding shows it, since
	// naming builds the package's syntax index.
	local syncapi.BlockingOp
	param int // index of the parameter holding the channel, or -1
	depth int // calls from the function to the operation; 0 if it is in the function
	// arg is the channel the call that through returned this for
	// passes in the parameter, if any: its counterparts are judged in
	// the caller's package, even when the operation is in another.
	arg ssa.Value
	// contained is BlocksFact.Contained, for a blocker in another package.
	contained bool
	// unblockers is BlocksFact.Unblockers, for a blocker in another
	// package, and via the call of this package into that package that
	// reaches it: its receiver is the value whose goroutine runs the
	// callbacks.
	unblockers []Unblocker
	via        *ssa.CallCommon
	// joins marks a wait that the fork-join exception clears from the
	// stall tier: a call that reaches it is reported only if the judge
	// finds a deadlock (the goroutines it joins take the held lock).
	joins bool
}

// through returns why call, a call of the function b describes, may
// block, in the caller's terms; nil if the call passes nil as the
// channel the function would block on (httptest's closeConn calls
// closeConnChan(c, nil), which sends only if done != nil).
func (b *blocker) through(call *ssa.CallCommon) *blocker {
	if b.param < 0 {
		out := *b
		out.depth++
		if out.posn != "" && out.via == nil {
			out.via = call
		}
		return &out
	}
	args := call.Args
	if call.IsInvoke() {
		return nil // not a static call; never happens for blockers
	}
	if b.param >= len(args) {
		return nil
	}
	arg := unconvert(args[b.param])
	if k, ok := arg.(*ssa.Const); ok && k.IsNil() {
		return nil
	}
	out := *b
	out.param = paramIndex(arg)
	out.arg = arg
	out.depth++
	return &out
}

// paramIndex returns the index of v among its function's parameters,
// or -1 if v is not a parameter.
func paramIndex(v ssa.Value) int {
	p, ok := unconvert(v).(*ssa.Parameter)
	if !ok {
		return -1
	}
	for i, q := range p.Parent().Params {
		if q == p {
			return i
		}
	}
	return -1
}

// unconvert strips channel direction conversions.
func unconvert(v ssa.Value) ssa.Value {
	for {
		ct, ok := v.(*ssa.ChangeType)
		if !ok {
			return v
		}
		v = ct.X
	}
}

// A callSite is a static call of a function of this package.
type callSite struct {
	caller *ssa.Function
	call   *ssa.CallCommon
}

// summarize computes which source functions of the package may block
// on a channel. It seeds the functions that contain a blocking
// operation, then propagates to their static callers with a worklist,
// so each function is visited a bounded number of times.
func (c *checker) summarize(funcs []*ssa.Function) map[*ssa.Function]*blocker {
	blockers := make(map[*ssa.Function]*blocker)
	sites := make(map[*ssa.Function][]callSite)
	var work []*ssa.Function
	for _, fn := range funcs {
		safefunc.Do(c.pass, fn, func() {
			b, calls := c.scan(fn)
			for _, call := range calls {
				for _, callee := range c.callees(call) {
					sites[callee] = append(sites[callee], callSite{fn, call})
				}
			}
			if b != nil {
				blockers[fn] = b
				work = append(work, fn)
			}
		})
	}
	for len(work) > 0 {
		fn := work[0]
		work = work[1:]
		for _, site := range sites[fn] {
			if b := blockers[fn].through(site.call); b.better(blockers[site.caller]) {
				blockers[site.caller] = b
				work = append(work, site.caller)
			}
		}
	}
	return blockers
}

// scan returns an operation of fn that may block on a channel
// (directly, or by a call to a function of another package whose fact
// says so), preferring one that blocks whatever the arguments and then
// the one fewest calls away, and the
// calls fn makes of functions of this package. An operation or call
// that follows an unlock of a mutex fn did not lock is skipped: fn
// releases its caller's lock before it blocks (the sync.Cond pattern,
// fixture okCondLike).
func (c *checker) scan(fn *ssa.Function) (*blocker, []*ssa.CallCommon) {
	releases := c.releaseBlocks(fn)
	var best *blocker
	found := func(b *blocker) {
		if b.better(best) {
			best = b
		}
	}
	var calls []*ssa.CallCommon
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if afterRelease(instr, releases) {
				continue
			}
			if op, ok := syncapi.BlockingOpOf(instr); ok {
				switch e := c.excuse(op); {
				case e == nil:
					found(&blocker{op: opNoun(op), pos: op.Pos, local: op, param: paramIndex(op.Chan)})
				case e.name == forkJoin:
					found(&blocker{op: opNoun(op), pos: op.Pos, local: op, param: paramIndex(op.Chan), joins: true})
				}
				continue
			}
			call, ok := instr.(ssa.CallInstruction)
			if !ok {
				continue
			}
			if _, isGo := instr.(*ssa.Go); isGo {
				continue // the goroutine blocks, not fn
			}
			own := false
			for _, callee := range c.callees(call.Common()) {
				if callee.Pkg != nil && callee.Pkg.Pkg == c.pass.Pkg {
					own = true
				} else if b := c.importedBlocker(callee); b != nil {
					found(b.through(call.Common()))
				}
			}
			if own {
				calls = append(calls, call.Common())
			}
		}
	}
	return best, calls
}

// judged returns the operation to judge for a call through which b
// blocks: the operation on the channel the call passes, if b blocks
// on a parameter (so that the caller's package knows its
// counterparts), else the operation itself (zero if it is in another
// package).
func (b *blocker) judged(call ssa.CallInstruction) syncapi.BlockingOp {
	if b.arg == nil {
		return b.local
	}
	kind, ok := opKinds[b.op]
	if !ok {
		return b.local
	}
	return syncapi.BlockingOp{Kind: kind, Instr: call, Chan: b.arg, Pos: call.Pos()}
}

// opKinds maps opNoun's words back to kinds, for operations that facts
// describe.
var opKinds = map[string]syncapi.ChanOpKind{
	"a channel send":         syncapi.Send,
	"a channel receive":      syncapi.Recv,
	"a range over a channel": syncapi.Range,
}

// better reports whether b explains a block better than cur: it is not
// a fork-join, it blocks whatever the arguments, or through fewer calls.
// Each of the three only improves, so summarize's worklist still
// terminates.
func (b *blocker) better(cur *blocker) bool {
	switch {
	case b == nil:
		return false
	case cur == nil:
		return true
	case b.joins != cur.joins:
		return !b.joins
	case (b.param < 0) != (cur.param < 0):
		return b.param < 0
	}
	return b.depth < cur.depth
}

// releaseBlocks returns the instructions of fn that unlock a mutex fn
// did not lock, as found by the lockset analysis.
func (c *checker) releaseBlocks(fn *ssa.Function) []ssa.Instruction {
	if f := c.locks.Func(fn); f != nil {
		return f.Releases
	}
	return nil
}

// afterRelease reports whether one of the releases precedes instr on
// every path.
func afterRelease(instr ssa.Instruction, releases []ssa.Instruction) bool {
	for _, r := range releases {
		if flow.Dominates(r, instr) {
			return true
		}
	}
	return false
}

// importedBlocker returns the blocker recorded in the fact of a
// function of another package, or nil.
func (c *checker) importedBlocker(fn *ssa.Function) *blocker {
	if fn.Origin() != nil {
		fn = fn.Origin()
	}
	obj, ok := fn.Object().(*types.Func)
	if !ok {
		return nil
	}
	var fact BlocksFact
	if !c.pass.ImportObjectFact(obj, &fact) {
		return nil
	}
	return &blocker{op: fact.Op, posn: fact.Posn, param: fact.ChanParam - 1, depth: fact.Depth, contained: fact.Contained, unblockers: fact.Unblockers}
}

// exportFacts records a BlocksFact for each named function of the
// package that may block, for the packages that import it.
func (c *checker) exportFacts(funcs []*ssa.Function) {
	for _, fn := range funcs {
		b := c.blockers[fn]
		obj, ok := fn.Object().(*types.Func)
		// Only exported functions can be called from other packages.
		// The runtime's own channel operations (the GC waiting for its
		// workers, reached from every allocation) are not the program's.
		// A fork-join stays in its package: its judge needs the
		// goroutines it joins, which facts do not carry.
		if b == nil || b.joins || !ok || obj.Pkg() != c.pass.Pkg || !obj.Exported() || isRuntime(obj.Pkg()) {
			continue
		}
		// A caller's call would be one deeper than b: beyond the
		// limit, the fact could never lead to a report.
		if b.depth >= maxDepth {
			continue
		}
		posn := b.posn
		if posn == "" {
			p := c.pass.Fset.Position(b.pos)
			posn = report.Where(c.pass.Pkg.Path(), p)
		}
		fact := &BlocksFact{Op: b.op, Posn: posn, ChanParam: b.param + 1, Depth: b.depth}
		if b.param >= 0 && b.param < len(fn.Params) {
			fact.Contained = c.contained(fn.Params[b.param], 0)
		}
		if b.posn == "" && b.param < 0 {
			fact.Unblockers = c.unblockers(b.local)
		}
		c.pass.ExportObjectFact(obj, fact)
	}
}

func isRuntime(pkg *types.Package) bool {
	p := pkg.Path()
	return p == "runtime" || strings.HasPrefix(p, "runtime/internal/") || strings.HasPrefix(p, "internal/runtime/")
}

// blockerOf returns why the call may block, or nil.
func (c *checker) blockerOf(call *ssa.CallCommon) *blocker {
	var best *blocker
	for _, callee := range c.callees(call) {
		b, ok := c.blockers[callee]
		if !ok && (callee.Pkg == nil || callee.Pkg.Pkg != c.pass.Pkg) {
			b = c.importedBlocker(callee)
		}
		if b == nil {
			continue
		}
		if t := b.through(call); t.better(best) {
			best = t
		}
	}
	return best
}

// callees returns the functions call may call: its static callee (the
// generic function itself for an instantiation), or the functions the
// package stores in the function-typed field it calls through.
func (c *checker) callees(call *ssa.CallCommon) []*ssa.Function {
	if f := staticCallee(call); f != nil {
		return []*ssa.Function{f}
	}
	return c.chans.callees(call)
}

// staticCallee returns the function call statically calls, the generic
// function itself for an instantiation, or nil.
func staticCallee(call *ssa.CallCommon) *ssa.Function {
	fn := call.StaticCallee()
	if fn != nil && fn.Origin() != nil {
		return fn.Origin()
	}
	return fn
}
