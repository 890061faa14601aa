package gocapture

import (
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/spawn"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// An event is an operation that may order the accesses of two
// goroutines: a channel operation, a WaitGroup or Cond method, or a
// call of another function that is handed a synchronization object
// (which may wait on it or signal it: fixture okHelperWait).
type event struct {
	instr    ssa.Instruction
	class    syncapi.SyncClass
	unknown  bool        // a call of another function; class is meaningless
	key      lockset.Key // the object, with closure variables resolved
	sel      int         // the case of a select, or -1
	deferred bool        // a deferred call: it runs when the function returns
	timer    bool        // a receive from a timer's channel, which only the runtime sends on
	handoff  bool        // an unlock of a mutex that the starter held at the go statement (rule "handoff")
	// pool: the end of a goroutine started by a spawner of this
	// package, which a call of any function of the package may wait
	// for (poolEnd).
	pool *types.Package
}

// Mutex operations are events only for rule "handoff": an unlock in
// the goroutine of a mutex the starter held when it started it, and
// the starter's next lock, which must wait for that unlock. Other
// pairs of unlock and lock order nothing, since either may come first.
const (
	mutexUnlock syncapi.SyncClass = -1 - iota
	mutexLock
)

// eventsOf returns the events of fn, in block order.
func (c *checker) eventsOf(fn *ssa.Function) []event {
	return c.eventsAt(fn, 0)
}

// eventsAt returns the events of fn, a function entered depth calls
// deep from a side: a call of a function of the package, up to
// maxCallDepth deep, makes the events of its body, named by the
// caller's arguments, at the call (calleeEvents).
func (c *checker) eventsAt(fn *ssa.Function, depth int) []event {
	var out []event
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			_, deferred := instr.(*ssa.Defer)
			if ops := syncapi.SyncOpsOf(instr); len(ops) > 0 {
				for _, op := range ops {
					timer := op.Class == syncapi.ChanRecv && isTimerChan(op.Obj)
					out = append(out, event{instr: instr, class: op.Class, key: c.locks.KeyOf(op.Obj), sel: op.Case, deferred: deferred, timer: timer})
				}
				continue
			}
			if call, ok := instr.(ssa.CallInstruction); ok {
				if lc, ok := syncapi.LockCallOf(call.Common()); ok && !lc.Shared {
					class := mutexLock
					if lc.Effect == syncapi.Release {
						class = mutexUnlock
					}
					out = append(out, event{instr: instr, class: class, key: c.locks.KeyOf(lc.Mutex), sel: -1, deferred: deferred})
					continue
				}
			}
			if call, ok := instr.(ssa.CallInstruction); ok && !isGo(instr) && !spawn.IsSpawnerWith(call.Common(), c.extra, c.spawns) && unknownCall(call.Common()) {
				if callee := summarized(call, depth); callee != nil {
					out = append(out, c.calleeEvents(call, callee, deferred, depth)...)
				} else {
					out = append(out, c.callEvents(call, deferred)...)
				}
			}
		}
	}
	return out
}

// summarized returns the function that call, made depth calls deep
// from a side, calls, if its events are those of its body: a function
// of the caller's package, called directly, with a body, at most
// maxCallDepth calls deep. A method of the package called on the
// receiver of a goroutine's loop (m.stop(), m.logf()) is not taken to
// synchronize with anything its body does not (fixture
// starters/receiver.go: badStopBothSides).
func summarized(call ssa.CallInstruction, depth int) *ssa.Function {
	common := call.Common()
	callee := common.StaticCallee()
	if callee == nil || depth >= maxCallDepth || common.IsInvoke() || callee.Blocks == nil || callee.Parent() != nil ||
		callee.Synthetic != "" || call.Parent() == nil || callee.Pkg != call.Parent().Pkg || len(callee.Params) != len(common.Args) {
		return nil
	}
	return callee
}

// A bodyKey names the events of a function's body entered depth calls
// deep, computed once per package.
type bodyKey struct {
	fn    *ssa.Function
	depth int
}

