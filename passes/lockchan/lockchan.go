package lockchan

import (
	_ "embed"
	"fmt"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/docs"
	"github.com/sharedvet/sharedvet/passes/internal/flagval"
	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/report"
	"github.com/sharedvet/sharedvet/passes/internal/safefunc"
	"github.com/sharedvet/sharedvet/passes/internal/srcfuncs"
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

// maxDepth is the -lockchan.depth flag: how many calls deep a blocking
// operation may lie below a call made under a lock for the call to be
// reported. Beyond two, triage of real code found mostly operations on
// rare paths (a database's strict mode, a fatal log's flush) whose
// report no longer says where the problem is.
var maxDepth = 2

// stalls is the -lockchan.stalls flag: report every wait under a lock,
// not only the deadlocks.
var stalls = false

func init() {
	Analyzer.Flags.Var(flagval.IntAtLeast(&maxDepth, 0), "depth", "report calls under a lock that may block at most this many calls deep")
	Analyzer.Flags.BoolVar(&stalls, "stalls", stalls, "also report waits under a lock whose other side does not need the lock (stalls, not deadlocks)")
}

func run(pass *analysis.Pass) (any, error) {
	ssainfo := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	c := &checker{
		pass:  pass,
		locks: pass.ResultOf[lockset.Analyzer].(*lockset.Result),
		names: pass.ResultOf[srcname.Analyzer].(*srcname.Index),

		reportedDefers: make(map[*ssa.Defer]bool),
	}
	// The index reads the package initializer too, where var quit =
	// make(chan struct{}) makes its channel (fixture deadlock/pkgvar.go).
	indexed := srcfuncs.WithInit(ssainfo)
	checked := srcfuncs.Checked(ssainfo)
	c.buffered = findBufferedChans(pass.Pkg, indexed, c.inTestFile)
	c.chans = buildChanIndex(pass.Pkg, indexed, c.locks, c.containedArg)
	c.needs = newLockNeeds(c.locks, c.chans)
	c.blockers = c.summarize(checked)
	c.exportFacts(checked)
	safefunc.ForEach(pass, checked, c.checkFunc)
	safefunc.ForEach(pass, checked, c.checkWaitBeforeDrain)
	return nil, nil
}

// A checker holds what the checks of one package share.
type checker struct {
	pass     *analysis.Pass
	locks    *lockset.Result
	names    *srcname.Index
	blockers map[*ssa.Function]*blocker
	buffered *bufferedChans
	chans    *chanIndex // the channel classes and their operations
	needs    *lockNeeds // which functions take which locks

	reportedDefers map[*ssa.Defer]bool
	regs           map[string][]ssa.CallInstruction // by registrations
}

// inTestFile reports whether fn is declared in a _test.go file.
func (c *checker) inTestFile(fn *ssa.Function) bool {
	f := c.pass.Fset.File(fn.Pos())
	return f != nil && strings.HasSuffix(f.Name(), "_test.go")
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
			b := c.blockerOf(instr.Common())
			switch {
			case b == nil:
			case c.subtestLockFree(instr.Common(), held):
				report.Excused(c.pass, instr.Pos(), "subtest", "a t.Run (b.Run, b.RunParallel, f.Fuzz) whose subtest takes none of the held locks")
			default:
				c.reportCall(instr, "call to "+c.calleeCode(instr.Common()), b, held)
			}
		case *ssa.RunDefers:
			c.checkDefers(fn, instr, held)
		default:
			op, ok := syncapi.BlockingOpOf(instr)
			if !ok {
				return
			}
			if e := c.excuse(op); e != nil && !(e.name == forkJoin && c.judge(op, op.Instr, held).deadlock) {
				report.Excused(c.pass, op.Pos, e.name, e.rule)
				return
			}
			c.reportOp(op, held)
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
				held = held.Without(c.locks.KeyOf(lc.Mutex))
			}
			continue
		}
		// A function with several returns runs its defers at each;
		// report a deferred call once, with the locks of the first.
		if len(held) > 0 && !c.reportedDefers[d] {
			if b := c.blockerOf(d.Common()); b != nil {
				c.reportedDefers[d] = true
				c.reportCall(d, "deferred call to "+c.calleeCode(d.Common()), b, held)
			}
		}
		// A deferred closure that unlocks releases the lock for the
		// calls deferred before it (fixture okDeferredClosureUnlock).
		if callee := d.Common().StaticCallee(); callee != nil {
			for _, r := range c.releaseBlocks(callee) {
				if lc, ok := syncapi.LockCallOf(r.(ssa.CallInstruction).Common()); ok {
					held = held.Without(c.locks.KeyOf(lc.Mutex))
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

// reportOp reports a blocking channel operation made while holding locks.
func (c *checker) reportOp(op syncapi.BlockingOp, held lockset.Set) {
	c.reportTiered(op.Pos, fmt.Sprintf("%s while holding %s", c.describe(op), c.lockNames(held)), c.judge(op, op.Instr, held), c.lockedHere(held))
}

// reportCall reports a call, made while holding locks, that may block.
func (c *checker) reportCall(call ssa.CallInstruction, what string, b *blocker, held lockset.Set) {
	if b.depth > maxDepth {
		return
	}
	op := b.op
	if b.posn != "" {
		op += " (" + b.posn + ")"
	}
	related := c.lockedHere(held)
	if b.pos.IsValid() {
		related = append(related, report.Related(b.pos, c.describe(b.local)+" may block here")...)
	}
	v := c.judgeCall(call, b, held)
	if b.joins && !v.deadlock {
		report.Excused(c.pass, call.Pos(), forkJoin, "a call that waits only for goroutines its callee started, none of which takes the held lock first")
		return
	}
	c.reportTiered(call.Pos(), fmt.Sprintf("%s may block on %s while holding %s", what, op, c.lockNames(held)), v, related)
}

// judgeCall decides the tier of a call through which b blocks: by the
// callbacks the package supplied, if b's operation is in another
// package whose fact names them, else by b's operation.
func (c *checker) judgeCall(call ssa.CallInstruction, b *blocker, held lockset.Set) verdict {
	if len(b.unblockers) > 0 && b.via != nil {
		return c.judgeCallbacks(b, held)
	}
	return c.judge(b.judged(call), call.(ssa.Instruction), held)
}

// maxRelatedCounterparts bounds the counterparts a deadlock shows.
const maxRelatedCounterparts = 3

// reportTiered reports what (an operation, or a call that reaches op)
// as a deadlock if the judge says so, else as a stall under
// -lockchan.stalls, saying why the other side cannot deadlock.
func (c *checker) reportTiered(pos token.Pos, what string, v verdict, related []analysis.RelatedInformation) {
	if !v.deadlock {
		if !stalls {
			// Not a deadlock: the trace says why (-excused).
			report.Excused(c.pass, pos, "stall", v.why)
			return
		}
		report.Report(c.pass, report.Finding{
			Pos:      pos,
			Category: "lockchan-stall",
			Message:  what + "; it stalls other users of the lock, but " + v.why,
			Related:  related,
		})
		return
	}
	lock := c.lockName(v.lock)
	if len(v.callbacks) > 0 {
		for i, n := range v.callbacks {
			if i == maxRelatedCounterparts {
				break
			}
			related = append(related, report.Related(n.lockAt, "the callback takes "+lock+" here")...)
			related = append(related, report.Related(n.passedAt, "passed to "+n.registrar+" here")...)
		}
		report.Report(c.pass, report.Finding{
			Pos:      pos,
			Category: "lockchan-deadlock",
			Message:  fmt.Sprintf("%s; %s, so this can deadlock", what, c.callbackMessage(v, lock)),
			Related:  related,
		})
		return
	}
	who := "its only " + v.side
	if len(v.needs) > 1 {
		who = "every " + v.side
	}
	for i, n := range v.needs {
		if i == maxRelatedCounterparts {
			break
		}
		related = append(related, report.Related(n.lockAt, fmt.Sprintf("%s (%s) takes %s here", v.side, report.Code(funcName(c.pass.Pkg, n.site.instr.Parent())), lock))...)
		related = append(related, report.Related(n.site.pos, v.side+" waits here")...)
	}
	report.Report(c.pass, report.Finding{
		Pos:      pos,
		Category: "lockchan-deadlock",
		Message:  fmt.Sprintf("%s; %s takes %s first, so this can deadlock", what, who, lock),
		Related:  related,
	})
}

// funcName names fn for a message: "p.loop" style is not available
// without a receiver expression, so methods read "(*P).loop" and
// closures "function literal in Run".
func funcName(pkg *types.Package, fn *ssa.Function) string {
	if fn.Parent() != nil {
		return "function literal in " + funcName(pkg, fn.Parent())
	}
	return fn.RelString(pkg)
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
		return report.Code(s)
	}
	return report.Code(srcname.Of(l.Mutex))
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
		return op.Verb() + " " + report.Code(s)
	}
	return op.Verb() + " " + report.Code(srcname.Of(op.Chan))
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

// calleeCode is calleeName set off as code, but for the words
// "function" and "function literal", which are not source.
func (c *checker) calleeCode(call *ssa.CallCommon) string {
	n := c.calleeName(call)
	if n == "function" || n == "function literal" {
		return n
	}
	return report.Code(n)
}

// calleeName names the function a call calls as the source does:
// "s.flush" for a method call on s, "q.Flush" for a function of
// package q, "flush" for one of this package, "the function literal"
// for a closure.
func (c *checker) calleeName(call *ssa.CallCommon) string {
	fn := call.StaticCallee()
	if fn == nil {
		if s, ok := c.names.Callee(call.Pos()); ok {
			return s // a function-typed field: "f.flush"
		}
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
