package spawn

import (
	"fmt"
	"go/token"
	"go/types"
	"reflect"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// Analyzer finds the functions of a package that run a function
// argument in a new goroutine (func Go(f func()) { go f() }), and
// exports a SpawnsFact for each, so that a package's own Go helpers
// start goroutines for the checks of other packages too. Its result is
// a Lookup for the functions that the package calls.
var Analyzer = &analysis.Analyzer{
	Name:       "spawnfact",
	Doc:        "find functions that run a function argument in a new goroutine",
	Requires:   []*analysis.Analyzer{buildssa.Analyzer},
	Run:        run,
	FactTypes:  []analysis.Fact{new(SpawnsFact)},
	ResultType: reflect.TypeFor[Lookup](),
}

// A SpawnsFact says that a function runs its Arg-th parameter (the
// receiver first), a function, in a new goroutine, which it does not
// wait for. Queued: it hands the function over a channel to a worker
// goroutine of a pool (ants' (*Pool).Submit), which may run the tasks
// handed to it one after another rather than at once.
type SpawnsFact struct {
	Arg    int
	Queued bool
}

func (*SpawnsFact) AFact() {}

func (f *SpawnsFact) String() string {
	if f.Queued {
		return fmt.Sprintf("queues(%d)", f.Arg)
	}
	return fmt.Sprintf("spawns(%d)", f.Arg)
}

// A Lookup returns, for callee, a function of the package or one it
// imports, the parameter that callee runs in a new goroutine.
type Lookup map[*types.Func]SpawnsFact

// maxRounds bounds the rounds over the package's functions: a helper
// that hands its argument to another helper of the package is found
// in the round after that one (ants: inputFunc sends, Submit calls it,
// the package's Submit calls the default pool's).
const maxRounds = 4

func run(pass *analysis.Pass) (any, error) {
	funcs := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA).SrcFuncs
	lookup := make(Lookup)
	// The callees of other packages first, with their facts, so that a
	// helper that hands its argument to one is found too.
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				callee := syncapi.Callee(call.Common())
				if callee == nil || callee.Pkg() == pass.Pkg {
					continue
				}
				var f SpawnsFact
				if pass.ImportObjectFact(callee, &f) {
					lookup[callee] = f
				}
			}
		}
	}
	in := &inference{pkg: pass.Pkg, lookup: lookup, methods: make(map[string][]*ssa.Function)}
	for _, fn := range funcs {
		if fn.Signature.Recv() != nil && fn.Synthetic == "" && fn.Parent() == nil {
			in.methods[fn.Name()] = append(in.methods[fn.Name()], fn)
		}
	}
	in.tasks = taskTypes(funcs, pass.Pkg, lookup)
	for range maxRounds {
		changed := false
		for _, fn := range funcs {
			obj, ok := fn.Object().(*types.Func)
			if !ok || fn.Parent() != nil {
				continue
			}
			if _, done := lookup[obj]; done {
				continue
			}
			if f, ok := in.spawnedParam(fn); ok {
				lookup[obj] = f
				pass.ExportObjectFact(obj, &f)
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	return lookup, nil
}

// An inference holds what the search for the package's spawners needs.
type inference struct {
	pkg    *types.Package
	lookup Lookup
	// tasks are the function types that a worker goroutine of the
	// package receives from a channel and runs (taskTypes).
	tasks []types.Type
	// methods are the package's declared methods, by name, to resolve
	// a call of an unexported interface method.
	methods map[string][]*ssa.Function
}

// spawnedParam returns the parameter of fn, a function, that fn runs
// in a new goroutine: go f(), go func() { f() }(), f handed to a
// spawner, or f sent on a channel that a worker goroutine of the
// package receives functions from and calls them (queued).
func (in *inference) spawnedParam(fn *ssa.Function) (SpawnsFact, bool) {
	for i, p := range fn.Params {
		if _, ok := p.Type().Underlying().(*types.Signature); !ok {
			continue
		}
		for _, f := range append([]*ssa.Function{fn}, fn.AnonFuncs...) {
			if queued, ok := in.startsParam(f, p); ok {
				return SpawnsFact{Arg: i, Queued: queued}, true
			}
		}
	}
	return SpawnsFact{}, false
}

// startsParam reports whether f, fn or a closure in it, starts the
// parameter p in a new goroutine, and whether it queues it for a
// worker.
func (in *inference) startsParam(f *ssa.Function, p *ssa.Parameter) (queued, ok bool) {
	for _, b := range f.Blocks {
		for _, instr := range b.Instrs {
			var started []ssa.Value
			queued := false
			switch x := instr.(type) {
			case *ssa.Go:
				started = []ssa.Value{x.Call.Value}
			case *ssa.Call:
				if sp, ok := in.calleeSpawns(&x.Call); ok {
					started, queued = []ssa.Value{unwrap(x.Call.Args[sp.Arg])}, sp.Queued
				}
			case *ssa.Send:
				if in.isTask(x.Chan.Type()) {
					started, queued = []ssa.Value{unwrap(x.X)}, true
				}
			case *ssa.Select:
				for _, st := range x.States {
					if st.Dir == types.SendOnly && in.isTask(st.Chan.Type()) {
						started, queued = append(started, unwrap(st.Send)), true
					}
				}
			}
			for _, v := range started {
				if (isParam(v, p, 0) || isClosureCalling(v, p)) && !mayWaitAfter(p.Parent(), instr) {
					return queued, true
				}
			}
		}
	}
	return false, false
}

// calleeSpawns returns the spawner fact of the function that call
// calls, with Arg an index of call.Args: a known spawner, one with a
// fact, or an unexported method of an interface of the package whose
// every implementation in the package is a spawner of the same
// parameter (ants' worker.inputFunc: no other package can implement
// an unexported method).
func (in *inference) calleeSpawns(call *ssa.CallCommon) (SpawnsFact, bool) {
	if !call.IsInvoke() {
		callee := syncapi.Callee(call)
		if callee == nil {
			return SpawnsFact{}, false
		}
		sp, ok := spawnerArg(callee, nil, in.lookup)
		return sp, ok && sp.Arg < len(call.Args)
	}
	m := call.Method
	iface, ok := call.Value.Type().Underlying().(*types.Interface)
	if !ok || m.Exported() || m.Pkg() != in.pkg {
		return SpawnsFact{}, false
	}
	var found *SpawnsFact
	for _, fn := range in.methods[m.Name()] {
		recv := fn.Signature.Recv().Type()
		if !types.Implements(recv, iface) {
			continue
		}
		obj, ok := fn.Object().(*types.Func)
		if !ok {
			return SpawnsFact{}, false
		}
		sp, ok := in.lookup[obj]
		if !ok || found != nil && *found != sp {
			return SpawnsFact{}, false
		}
		found = &sp
	}
	// The receiver is the interface value, not among call.Args.
	if found == nil || found.Arg == 0 || found.Arg-1 >= len(call.Args) {
		return SpawnsFact{}, false
	}
	return SpawnsFact{Arg: found.Arg - 1, Queued: found.Queued}, true
}

// isTask reports whether ch is a channel of one of the task types.
func (in *inference) isTask(ch types.Type) bool {
	c, ok := ch.Underlying().(*types.Chan)
	if !ok {
		return false
	}
	for _, t := range in.tasks {
		if types.Identical(c.Elem(), t) {
			return true
		}
	}
	return false
}

// taskTypes returns the function types that a goroutine of the package
// receives from a channel and calls (or starts, or hands to a spawner):
// the worker loops of a pool, for fn := range w.task { fn() }. The
// goroutine is a function the package starts with a go statement or a
// spawner, or a function of the package that it calls, two calls deep.
// A loop that runs in the caller's goroutine is no worker: a function
// that sends to it only queues the task for the caller's own later
// call.
func taskTypes(funcs []*ssa.Function, pkg *types.Package, lookup Lookup) []types.Type {
	var started []*ssa.Function
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch x := instr.(type) {
				case *ssa.Go:
					if g := x.Call.StaticCallee(); g != nil {
						started = append(started, boundMethod(g))
					}
				case *ssa.Call:
					callee := syncapi.Callee(&x.Call)
					if callee == nil || x.Call.IsInvoke() {
						continue
					}
					if sp, ok := spawnerArg(callee, nil, lookup); ok && sp.Arg < len(x.Call.Args) {
						switch f := unwrap(x.Call.Args[sp.Arg]).(type) {
						case *ssa.Function:
							started = append(started, f)
						case *ssa.MakeClosure:
							started = append(started, boundMethod(f.Fn.(*ssa.Function)))
						}
					}
				}
			}
		}
	}
	var out []types.Type
	seen := make(map[*ssa.Function]bool)
	var visit func(fn *ssa.Function, depth int)
	visit = func(fn *ssa.Function, depth int) {
		if seen[fn] || fn.Package() == nil || fn.Package().Pkg != pkg {
			return
		}
		seen[fn] = true
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(ssa.CallInstruction)
				if !ok || call.Common().IsInvoke() {
					continue
				}
				switch callee := call.Common().Value.(type) {
				case *ssa.Function:
					if depth < 2 {
						visit(callee, depth+1)
					}
					continue
				case *ssa.MakeClosure, *ssa.Builtin:
					continue
				}
				if t, ok := receivedFrom(call.Common().Value, 0); ok && !hasType(out, t) {
					out = append(out, t)
				}
			}
		}
		for _, anon := range fn.AnonFuncs {
			visit(anon, depth)
		}
	}
	for _, fn := range started {
		visit(fn, 0)
	}
	return out
}