// calleeEvents returns the events of the body of callee, which call
// calls, as events of the call: their objects named by the call's
// arguments, and deferred if the call is. A body that calls a function
// it cannot see into (another package's, a function value, an
// interface method) gives the events of such a call (callEvents): what
// the callee hands on is judged by what the caller hands it.
func (c *checker) calleeEvents(call ssa.CallInstruction, callee *ssa.Function, deferred bool, depth int) []event {
	key := bodyKey{callee, depth + 1}
	inner, ok := c.bodies[key]
	if !ok {
		inner = c.eventsAt(callee, depth+1)
		c.bodies[key] = inner
	}
	for _, e := range inner {
		if e.unknown {
			return c.callEvents(call, deferred)
		}
	}
	out := make([]event, 0, len(inner))
	for _, e := range inner {
		e.instr, e.sel, e.deferred = call, -1, deferred
		e.key = c.rebaseArgs(callee, call.Common().Args, e.key)
		out = append(out, e)
	}
	return out
}

// timerFuncs lists the functions of package time whose result is a
// timer's channel (true), or a value whose field C is (false).
var timerFuncs = map[string]bool{
	"time.After":     true,
	"time.Tick":      true,
	"time.NewTimer":  false,
	"time.NewTicker": false,
}

// isTimerChan reports whether ch is the channel of a timer or ticker
// that the function made itself: time.After(d), or t.C of t :=
// time.NewTicker(d). Only the runtime sends on it, so receiving from it
// orders nothing against another goroutine (fixture badTimerCaseWork). A timer reached otherwise (a field, a
// parameter) is not recognized.
func isTimerChan(ch ssa.Value) bool {
	if ld, ok := ch.(*ssa.UnOp); ok && ld.Op == token.MUL {
		fa, ok := ld.X.(*ssa.FieldAddr)
		if !ok || fieldName(fa.X.Type(), fa.Field) != "C" {
			return false
		}
		direct, ok := timerCall(fa.X)
		return ok && !direct
	}
	direct, ok := timerCall(ch)
	return ok && direct
}

// timerCall reports whether v is the result of a call of one of
// timerFuncs, and which.
func timerCall(v ssa.Value) (direct, ok bool) {
	call, isCall := v.(*ssa.Call)
	if !isCall || call.Call.IsInvoke() {
		return false, false
	}
	fn := syncapi.Callee(&call.Call)
	if fn == nil {
		return false, false
	}
	direct, ok = timerFuncs[fn.FullName()]
	return direct, ok
}

// isGo reports whether instr is a go statement: the function it starts
// runs concurrently, so the call orders nothing for its caller.
func isGo(instr ssa.Instruction) bool {
	_, ok := instr.(*ssa.Go)
	return ok
}

// unknownCall reports whether call may synchronize in a way we cannot
// see: it calls something other than a builtin, a lock method or a
// sync/atomic function.
func unknownCall(call *ssa.CallCommon) bool {
	if _, ok := call.Value.(*ssa.Builtin); ok {
		return false
	}
	if _, ok := syncapi.LockCallOf(call); ok {
		return false
	}
	if _, ok := syncapi.AtomicAccessOf(call); ok {
		return false
	}
	if fn := syncapi.Callee(call); fn != nil && fn.Pkg() != nil && quietPkgs[fn.Pkg().Path()] {
		return false
	}
	return true
}

// quietPkgs lists the packages whose functions and methods never order
// the caller against another goroutine: package time sleeps, reads
// clocks, and stops and resets timers, whose channels only the runtime
// sends on; time.AfterFunc returns without calling its function. Taking
// time.Sleep in a worker loop for a wait would hide every race in the
// loop (fixture badSelectOtherCase).
var quietPkgs = map[string]bool{"time": true}

// callEvents returns the events of a call of an unknown function: one
// for each argument that may carry a synchronization object, and one
// with no object (the zero key) for what the callee may reach by other
// means: a context's channel, a global, a function value's closure.
func (c *checker) callEvents(call ssa.CallInstruction, deferred bool) []event {
	out := []event{{instr: call, unknown: true, sel: -1, deferred: deferred}}
	cc := call.Common()
	args := cc.Args
	if cc.IsInvoke() {
		args = append([]ssa.Value{cc.Value}, args...)
	}
	// A closure called here, or passed to the callee which may call
	// it, uses what it captured (fixture okSignalInCallback).
	for _, v := range append([]ssa.Value{cc.Value}, args...) {
		if mc, ok := v.(*ssa.MakeClosure); ok {
			args = append(args[:len(args):len(args)], mc.Bindings...)
		}
	}
	for _, a := range args {
		if argMayCarrySync(a) {
			out = append(out, event{instr: call, unknown: true, key: c.locks.KeyOf(a), sel: -1, deferred: deferred})
		}
	}
	return out
}

