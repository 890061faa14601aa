package lockchan

import (
	_ "embed"
	"fmt"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/docs"
	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/report"
	"github.com/sharedvet/sharedvet/passes/internal/safefunc"
	"github.com/sharedvet/sharedvet/passes/internal/srcname"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

//go:embed doc.go
var doc string

var Analyzer = &analysis.Analyzer{
	Name:      "lockchan",
	Doc:       docs.MustExtract(doc, "lockchan"),
	URL:       "https://github.com/sharedvet/sharedvet#lockchan",
	Requires:  []*analysis.Analyzer{buildssa.Analyzer, lockset.Analyzer, srcname.Analyzer},
	Run:       run,
	FactTypes: []analysis.Fact{new(BlocksFact)},
}

// A BlocksFact records that calling a function may block on a channel
// operation, directly or through further static calls. Positions are
// kept as text: facts cross processes under go vet, token.Pos does not.
type BlocksFact struct {
	Op   string // the operation, e.g. "a channel send"
	Posn string // where it is, as "file.go:line"
}

func (*BlocksFact) AFact() {}

func (f *BlocksFact) String() string { return fmt.Sprintf("blocks(%s at %s)", f.Op, f.Posn) }

func run(pass *analysis.Pass) (any, error) {
	ssainfo := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	c := &checker{
		pass:  pass,
		locks: pass.ResultOf[lockset.Analyzer].(*lockset.Result),
		names: pass.ResultOf[srcname.Analyzer].(*srcname.Index),
	}
	c.blockers = c.summarize(ssainfo.SrcFuncs)
	c.exportFacts(ssainfo.SrcFuncs)
	safefunc.ForEach(pass, ssainfo.SrcFuncs, c.checkFunc)
	return nil, nil
}

// A checker holds what the checks of one package share.
type checker struct {
	pass     *analysis.Pass
	locks    *lockset.Result
	names    *srcname.Index
	blockers map[*ssa.Function]*blocker
}

// A blocker explains why calling a function may block: the channel
// operation it reaches, directly or through a chain of static calls.
type blocker struct {
	op   string    // "a channel send", "a channel receive", ...
	pos  token.Pos // of the operation, if it is in this package
	posn string    // of the operation, as text, if it is in another package
	desc string    // the operation in the callee's terms, "send on s.out"
}

// summarize computes which source functions of the package may block
// on a channel. It seeds the functions that contain a blocking
// operation, then propagates to their static callers with a worklist,
// so each function is visited a bounded number of times.
func (c *checker) summarize(funcs []*ssa.Function) map[*ssa.Function]*blocker {
	blockers := make(map[*ssa.Function]*blocker)
	callers := make(map[*ssa.Function][]*ssa.Function)
	var work []*ssa.Function
	for _, fn := range funcs {
		safefunc.Do(c.pass, fn, func() {
			b, callees := c.scan(fn)
			for _, callee := range callees {
				callers[callee] = append(callers[callee], fn)
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
		for _, caller := range callers[fn] {
			if blockers[caller] == nil {
				blockers[caller] = blockers[fn]
				work = append(work, caller)
			}
		}
	}
	return blockers
}

// scan returns the first operation of fn that may block on a channel
// (directly, or by a call to a function of another package whose fact
// says so), and the functions of this package that fn calls. An
// operation or call that follows an unlock of a mutex fn did not lock
// is skipped: fn releases its caller's lock before it blocks (the
// sync.Cond pattern, fixture condLike).
func (c *checker) scan(fn *ssa.Function) (*blocker, []*ssa.Function) {
	releases := c.releaseBlocks(fn)
	var first *blocker
	var callees []*ssa.Function
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if afterRelease(instr, releases) {
				continue
			}
			if op, ok := syncapi.BlockingOpOf(instr, c.names.IsRangeFor); ok {
				if first == nil && !syncapi.CannotBlock(op) {
					first = &blocker{op: opNoun(op), pos: op.Pos, desc: c.describe(op)}
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
			callee := staticCallee(call.Common())
			if callee == nil {
				continue
			}
			if callee.Pkg != nil && callee.Pkg.Pkg == c.pass.Pkg {
				callees = append(callees, callee)
			} else if first == nil {
				first = c.importedBlocker(callee)
			}
		}
	}
	return first, callees
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
// every path: it is earlier in instr's block or dominates it.
func afterRelease(instr ssa.Instruction, releases []ssa.Instruction) bool {
	for _, r := range releases {
		rb, ib := r.Block(), instr.Block()
		if rb == ib {
			for _, x := range ib.Instrs {
				if x == r {
					return true
				}
				if x == instr {
					break
				}
			}
		} else if rb.Dominates(ib) {
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
	return &blocker{op: fact.Op, posn: fact.Posn}
}

// exportFacts records a BlocksFact for each named function of the
// package that may block, for the packages that import it.
func (c *checker) exportFacts(funcs []*ssa.Function) {
	for _, fn := range funcs {
		b := c.blockers[fn]
		obj, ok := fn.Object().(*types.Func)
		// Only exported functions can be called from other packages.
		if b == nil || !ok || obj.Pkg() != c.pass.Pkg || !obj.Exported() {
			continue
		}
		posn := b.posn
		if posn == "" {
			p := c.pass.Fset.Position(b.pos)
			posn = fmt.Sprintf("%s:%d", filepath.Base(p.Filename), p.Line)
		}
		c.pass.ExportObjectFact(obj, &BlocksFact{Op: b.op, Posn: posn})
	}
}

// blockerOf returns why the call may block, or nil.
func (c *checker) blockerOf(call *ssa.CallCommon) *blocker {
	callee := staticCallee(call)
	if callee == nil {
		return nil
	}
	if b, ok := c.blockers[callee]; ok {
		return b
	}
	if callee.Pkg != nil && callee.Pkg.Pkg == c.pass.Pkg {
		return nil
	}
	return c.importedBlocker(callee)
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

// checkFunc reports the blocking operations and calls of fn that run
// while a lock is held.
func (c *checker) checkFunc(fn *ssa.Function) {
	locks := c.locks.Func(fn)
	if locks == nil {
		return // fn locks nothing, so it holds nothing
	}
	locks.Walk(func(instr ssa.Instruction, held lockset.Set) {
		if len(held) == 0 {
			return
		}
		switch instr := instr.(type) {
		case *ssa.Call:
			if b := c.blockerOf(instr.Common()); b != nil {
				c.reportCall(instr.Pos(), "call to "+c.calleeName(instr.Common()), b, held)
			}
		case *ssa.RunDefers:
			c.checkDefers(fn, instr, held)
		default:
			if op, ok := syncapi.BlockingOpOf(instr, c.names.IsRangeFor); ok && !syncapi.CannotBlock(op) {
				c.reportOp(op, held)
			}
		}
	})
}

// checkDefers reports deferred calls that may block while a lock is
// still held. Deferred calls run at rd in last-in, first-out order, so
// a deferred Unlock releases its lock only for the calls deferred
// before it. Only the defers that run on every path to rd are
// considered: those in blocks that dominate rd's block.
func (c *checker) checkDefers(fn *ssa.Function, rd *ssa.RunDefers, held lockset.Set) {
	defers := dominatingDefers(fn, rd)
	for i := len(defers) - 1; i >= 0; i-- {
		d := defers[i]
		if lc, ok := syncapi.LockCallOf(d.Common()); ok {
			if lc.Effect == syncapi.Release {
				held = without(held, c.locks.KeyOf(lc.Mutex))
			}
			continue
		}
		if len(held) > 0 {
			if b := c.blockerOf(d.Common()); b != nil {
				c.reportCall(d.Pos(), "deferred call to "+c.calleeName(d.Common()), b, held)
			}
		}
		// A deferred closure that unlocks releases the lock for the
		// calls deferred before it (fixture okDeferredClosureUnlock).
		if callee := d.Common().StaticCallee(); callee != nil {
			for _, r := range c.releaseBlocks(callee) {
				if lc, ok := syncapi.LockCallOf(r.(ssa.CallInstruction).Common()); ok {
					held = without(held, c.locks.KeyOf(lc.Mutex))
				}
			}
		}
	}
}

// dominatingDefers returns the defer statements of fn that execute on
// every path to rd, in execution order.
func dominatingDefers(fn *ssa.Function, rd *ssa.RunDefers) []*ssa.Defer {
	var defers []*ssa.Defer
	for _, b := range fn.Blocks {
		if !b.Dominates(rd.Block()) {
			continue
		}
		for _, instr := range b.Instrs {
			if d, ok := instr.(*ssa.Defer); ok {
				defers = append(defers, d)
			}
		}
	}
	// Dominating blocks form a chain; in it, source order is execution order.
	sort.SliceStable(defers, func(i, j int) bool { return defers[i].Pos() < defers[j].Pos() })
	return defers
}

func without(held lockset.Set, k lockset.Key) lockset.Set {
	var out lockset.Set
	for _, l := range held {
		if l.Key != k {
			out = append(out, l)
		}
	}
	return out
}

// reportOp reports a blocking channel operation made while holding locks.
func (c *checker) reportOp(op syncapi.BlockingOp, held lockset.Set) {
	report.Report(c.pass, report.Finding{
		Pos:      op.Pos,
		Category: "lockchan-" + categoryOf(op.Kind),
		Message:  fmt.Sprintf("%s while holding %s", c.describe(op), c.lockNames(held)),
		Related:  c.lockedHere(held),
	})
}

// reportCall reports a call, made while holding locks, that may block.
func (c *checker) reportCall(pos token.Pos, what string, b *blocker, held lockset.Set) {
	op := b.op
	if b.posn != "" {
		op += " (" + b.posn + ")"
	}
	related := c.lockedHere(held)
	if b.pos.IsValid() {
		related = append(related, report.Related(b.pos, b.desc+" may block here")...)
	}
	report.Report(c.pass, report.Finding{
		Pos:      pos,
		Category: "lockchan-call",
		Message:  fmt.Sprintf("%s may block on %s while holding %s", what, op, c.lockNames(held)),
		Related:  related,
	})
}

func (c *checker) lockedHere(held lockset.Set) []analysis.RelatedInformation {
	var out []analysis.RelatedInformation
	for _, l := range held {
		out = append(out, report.Related(l.Pos, c.lockName(l)+" locked here")...)
	}
	return out
}

// lockName names a held mutex as the Lock call's receiver is written.
func (c *checker) lockName(l lockset.Lock) string {
	if s, ok := c.names.Receiver(l.Pos); ok {
		return s
	}
	return srcname.Of(l.Mutex)
}

// lockNames names the held locks, "s.mu" or "a.mu and b.mu".
func (c *checker) lockNames(held lockset.Set) string {
	var names []string
	for _, l := range held {
		n := c.lockName(l)
		if l.Shared {
			n += " (read lock)"
		}
		names = append(names, n)
	}
	if len(names) <= 2 {
		return strings.Join(names, " and ")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// describe says what op does in source terms: "send on b.out".
func (c *checker) describe(op syncapi.BlockingOp) string {
	if op.Kind == syncapi.Select {
		return "select without default case"
	}
	if s, ok := c.names.Chan(op.Pos); ok {
		return op.Verb() + " " + s
	}
	return op.Verb() + " " + srcname.Of(op.Chan)
}

// opNoun names the kind of op for a caller: "a channel send".
func opNoun(op syncapi.BlockingOp) string {
	switch op.Kind {
	case syncapi.Send:
		return "a channel send"
	case syncapi.Recv:
		return "a channel receive"
	case syncapi.Range:
		return "a range over a channel"
	}
	return "a select without default case"
}

func categoryOf(k syncapi.ChanOpKind) string {
	switch k {
	case syncapi.Send:
		return "send"
	case syncapi.Recv:
		return "recv"
	case syncapi.Range:
		return "range"
	}
	return "select"
}

// calleeName names the function a call calls as the source does:
// "s.flush" for a method call on s, "q.Flush" for a function of
// package q, "flush" for one of this package, "the function literal"
// for a closure.
func (c *checker) calleeName(call *ssa.CallCommon) string {
	fn := call.StaticCallee()
	if fn == nil {
		return "function"
	}
	if fn.Parent() != nil {
		return "function literal"
	}
	if s, ok := c.names.Callee(call.Pos()); ok {
		return s
	}
	from := c.pass.Pkg
	if fn.Signature.Recv() != nil && len(call.Args) > 0 && srcname.Known(call.Args[0]) {
		return srcname.Of(call.Args[0]) + "." + fn.Name()
	}
	if fn.Signature.Recv() != nil {
		return fn.RelString(from)
	}
	if fn.Pkg != nil && fn.Pkg.Pkg != from {
		return fn.Pkg.Pkg.Name() + "." + fn.Name()
	}
	return fn.Name()
}