// boundMethod returns the method that fn, the wrapper of a method
// value (p.worker), calls, or fn itself.
func boundMethod(fn *ssa.Function) *ssa.Function {
	if fn.Synthetic == "" || len(fn.FreeVars) != 1 {
		return fn
	}
	if obj, ok := fn.Object().(*types.Func); ok {
		if m := fn.Prog.FuncValue(obj); m != nil {
			return m
		}
	}
	return fn
}

func hasType(ts []types.Type, t types.Type) bool {
	for _, x := range ts {
		if types.Identical(x, t) {
			return true
		}
	}
	return false
}

// receivedFrom returns the element type of the channel that v, a
// function value, was received from: task := <-ch, for task := range
// ch, a select case, or a phi of them (for task != nil { task(); task
// = <-queue }).
func receivedFrom(v ssa.Value, depth int) (types.Type, bool) {
	if depth > 6 {
		return nil, false
	}
	switch x := v.(type) {
	case *ssa.UnOp:
		if x.Op == token.ARROW && !x.CommaOk {
			return chanElem(x.X.Type())
		}
	case *ssa.Extract:
		switch t := x.Tuple.(type) {
		case *ssa.UnOp:
			if t.Op == token.ARROW && x.Index == 0 {
				return chanElem(t.X.Type())
			}
		case *ssa.Select:
			// #0 is the case index, #1 recvOk, then the values of the
			// receive cases in order.
			k := x.Index - 2
			for _, st := range t.States {
				if st.Dir != types.RecvOnly {
					continue
				}
				if k == 0 {
					return chanElem(st.Chan.Type())
				}
				k--
			}
		}
	case *ssa.ChangeType:
		return receivedFrom(x.X, depth+1)
	case *ssa.Phi:
		for _, e := range x.Edges {
			if t, ok := receivedFrom(e, depth+1); ok {
				return t, true
			}
		}
	}
	return nil, false
}