// argMayCarrySync reports whether the argument a may give a callee a
// synchronization object. A constant (nil, a zero struct) holds none
// (fixture badZeroOptions); nor does a value boxed in an interface
// whose own type carries none, such as the int in use(1) or in the
// variadic arguments of fmt.Errorf("x %d", i), though the interface
// type could hold anything (fixture badBoxedArgument).
func argMayCarrySync(a ssa.Value) bool {
	switch x := a.(type) {
	case *ssa.Const:
		return false
	case *ssa.MakeInterface:
		return argMayCarrySync(x.X)
	case *ssa.Slice:
		if elems, ok := variadicElems(x); ok {
			for _, e := range elems {
				if argMayCarrySync(e) {
					return true
				}
			}
			return false
		}
	}
	return mayCarrySync(a.Type()) && !emptyContext(a)
}

// variadicElems returns the values stored into the array that s
// slices, when s is the slice of a call's variadic arguments: an
// array allocated for it, used only by that slice and by the stores
// of its elements.
func variadicElems(s *ssa.Slice) ([]ssa.Value, bool) {
	alloc, ok := s.X.(*ssa.Alloc)
	if !ok || alloc.Referrers() == nil {
		return nil, false
	}
	var elems []ssa.Value
	for _, r := range *alloc.Referrers() {
		switch r := r.(type) {
		case *ssa.Slice:
			if r != s {
				return nil, false
			}
		case *ssa.IndexAddr:
			if r.Referrers() == nil {
				return nil, false
			}
			for _, rr := range *r.Referrers() {
				st, ok := rr.(*ssa.Store)
				if !ok || st.Addr != r {
					return nil, false
				}
				elems = append(elems, st.Val)
			}
		default:
			return nil, false
		}
	}
	return elems, true
}

// emptyContext reports whether v is context.Background() or
// context.TODO(): a context that is never canceled, whose Done channel
// is nil, carries nothing to synchronize on. As the result of a call
// it would otherwise be an opaque value, taken to be related to every
// other, so that a goroutine that calls c.PutObject(context.Background(),
// ...) would be taken to be ordered with anything its starter does
// (minio-go's functional tests; fixture badBackgroundContext).
func emptyContext(v ssa.Value) bool {
	for {
		switch x := v.(type) {
		case *ssa.MakeInterface:
			v = x.X
			continue
		case *ssa.ChangeInterface:
			v = x.X
			continue
		case *ssa.Call:
			fn := syncapi.Callee(&x.Call)
			return fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "context" &&
				(fn.Name() == "Background" || fn.Name() == "TODO")
		}
		return false
	}
}

// mayCarrySync reports whether a value of type t may give a callee a
// synchronization object: a channel, an interface or a function (which
// may hold anything), a type of package sync, or a pointer, struct,
// array, slice or map through which one of those is reached. A
// *bytes.Reader carries none (minio-go's functional tests hand one to
// the goroutine's call; fixture badZeroOptions, a *strings.Reader).
var errorType = types.Universe.Lookup("error").Type()

func mayCarrySync(t types.Type) bool {
	return reachesSync(t, make(map[types.Type]bool), 0)
}

