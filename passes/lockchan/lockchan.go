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
	"github.com/sharedvet/sharedvet/passes/internal/flagval"
	"github.com/sharedvet/sharedvet/passes/internal/flow"
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
	// ChanParam is 1 + the index of the parameter that holds the
	// channel, when it is one (0 if not): a caller that passes nil
	// there does not block (fixture okNilChanArg).
	ChanParam int
	// Contained says the function does nothing with that parameter but
	// operate on the channel (it keeps, returns or hands it to nobody),
	// so passing a channel there does not show it to other goroutines.
	Contained bool `json:",omitempty"`
	// Depth is the number of calls from the function to the operation:
	// 0 if the function itself performs it.
	Depth int
}

func (*BlocksFact) AFact() {}

func (f *BlocksFact) String() string {
	s := fmt.Sprintf("blocks(%s at %s", f.Op, f.Posn)
	if f.ChanParam > 0 {
		s += fmt.Sprintf(", on parameter %d", f.ChanParam)
		if f.Contained {
			s += " only"
		}
	}
	if f.Depth > 0 {
		s += fmt.Sprintf(", %d calls deep", f.Depth)
	}
	return s + ")"
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
	c.buffered = syncapi.FindBufferedChans(pass.Pkg, ssainfo.SrcFuncs, c.inTestFile)
	c.chans = buildChanIndex(pass.Pkg, ssainfo.SrcFuncs, c.locks, c.containedArg)
	c.needs = newLockNeeds(ssainfo.SrcFuncs, c.locks, c.chans)
	c.blockers = c.summarize(ssainfo.SrcFuncs)
	c.exportFacts(ssainfo.SrcFuncs)
	safefunc.ForEach(pass, ssainfo.SrcFuncs, c.checkFunc)
	safefunc.ForEach(pass, ssainfo.SrcFuncs, c.checkWaitBeforeDrain)
	return nil, nil
}

// A checker holds what the checks of one package share.
type checker struct {
	pass     *analysis.Pass
	locks    *lockset.Result
	names    *srcname.Index
	blockers map[*ssa.Function]*blocker
	buffered *syncapi.BufferedChans
	chans    *chanIndex // the channel classes and their operations
	needs    *lockNeeds // which functions take which locks

	reportedDefers map[*ssa.Defer]bool
}

// inTestFile reports whether fn is declared in a _test.go file.
func (c *checker) inTestFile(fn *ssa.Function) bool {
	f := c.pass.Fset.File(fn.Pos())
	return f != nil && strings.HasSuffix(f.Name(), "_test.go")
}

// mayBlock reports whether op is worth reporting: it may block, it
// does not merely join goroutines its function started, and it is not
// a send on a channel the package always makes buffered.
func (c *checker) mayBlock(op syncapi.BlockingOp) bool {
	if syncapi.CannotBlock(op) || syncapi.DrainedBefore(op) || syncapi.ClosedBefore(op) || syncapi.JoinsOwnGoroutine(op) {
		return false
	}
	if c.buffered.BufferedByDesign(op) {
		// A buffer the package always gives the channel holds a send
		// now and then, but a loop sending on one field channel fills
		// it under load: a stall, for -lockchan.stalls (fixture
		// badBufferedFieldLoop).
		var reach flow.Reach
		return syncapi.LoadedField(op.Chan) != nil && reach.InLoop(op.Instr.Block())
	}
	return true
}

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
}

// through returns why call, a call of the function b describes, may
// block, in the caller's terms; nil if the call passes nil as the
// channel the function would block on (httptest's closeConn calls
// closeConnChan(c, nil), which sends only if done != nil).
func (b *blocker) through(call *ssa.CallCommon) *blocker {
	if b.param < 0 {
		out := *b
		out.depth++
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
				if c.mayBlock(op) {
					found(&blocker{op: opNoun(op), pos: op.Pos, local: op, param: paramIndex(op.Chan)})
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

// better reports whether b explains a block better than cur: it blocks
// whatever the arguments, or through fewer calls. Depths only shrink,
// so summarize's worklist still terminates.
func (b *blocker) better(cur *blocker) bool {
	switch {
	case b == nil:
		return false
	case cur == nil:
		return true
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
	return &blocker{op: fact.Op, posn: fact.Posn, param: fact.ChanParam - 1, depth: fact.Depth, contained: fact.Contained}
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
		if b == nil || !ok || obj.Pkg() != c.pass.Pkg || !obj.Exported() || isRuntime(obj.Pkg()) {
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
			posn = fmt.Sprintf("%s:%d", filepath.Base(p.Filename), p.Line)
		}
		fact := &BlocksFact{Op: b.op, Posn: posn, ChanParam: b.param + 1, Depth: b.depth}
		if b.param >= 0 && b.param < len(fn.Params) {
			fact.Contained = c.contained(fn.Params[b.param], 0)
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
			if b := c.blockerOf(instr.Common()); b != nil && !c.subtestLockFree(instr.Common(), held) {
				c.reportCall(instr, "call to "+c.calleeName(instr.Common()), b, held)
			}
		case *ssa.RunDefers:
			c.checkDefers(fn, instr, held)
		default:
			if op, ok := syncapi.BlockingOpOf(instr); ok && c.mayBlock(op) {
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
				held = held.Without(c.locks.KeyOf(lc.Mutex))
			}
			continue
		}
		// A function with several returns runs its defers at each;
		// report a deferred call once, with the locks of the first.
		if len(held) > 0 && !c.reportedDefers[d] {
			if b := c.blockerOf(d.Common()); b != nil {
				c.reportedDefers[d] = true
				c.reportCall(d, "deferred call to "+c.calleeName(d.Common()), b, held)
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
	c.reportTiered(op.Pos, fmt.Sprintf("%s while holding %s", c.describe(op), c.lockNames(held)), op, held, c.lockedHere(held))
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
	c.reportTiered(call.Pos(), fmt.Sprintf("%s may block on %s while holding %s", what, op, c.lockNames(held)), b.judged(call), held, related)
}

// maxRelatedCounterparts bounds the counterparts a deadlock shows.
const maxRelatedCounterparts = 3

// reportTiered reports what (an operation, or a call that reaches op)
// as a deadlock if the judge says so, else as a stall under
// -lockchan.stalls, saying why the other side cannot deadlock.
func (c *checker) reportTiered(pos token.Pos, what string, op syncapi.BlockingOp, held lockset.Set, related []analysis.RelatedInformation) {
	v := c.judge(op, held)
	if !v.deadlock {
		if !stalls {
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
	who := "its only " + v.side
	if len(v.needs) > 1 {
		who = "every " + v.side
	}
	for i, n := range v.needs {
		if i == maxRelatedCounterparts {
			break
		}
		related = append(related, report.Related(n.lockAt, fmt.Sprintf("%s (%s) takes %s here", v.side, funcName(c.pass.Pkg, n.site.instr.Parent()), lock))...)
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
