// Package lockset defines an analyzer that computes, for every source
// function of a package, the locks held on every path to each of its
// instructions. It reports nothing; lockchan, atomicmix and gocapture
// require it, so the dataflow runs once per package.
package lockset

import (
	"go/token"
	"go/types"
	"reflect"
	"strconv"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/safefunc"
	"github.com/sharedvet/sharedvet/passes/internal/srcfuncs"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

var Analyzer = &analysis.Analyzer{
	Name:             "lockset",
	Doc:              "compute the locks held at each instruction of each function",
	Requires:         []*analysis.Analyzer{buildssa.Analyzer},
	Run:              run,
	ResultType:       reflect.TypeOf((*Result)(nil)),
	RunDespiteErrors: false,
}

// A Result holds the lock sets of a package's source functions.
type Result struct {
	funcs    map[*ssa.Function]*Func
	bindings map[*ssa.FreeVar]ssa.Value
}

// Func returns the lock sets of fn, or nil if fn is not a source
// function of the package or holds no lock anywhere.
func (r *Result) Func(fn *ssa.Function) *Func { return r.funcs[fn] }

// KeyOf returns the identity of the mutex that v points to, resolving
// the free variables of closures to the variables they capture.
func (r *Result) KeyOf(v ssa.Value) Key { return keyOf(v, r.bindings, 0) }

// Binding returns the value captured for fv by the closure that binds
// it, or nil if the package makes no closure of fv's function or more
// than one.
func (r *Result) Binding(fv *ssa.FreeVar) ssa.Value { return r.bindings[fv] }

func run(pass *analysis.Pass) (any, error) {
	ssainfo := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	funcs := srcfuncs.Checked(ssainfo) // with the closures of var declarations
	res := &Result{
		funcs:    make(map[*ssa.Function]*Func),
		bindings: closureBindings(funcs),
	}
	// funcs lists a function before its anonymous functions, so the
	// parent of a range-over-func loop body is solved before the body.
	safefunc.ForEach(pass, funcs, func(fn *ssa.Function) {
		if f := solve(fn, res.bindings, res.yieldEntry(fn)); f != nil {
			res.funcs[fn] = f
		}
	})
	return res, nil
}

// yieldSynthetic is go/ssa's Synthetic for the body of a
// range-over-func loop, which it builds as a closure (a yield
// function) passed to the iterator.
const yieldSynthetic = "range-over-func yield"

// IsYieldBody reports whether fn is the body of a range-over-func loop.
func IsYieldBody(fn *ssa.Function) bool { return fn.Synthetic == yieldSynthetic }

// YieldCall returns the closure of body, the body of a range-over-func
// loop, that its parent makes, and the call of the iterator it is
// passed to, where the body runs; or nils.
func YieldCall(body *ssa.Function) (*ssa.MakeClosure, *ssa.Call) {
	if !IsYieldBody(body) || body.Parent() == nil {
		return nil, nil
	}
	for _, b := range body.Parent().Blocks {
		for _, instr := range b.Instrs {
			mc, ok := instr.(*ssa.MakeClosure)
			if !ok || mc.Fn != body {
				continue
			}
			for _, ref := range *mc.Referrers() {
				if call, ok := ref.(*ssa.Call); ok {
					return mc, call
				}
			}
		}
	}
	return nil, nil
}

// yieldEntry returns the locks held in the body of a range-over-func
// loop when it starts: those its parent holds where it passes the body
// to the iterator, which calls it in the same goroutine. For other
// functions it returns nil.
func (r *Result) yieldEntry(fn *ssa.Function) Set {
	parent := r.funcs[fn.Parent()]
	if !IsYieldBody(fn) || parent == nil {
		return nil
	}
	if _, call := YieldCall(fn); call != nil {
		return parent.HeldAt(call)
	}
	return nil
}

// closureBindings maps each free variable of the package's closures to
// the value its MakeClosure binds, when exactly one MakeClosure binds it.
func closureBindings(funcs []*ssa.Function) map[*ssa.FreeVar]ssa.Value {
	m := make(map[*ssa.FreeVar]ssa.Value)
	ambiguous := make(map[*ssa.FreeVar]bool)
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				mc, ok := instr.(*ssa.MakeClosure)
				if !ok {
					continue
				}
				callee := mc.Fn.(*ssa.Function)
				for i, fv := range callee.FreeVars {
					if i >= len(mc.Bindings) {
						break
					}
					if _, dup := m[fv]; dup {
						ambiguous[fv] = true
					}
					m[fv] = mc.Bindings[i]
				}
			}
		}
	}
	for fv := range ambiguous {
		delete(m, fv)
	}
	return m
}