func reachesSync(t types.Type, seen map[types.Type]bool, depth int) bool {
	if depth > 8 {
		return true
	}
	if types.Identical(t, errorType) {
		// Errors are values that report what went wrong; a callee
		// does not wait on one. Counting them would make every
		// goroutine that logs its error look joined (minio-go's
		// functional tests hand err to logError; fixture badErrorLogged).
		return false
	}
	if n, ok := types.Unalias(t).(*types.Named); ok {
		if pkg := n.Obj().Pkg(); pkg != nil && (pkg.Path() == "sync" || pkg.Path() == "sync/atomic" || pkg.Path() == "context") {
			return true
		}
		if seen[n] {
			return false // a recursive type: its other fields decide
		}
		seen[n] = true
	}
	switch u := t.Underlying().(type) {
	case *types.Chan, *types.Interface, *types.Signature:
		return true
	case *types.Basic:
		return u.Kind() == types.UnsafePointer
	case *types.Pointer:
		return reachesSync(u.Elem(), seen, depth+1)
	case *types.Slice:
		return reachesSync(u.Elem(), seen, depth+1)
	case *types.Array:
		return reachesSync(u.Elem(), seen, depth+1)
	case *types.Map:
		return reachesSync(u.Key(), seen, depth+1) || reachesSync(u.Elem(), seen, depth+1)
	case *types.Struct:
		for i := range u.NumFields() {
			if reachesSync(u.Field(i).Type(), seen, depth+1) {
				return true
			}
		}
		return false
	case *types.TypeParam:
		return true
	}
	return false
}

// opaque reports whether k's root is a value whose identity cannot be
// matched across goroutines: the result of a call (ctx.Done()), a phi.
// Stable roots are variables, parameters, globals and made channels.
func opaque(k lockset.Key) bool {
	switch k.Root.(type) {
	case *ssa.Alloc, *ssa.Parameter, *ssa.FreeVar, *ssa.MakeChan, *ssa.Global:
		return false
	}
	return true
}

// orders reports whether the release event r, in one goroutine, may
// happen before the acquire event a, in another. Calls of unknown
// functions may do either, on any object related to what they are
// passed.
func orders(r, a event) bool {
	if r.timer || a.timer {
		// Only the runtime sends on a timer's channel: receiving from
		// it neither waits for another goroutine nor lets one proceed
		// (fixture badTimerCaseWork).
		return false
	}
	if !a.unknown && a.class == syncapi.WaitAll {
		return true // it waits for every goroutine, whatever it does (fixture okSynctestWait)
	}
	if !r.unknown && isMutexOp(r.class) || !a.unknown && isMutexOp(a.class) {
		// Rule "handoff" (fixture okMutexHandoff).
		return r.handoff && a.class == mutexLock && !a.unknown && r.key == a.key
	}
	if r.pool != nil {
		return a.unknown && calleePkg(a.instr) == r.pool
	}
	if r.unknown || a.unknown {
		return mayBeSame(r.key, a.key)
	}
	if r.class == syncapi.ChanRecv && a.class == syncapi.ChanSend && (isClose(a.instr) || bufferedChan(a.key)) {
		// Rule "channels": a receive completes a send only when the
		// send waits for it: not a close, which never waits (fixture
		// badCloseAfterRecv), nor a send on a channel of capacity 2
		// or more, which the receive does not free a slot for the
		// first time (fixture badBufferedRecvThenSend).
		return false
	}
	return sameChan(r.key, a.key) && syncapi.Orders(r.class, a.class)
}

// sameChan reports whether the channels of keys x and y may be one:
// the same key, or elements of one slice, array or map at indexes
// that are not two different constants. An index that is not a
// constant is named by its SSA value, which two goroutines, or two
// expressions (chans[gid] and chans[(gid+1)%n]), do not share, though
// they may select one element: goroutines that pass a token around a
// ring of channels are ordered by it (std's runtime/debuglog_test.go;
// fixture okTokenRing).
func sameChan(x, y lockset.Key) bool {
	if x == y {
		return true
	}
	if x.Root != y.Root {
		return false
	}
	p, q := x.Path, y.Path
	for p != "" && q != "" {
		if p[0] == '[' && q[0] == '[' {
			i, j := strings.IndexByte(p, ']'), strings.IndexByte(q, ']')
			if i < 0 || j < 0 {
				return false
			}
			if p[:i+1] != q[:j+1] && !strings.HasPrefix(p, "[%") && !strings.HasPrefix(q, "[%") {
				return false // two different constants
			}
			p, q = p[i+1:], q[j+1:]
			continue
		}
		if p[0] != q[0] {
			return false
		}
		p, q = p[1:], q[1:]
	}
	return p == q
}