// chanElem returns the element type of a channel of functions.
func chanElem(t types.Type) (types.Type, bool) {
	c, ok := t.Underlying().(*types.Chan)
	if !ok {
		return nil, false
	}
	if _, ok := c.Elem().Underlying().(*types.Signature); !ok {
		return nil, false
	}
	return c.Elem(), true
}

// isClosureCalling reports whether v is a closure that calls p.
func isClosureCalling(v ssa.Value, p *ssa.Parameter) bool {
	mc, ok := v.(*ssa.MakeClosure)
	return ok && callsParam(mc, p)
}

// mayWaitAfter reports whether fn may wait for the goroutine that the
// instruction start (in fn or in a closure of it) starts, before fn
// returns: a receive, a Wait, or a call of a function that is not
// known to wait for nothing may follow it. (*testing.B).RunParallel
// starts its body in goroutines and waits for them with wg.Wait: it
// is no spawner for the caller, whose accesses after the call are
// ordered (grpc's BenchmarkStoreContentionWithMutex).
func mayWaitAfter(fn *ssa.Function, start ssa.Instruction) bool {
	var reach flow.Reach
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if start.Parent() == fn && !reach.MayPrecede(start, instr) {
				continue
			}
			for _, op := range syncapi.SyncOpsOf(instr) {
				switch op.Class {
				case syncapi.ChanRecv, syncapi.GroupWait, syncapi.CondWait, syncapi.WaitAll:
					return true
				}
			}
			call, ok := instr.(ssa.CallInstruction)
			if !ok || instr == start {
				continue
			}
			if _, isGo := instr.(*ssa.Go); isGo {
				continue
			}
			if _, builtin := call.Common().Value.(*ssa.Builtin); builtin {
				continue
			}
			if lc, ok := syncapi.LockCallOf(call.Common()); ok && lc.Effect != syncapi.NoLockEffect {
				continue
			}
			return true // an unknown callee may wait
		}
	}
	return false
}