// A Key identifies a mutex: the variable it is reached from, and the
// fields and dereferences that lead from there to it. Two lock calls
// with equal Keys lock the same mutex, as far as static analysis of
// the enclosing function can tell.
type Key struct {
	Root ssa.Value // a Parameter, Global, Alloc, unbound FreeVar, or other value
	Path string    // selectors from Root, such as ".mu" or ".inner*.mu"
}

// maxKeyDepth bounds selector chains; deeper chains get the value itself as root.
const maxKeyDepth = 12

func keyOf(v ssa.Value, bindings map[*ssa.FreeVar]ssa.Value, depth int) Key {
	if depth < maxKeyDepth {
		switch x := v.(type) {
		case *ssa.FieldAddr:
			k := keyOf(x.X, bindings, depth+1)
			k.Path += "." + strconv.Itoa(x.Field)
			return k
		case *ssa.Field:
			k := keyOf(x.X, bindings, depth+1)
			k.Path += "." + strconv.Itoa(x.Field)
			return k
		case *ssa.UnOp:
			if x.Op == token.MUL {
				k := keyOf(x.X, bindings, depth+1)
				k.Path += "*"
				return k
			}
		case *ssa.IndexAddr:
			// conns[0].mu.Lock() … conns[0].mu.Unlock(): each
			// evaluation is a new value, but a constant index names
			// the same element (nats-server's gateway tests), and so
			// does one SSA value used twice (s[i].mu, with i unchanged).
			k := keyOf(x.X, bindings, depth+1)
			k.Path += "[" + indexKey(x.Index) + "]"
			return k
		case *ssa.Index:
			k := keyOf(x.X, bindings, depth+1)
			k.Path += "[" + indexKey(x.Index) + "]"
			return k
		case *ssa.Lookup:
			// m[k].mu.Lock() … m[k].mu.Unlock() with a map of pointers.
			if !x.CommaOk {
				k := keyOf(x.X, bindings, depth+1)
				k.Path += "[" + indexKey(x.Index) + "]"
				return k
			}
		case *ssa.MakeInterface:
			return keyOf(x.X, bindings, depth+1)
		case *ssa.TypeAssert:
			// i.(*client).mu.Lock() … i.(*client).mu.Unlock(): each
			// assertion is a new value, but of the same interface value
			// to the same type (paho's tests).
			if !x.CommaOk {
				k := keyOf(x.X, bindings, depth+1)
				k.Path += ".(" + x.AssertedType.String() + ")"
				return k
			}
		case *ssa.ChangeType:
			return keyOf(x.X, bindings, depth+1)
		case *ssa.ChangeInterface:
			return keyOf(x.X, bindings, depth+1)
		case *ssa.FreeVar:
			if b, ok := bindings[x]; ok {
				return keyOf(b, bindings, depth+1)
			}
		}
	}
	return Key{Root: v}
}

// indexKey names an index in a Key: a constant by its value, anything
// else by its SSA value, which two evaluations share when the variable
// did not change between them.
func indexKey(v ssa.Value) string {
	if c, ok := v.(*ssa.Const); ok && c.Value != nil {
		return c.Value.ExactString()
	}
	return "%" + v.Name()
}