// pipelined reports whether the send e, which follows the access at
// instr in the goroutine whose events are events, orders nothing about
// it: a send on the same channel in the same loop may precede the
// access (a pipeline, for { x = f(); ch <- x }), and a receive may have
// taken that earlier message (rule 6; fixture badPipeline). A send
// before the access outside its loop (ch <- started; x = f(); ch <-
// done) keeps the two taken to be ordered.
func (g *cfg) pipelined(events []event, e event, instr ssa.Instruction) bool {
	if e.unknown || e.class != syncapi.ChanSend || syncapi.IsClose(e.instr) {
		return false
	}
	b := instr.Block().Index
	if !g.cyc[b] {
		return false
	}
	for _, s := range events {
		if s.unknown || s.deferred || s.class != syncapi.ChanSend || syncapi.IsClose(s.instr) || !sameChan(s.key, e.key) {
			continue
		}
		if g.scc[s.instr.Block().Index] == g.scc[b] && (s.instr == instr || g.after(s.instr, instr)) {
			return true
		}
	}
	return false
}

// closedExit returns the edge that a comma-ok receive e (v, ok := <-ch,
// or the receive of a range loop over ch) takes when the channel is
// closed, if every release that orders e is a close: the close orders
// only what follows that edge, not the loop's body, which runs for
// values sent before it (fixture badRangeBodyAfterClose).
func closedExit(e event, releases []event, stops stopKind) ([2]int, bool) {
	recv, ok := e.instr.(*ssa.UnOp)
	if !ok || e.unknown || e.class != syncapi.ChanRecv || !recv.CommaOk {
		return [2]int{}, false
	}
	for _, r := range releases {
		if stops&stopOf(r, e) != 0 && orders(r, e) && (r.unknown || !syncapi.IsClose(r.instr)) {
			return [2]int{}, false
		}
	}
	b := recv.Block()
	iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
	if !ok {
		return [2]int{}, false
	}
	ex, ok := iff.Cond.(*ssa.Extract)
	if !ok || ex.Tuple != recv || ex.Index != 1 {
		return [2]int{}, false
	}
	return [2]int{b.Index, iff.Block().Succs[1].Index}, true
}

// isClose reports whether instr is a call, not deferred, of the
// builtin close.
func isClose(instr ssa.Instruction) bool {
	_, direct := instr.(*ssa.Call)
	return direct && syncapi.IsClose(instr)
}

// bufferedChan reports whether k is a channel made with a constant
// capacity of 2 or more: the value of make, or a variable that holds
// only it.
func bufferedChan(k lockset.Key) bool {
	root := k.Root
	if a, ok := root.(*ssa.Alloc); ok && k.Path == "*" {
		root = nil
		for _, ref := range *a.Referrers() {
			if st, ok := ref.(*ssa.Store); ok && st.Addr == a {
				if root != nil {
					return false // assigned more than once
				}
				root = st.Val
			}
		}
	} else if k.Path != "" {
		return false
	}
	mk, ok := root.(*ssa.MakeChan)
	if !ok {
		return false
	}
	c, ok := mk.Size.(*ssa.Const)
	if !ok || c.Value == nil {
		return false
	}
	n, exact := constant.Int64Val(constant.ToInt(c.Value))
	return exact && n >= 2
}

// isMutexOp reports whether class is that of a lock or an unlock.
func isMutexOp(class syncapi.SyncClass) bool { return class == mutexLock || class == mutexUnlock }

// mayBeSame reports whether an unknown call handed (or reaching) x may
// operate on y. An anonymous call (zero key) reaches what escapes:
// globals and objects of unknown origin, such as a context's channel
// that a cancel function closes (fixture okContextCancel). A call
// handed s may use s.wg (fixture okHelperWait).
func mayBeSame(x, y lockset.Key) bool {
	if x.Root == nil {
		x, y = y, x
	}
	if y.Root == nil {
		// Two anonymous calls are not taken to synchronize with each
		// other: that would silence every goroutine that logs.
		_, global := x.Root.(*ssa.Global)
		return x.Root != nil && (global || opaque(x))
	}
	if opaque(x) || opaque(y) {
		return true
	}
	return x.Root == y.Root && (pathPrefix(x.Path, y.Path) || pathPrefix(y.Path, x.Path))
}

