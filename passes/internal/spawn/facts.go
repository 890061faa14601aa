package spawn

import (
	"fmt"
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
// wait for.
type SpawnsFact struct{ Arg int }

func (*SpawnsFact) AFact() {}

func (f *SpawnsFact) String() string { return fmt.Sprintf("spawns(%d)", f.Arg) }

// A Lookup returns the parameter of callee, a function of the package
// or one it imports, that callee runs in a new goroutine.
type Lookup map[*types.Func]int

// maxRounds bounds the rounds over the package's functions: a helper
// that hands its argument to another helper of the package is found
// in the round after that one.
const maxRounds = 3

func run(pass *analysis.Pass) (any, error) {
	funcs := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA).SrcFuncs
	lookup := make(Lookup)
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
			if arg, ok := spawnedParam(fn, lookup); ok {
				lookup[obj] = arg
				pass.ExportObjectFact(obj, &SpawnsFact{Arg: arg})
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	// The callees of other packages, with their facts.
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
					lookup[callee] = f.Arg
				}
			}
		}
	}
	return lookup, nil
}

// spawnedParam returns the index of a parameter of fn, a function, that
// fn runs in a new goroutine: go f(), go func() { f() }(), or f handed
// to a spawner.
func spawnedParam(fn *ssa.Function, lookup Lookup) (int, bool) {
	for i, p := range fn.Params {
		if _, ok := p.Type().Underlying().(*types.Signature); !ok {
			continue
		}
		for _, f := range append([]*ssa.Function{fn}, fn.AnonFuncs...) {
			if startsParam(f, p, lookup) {
				return i, true
			}
		}
	}
	return 0, false
}

// startsParam reports whether f, fn or a closure in it, starts the
// parameter p in a new goroutine.
func startsParam(f *ssa.Function, p *ssa.Parameter, lookup Lookup) bool {
	for _, b := range f.Blocks {
		for _, instr := range b.Instrs {
			var started ssa.Value
			switch x := instr.(type) {
			case *ssa.Go:
				started = x.Call.Value
			case *ssa.Call:
				if callee := syncapi.Callee(&x.Call); callee != nil && !x.Call.IsInvoke() {
					if arg, ok := spawnerArg(callee, nil, lookup); ok && arg < len(x.Call.Args) {
						started = unwrap(x.Call.Args[arg])
					}
				}
			}
			if started == nil {
				continue
			}
			if (isParam(started, p, 0) || isClosureCalling(started, p)) && !mayWaitAfter(p.Parent(), instr) {
				return true
			}
		}
	}
	return false
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