// A Lock is a mutex held at some point, and where it was acquired.
type Lock struct {
	Key    Key
	Mutex  ssa.Value  // the receiver of the Lock call, for naming it
	Pos    token.Pos  // the Lock call
	Shared bool       // held by RLock
	Field  *types.Var // the struct field that holds the mutex, if any
}

// A Set is the set of locks held on every path to a point, in the
// order they were acquired. Sets are small; they are never mutated in
// place once shared.
type Set []Lock

// Has reports whether s holds the mutex k.
func (s Set) Has(k Key) bool { return s.index(k) >= 0 }

// Get returns the lock of s on the mutex k.
func (s Set) Get(k Key) (Lock, bool) {
	if i := s.index(k); i >= 0 {
		return s[i], true
	}
	return Lock{}, false
}

func (s Set) index(k Key) int {
	for i, l := range s {
		if l.Key == k {
			return i
		}
	}
	return -1
}

func (s Set) with(l Lock) Set {
	if s.Has(l.Key) {
		return s // recursive locking deadlocks anyway; keep the first
	}
	out := make(Set, len(s), len(s)+1)
	copy(out, s)
	return append(out, l)
}

// Without returns s less the mutex k. It does not modify s.
func (s Set) Without(k Key) Set {
	i := s.index(k)
	if i < 0 {
		return s
	}
	out := make(Set, 0, len(s)-1)
	out = append(out, s[:i]...)
	return append(out, s[i+1:]...)
}

// Intersect returns the locks of s that t also holds: the join of two
// paths' sets. It does not modify s.
func (s Set) Intersect(t Set) Set {
	var out Set
	for _, l := range s {
		if t.Has(l.Key) {
			out = append(out, l)
		}
	}
	if len(out) == len(s) {
		return s
	}
	return out
}

// Equal reports whether s and t hold the same mutexes.
func (s Set) Equal(t Set) bool {
	if len(s) != len(t) {
		return false
	}
	for _, l := range s {
		if !t.Has(l.Key) {
			return false
		}
	}
	return true
}

// A Func holds the lock sets of one function.
type Func struct {
	fn       *ssa.Function
	bindings map[*ssa.FreeVar]ssa.Value
	entry    []Set  // the set at the entry of each block, by block index
	reached  []bool // whether the dataflow reached each block

	// Releases lists the unlocks of mutexes that the function did not
	// lock on every path before them: it releases a lock its caller
	// holds (the sync.Cond pattern), or its locking is path-dependent.
	Releases []ssa.Instruction
}

// Walk calls visit for each instruction of each reachable block, in
// block order, with the locks held just before the instruction.
func (f *Func) Walk(visit func(instr ssa.Instruction, held Set)) {
	for _, b := range f.fn.Blocks {
		if !f.reached[b.Index] {
			continue
		}
		held := f.entry[b.Index]
		for _, instr := range b.Instrs {
			visit(instr, held)
			held, _ = transfer(instr, held, f.bindings)
		}
	}
}

// HeldAt returns the locks held just before instr.
func (f *Func) HeldAt(instr ssa.Instruction) Set {
	b := instr.Block()
	if f == nil || b == nil || !f.reached[b.Index] {
		return nil
	}
	held := f.entry[b.Index]
	for _, x := range b.Instrs {
		if x == instr {
			return held
		}
		held, _ = transfer(x, held, f.bindings)
	}
	return nil
}

// maxVisits caps the dataflow: each block is processed at most this
// many times, so that branchy code cannot make the analysis explode.
// Sets only shrink, so the bound is rarely reached.
const maxVisits = 16