// pathPrefix reports whether selector path p is a prefix of q, at a
// selector boundary (".1" is not a prefix of ".12").
func pathPrefix(p, q string) bool {
	if !strings.HasPrefix(q, p) {
		return false
	}
	return len(q) == len(p) || q[len(p)] == '.' || q[len(p)] == '*'
}

// A cfg answers reachability questions about one function's
// instructions. Block reachability is computed once per block, on
// demand, so each question costs at most one linear walk.
type cfg struct {
	fn      *ssa.Function
	reach   flow.Reach              // blocks reachable from a block's successors
	index   map[ssa.Instruction]int // position of an instruction in its block
	scc     []int                   // strongly connected component of each block
	cyc     []bool                  // whether a block lies on a cycle
	members map[int][]int           // the blocks of each component on a cycle
	live    []bool                  // blocks that may run (rule "constant")
}

// newCFG indexes fn's instructions and loops.
func newCFG(fn *ssa.Function) *cfg {
	g := &cfg{fn: fn, index: make(map[ssa.Instruction]int)}
	for _, b := range fn.Blocks {
		for i, instr := range b.Instrs {
			g.index[instr] = i
		}
	}
	g.scc, g.cyc = sccs(fn)
	g.live = flow.Live(fn)
	g.members = make(map[int][]int)
	for i, c := range g.scc {
		if g.cyc[i] {
			g.members[c] = append(g.members[c], i)
		}
	}
	return g
}

// after reports whether to may execute after from, on some path.
func (g *cfg) after(from, to ssa.Instruction) bool {
	fb, tb := from.Block(), to.Block()
	if fb == tb && g.index[from] < g.index[to] {
		return true
	}
	return g.reach.FromSuccs(fb)[tb.Index]
}

// sccs returns the strongly connected component of each block of fn
// (Tarjan's algorithm, iterative) and whether each block is on a cycle.
func sccs(fn *ssa.Function) ([]int, []bool) {
	n := len(fn.Blocks)
	index, low, comp := make([]int, n), make([]int, n), make([]int, n)
	onStack, cyc := make([]bool, n), make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack []int
	next, ncomp := 0, 0
	type frame struct{ b, succ int }
	for root := range n {
		if index[root] >= 0 {
			continue
		}
		frames := []frame{{root, 0}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(frames) > 0 {
			f := &frames[len(frames)-1]
			succs := fn.Blocks[f.b].Succs
			if f.succ < len(succs) {
				s := succs[f.succ].Index
				f.succ++
				if s == f.b {
					cyc[s] = true
				}
				if index[s] < 0 {
					index[s], low[s] = next, next
					next++
					stack = append(stack, s)
					onStack[s] = true
					frames = append(frames, frame{s, 0})
				} else if onStack[s] {
					low[f.b] = min(low[f.b], index[s])
				}
				continue
			}
			b := f.b
			frames = frames[:len(frames)-1]
			if len(frames) > 0 {
				p := frames[len(frames)-1].b
				low[p] = min(low[p], low[b])
			}
			if low[b] == index[b] {
				var members []int
				for {
					x := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[x] = false
					comp[x] = ncomp
					members = append(members, x)
					if x == b {
						break
					}
				}
				if len(members) > 1 {
					for _, x := range members {
						cyc[x] = true
					}
				}
				ncomp++
			}
		}
	}
	return comp, cyc
}

// selectCase returns the block that runs when case i of the select sel
// is chosen, if go/ssa's usual shape (extract #0 == i; if) is found.
func selectCase(sel *ssa.Select, i int) *ssa.BasicBlock {
	_, to := flow.SelectEdge(sel, i)
	return to
}

// calleePkg returns the package of the function that instr, a call,
// calls, or nil.
func calleePkg(instr ssa.Instruction) *types.Package {
	call, ok := instr.(ssa.CallInstruction)
	if !ok {
		return nil
	}
	if fn := syncapi.Callee(call.Common()); fn != nil {
		return fn.Pkg()
	}
	return nil
}