// callsParam reports whether the closure mc calls the parameter p of
// the function that makes it.
func callsParam(mc *ssa.MakeClosure, p *ssa.Parameter) bool {
	fn, ok := mc.Fn.(*ssa.Function)
	if !ok {
		return false
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if call, ok := instr.(*ssa.Call); ok && isParam(call.Call.Value, p, 0) {
				return true
			}
		}
	}
	return false
}

// isParam reports whether v is the value of the parameter p: p itself,
// a load of a variable that only p is stored to (a parameter that a
// closure captures), or a free variable bound to either.
func isParam(v ssa.Value, p *ssa.Parameter, depth int) bool {
	if depth > 4 {
		return false
	}
	switch x := v.(type) {
	case *ssa.Parameter:
		return x == p
	case *ssa.UnOp:
		return isParamVar(x.X, p, depth+1)
	case *ssa.FreeVar:
		return isParam(binding(x), p, depth+1)
	}
	return false
}

// isParamVar reports whether addr is a variable that holds only p.
func isParamVar(addr ssa.Value, p *ssa.Parameter, depth int) bool {
	if fv, ok := addr.(*ssa.FreeVar); ok {
		addr = binding(fv)
	}
	a, ok := addr.(*ssa.Alloc)
	if !ok || a.Referrers() == nil {
		return false
	}
	stored := false
	for _, ref := range *a.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Addr == a {
			if st.Val != p {
				return false
			}
			stored = true
		}
	}
	return stored
}

// binding returns the value the closure that has fv binds to it, if
// the closure is made once.
func binding(fv *ssa.FreeVar) ssa.Value {
	fn := fv.Parent()
	idx := -1
	for i, x := range fn.FreeVars {
		if x == fv {
			idx = i
		}
	}
	if idx < 0 || fn.Parent() == nil {
		return nil
	}
	var found ssa.Value
	for _, b := range fn.Parent().Blocks {
		for _, instr := range b.Instrs {
			if mc, ok := instr.(*ssa.MakeClosure); ok && mc.Fn == fn && idx < len(mc.Bindings) {
				if found != nil {
					return nil
				}
				found = mc.Bindings[idx]
			}
		}
	}
	return found
}