// solve computes the lock sets of fn by a forward must-dataflow to a
// fixpoint (join = intersection). It returns nil if fn makes no lock
// call, which is the common case and costs one scan.
func solve(fn *ssa.Function, bindings map[*ssa.FreeVar]ssa.Value, entry Set) *Func {
	if len(fn.Blocks) == 0 || len(entry) == 0 && !hasLockCall(fn) {
		return nil
	}
	f := &Func{
		fn:       fn,
		bindings: bindings,
		entry:    make([]Set, len(fn.Blocks)),
		reached:  make([]bool, len(fn.Blocks)),
	}
	visits := make([]int, len(fn.Blocks))
	queued := make([]bool, len(fn.Blocks))
	var work []*ssa.BasicBlock
	push := func(b *ssa.BasicBlock) {
		if !queued[b.Index] && visits[b.Index] < maxVisits {
			queued[b.Index] = true
			work = append(work, b)
		}
	}
	// The entry starts with the locks held around a loop body's
	// iterator call (none for other functions); the recover block
	// (reached by a panic, after the deferred calls ran) with none.
	f.reached[0] = true
	f.entry[0] = entry
	push(fn.Blocks[0])
	if fn.Recover != nil {
		f.reached[fn.Recover.Index] = true
		push(fn.Recover)
	}
	for len(work) > 0 {
		b := work[0]
		work = work[1:]
		queued[b.Index] = false
		visits[b.Index]++
		held := f.entry[b.Index]
		for _, instr := range b.Instrs {
			held, _ = transfer(instr, held, bindings)
		}
		for _, s := range b.Succs {
			switch {
			case !f.reached[s.Index]:
				f.reached[s.Index] = true
				f.entry[s.Index] = held
				push(s)
			default:
				if next := f.entry[s.Index].Intersect(held); !next.Equal(f.entry[s.Index]) {
					f.entry[s.Index] = next
					push(s)
				}
			}
		}
	}
	f.Walk(func(instr ssa.Instruction, held Set) {
		if _, unbalanced := transfer(instr, held, bindings); unbalanced {
			f.Releases = append(f.Releases, instr)
		}
	})
	return f
}

// hasLockCall reports whether fn calls a locking method anywhere.
func hasLockCall(fn *ssa.Function) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if c, ok := instr.(*ssa.Call); ok {
				if _, ok := syncapi.LockCallOf(c.Common()); ok {
					return true
				}
			}
		}
	}
	return false
}

// transfer applies instr to the set held before it. Only direct calls
// count: a deferred Unlock runs at the function's end, and a lock
// taken in a goroutine is not held by its starter. It also reports
// whether instr releases a lock that is not in held.
func transfer(instr ssa.Instruction, held Set, bindings map[*ssa.FreeVar]ssa.Value) (Set, bool) {
	call, ok := instr.(*ssa.Call)
	if !ok {
		return held, false
	}
	lc, ok := syncapi.LockCallOf(call.Common())
	if !ok {
		return held, false
	}
	k := keyOf(lc.Mutex, bindings, 0)
	switch lc.Effect {
	case syncapi.Acquire:
		return held.with(Lock{Key: k, Mutex: lc.Mutex, Pos: call.Pos(), Shared: lc.Shared, Field: FieldOf(lc.Mutex)}), false
	case syncapi.Release:
		if !held.Has(k) {
			return held, true
		}
		return held.Without(k), false
	}
	return held, false
}

// FieldOf returns the struct field that holds the mutex v points to,
// looking through interface conversions: the mutex field itself (&c.mu)
// or a field holding a pointer to it (c.mu of type *sync.RWMutex, as
// nats-server's OCSP cache has); or nil.
func FieldOf(v ssa.Value) *types.Var {
	for range maxKeyDepth {
		switch x := v.(type) {
		case *ssa.MakeInterface:
			v = x.X
		case *ssa.ChangeType:
			v = x.X
		case *ssa.UnOp:
			if x.Op != token.MUL {
				return nil
			}
			return syncapi.FieldOf(x.X)
		default:
			return syncapi.FieldOf(v)
		}
	}
	return nil
}
