package atomicmix

import (
	_ "embed"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/sharedvet/sharedvet/passes/functime"
	"github.com/sharedvet/sharedvet/passes/internal/docs"
	"github.com/sharedvet/sharedvet/passes/internal/flagval"
	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/memloc"
	"github.com/sharedvet/sharedvet/passes/internal/safefunc"
	"github.com/sharedvet/sharedvet/passes/internal/spawn"
	"github.com/sharedvet/sharedvet/passes/internal/srcfuncs"
	"github.com/sharedvet/sharedvet/passes/internal/srcname"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

//go:embed doc.go
var doc string

var Analyzer = &analysis.Analyzer{
	Name:      "atomicmix",
	Doc:       docs.MustExtract(doc, "atomicmix"),
	URL:       "https://github.com/sharedvet/sharedvet#atomicmix",
	Requires:  []*analysis.Analyzer{buildssa.Analyzer, lockset.Analyzer, srcname.Analyzer, spawn.Analyzer},
	Run:       run,
	FactTypes: []analysis.Fact{new(AccessFact), new(EscapeFact), new(LeavesFact)},
}

// disabled holds the exceptions turned off by -atomicmix.disable.
var disabled map[string]bool

func init() {
	var names []string
	for _, e := range exceptions {
		names = append(names, e.name)
	}
	Analyzer.Flags.Var(flagval.NameSet(&disabled, names), "disable",
		"a comma-separated `list` of exceptions to turn off (names as -explain atomicmix lists them), to see what each one clears")
}

func run(pass *analysis.Pass) (any, error) {
	// The package's functions with the closures of its var declarations
	// (var handler = func(...) { hits++ }), which SrcFuncs leaves out:
	// every rule reads this list (fixture declclosure).
	built := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	ssainfo := &buildssa.SSA{Pkg: built.Pkg, SrcFuncs: srcfuncs.Checked(built)}
	locks := pass.ResultOf[lockset.Analyzer].(*lockset.Result)
	c := &checker{
		pass:    pass,
		ssa:     ssainfo,
		locks:   locks,
		bind:    locks.Binding,
		imports: importFacts(pass),
		escapes: make(map[ssa.Value][]ssa.Instruction),
		shared:  make(map[ssa.Value]*sharing),
		sums:    make(map[*ssa.Function]*EscapeFact),
		spawns:  pass.ResultOf[spawn.Analyzer].(spawn.Lookup),
	}
	c.hooks = runtimeHooks(ssainfo.Pkg, ssainfo.SrcFuncs)
	// Summaries first: the scan asks them whether a call shares a
	// fresh value.
	c.summarize(ssainfo.SrcFuncs)
	// One pass over the instructions of each function collects the
	// accesses; pairing them needs all of the package's atomic accesses.
	safefunc.ForEach(pass, ssainfo.SrcFuncs, c.scanFunc)
	c.check()
	c.exportSummaries(ssainfo.SrcFuncs)
	c.exportLeaves(ssainfo.SrcFuncs)
	return nil, nil
}

// A checker holds what the checks of one package share.
type checker struct {
	pass    *analysis.Pass
	ssa     *buildssa.SSA
	locks   *lockset.Result
	bind    memloc.Binder
	index   *syntaxIndex // built on first use: most packages have no findings
	imports imported

	atomics     []*access // in scan order
	plains      []*access
	escapes     map[ssa.Value][]ssa.Instruction                        // memo of escapesOf, once the summaries are done
	shared      map[ssa.Value]*sharing                                 // memo of sharingOf
	sums        map[*ssa.Function]*EscapeFact                          // the summaries of the package's functions
	fields      typeutil.Map                                           // types.Type → []contained, memo of containedFields
	order       *instrOrder                                            // of the function being scanned
	tests       *testScope                                             // built on first use
	hooks       map[*ssa.Function]bool                                 // runtime hooks (rule 3)
	casGuards   map[*ssa.Function][]casGuard                           // memo of casGuardsOf (claim.go)
	callers     map[*ssa.Function][]ssa.CallInstruction                // static calls of each function, built on first use
	funcValues  map[*ssa.Function]bool                                 // functions also used as values, built with callers
	groups      map[*ssa.Global]*groupUses                             // memo of groupUsesOf (rule 18)
	parallel    *bool                                                  // memo of parallelEntries (rule 18)
	encl        map[memloc.Loc]enclosure                               // fields whose atomic accesses all go through unescaped containers
	lockRule    *lockRule                                              // rules 11 and 16, once the accesses are known
	originSets  [2]*originRules                                        // built on first use: [0] without the test files, [1] with them
	latches     map[*ssa.MakeChan]*latch                               // memo of latchOf (rule 17); nil: not a latch
	extents     map[*ssa.Function]*extent                              // memo of extentOf (rule 19)
	convertedIn map[*types.TypeName]*ssa.Function                      // memo of conversionSites (rule 19)
	scc         sccSearch                                              // extentOf's search for cycles
	spawns      spawn.Lookup                                           // the functions that run a function argument in a new goroutine (rule 19)
	waits       map[*ssa.Function]map[groupID]map[ssa.Instruction]bool // memo of waitPoints (rule 19)
	impls       map[implKey][]*ssa.Function                            // memo of implementations (rule 19)
	starters    map[*ssa.Function]bool                                 // functions that may start a goroutine (rule 19), built on first use
	initCallees map[*ssa.Function]bool                                 // memo of calledOnlyUnshared (rule 21)
	invoked     map[string]bool                                        // names of the methods the package calls through interfaces (rule 21), built with callers
}

// An access is an atomic call, or a plain load or store, of a location.
type access struct {
	fn     *ssa.Function
	instr  ssa.Instruction
	pos    token.Pos  // where to report it; invalid for a load of a variable (see placeVarReads)
	addr   ssa.Value  // the address accessed
	loc    memloc.Loc // what addr points to, if known
	hasLoc bool
	owner  *types.TypeName // the declared type of loc's field, for facts
	typ    types.Type      // the type of the value loaded or stored
	atomic bool
	write  bool
	excuse *exception // the exception of stage perAccess that clears a plain access, or nil
	unused bool       // a load whose value is unused: a read only in _ = x (see blankRead)
	held   []lockRef  // the locks held at the access
	op     syncapi.AtomicAccess
}

// A lockRef names a held mutex by the field or package-level variable
// that holds it, which is the same for all goroutines.
type lockRef struct {
	obj    types.Object
	shared bool // a read lock
}

// scanFunc records the atomic and plain accesses of fn, with the locks
// held at each.
func (c *checker) scanFunc(fn *ssa.Function) {
	c.order = &instrOrder{fn: fn}
	visit := func(instr ssa.Instruction, held lockset.Set) {
		switch instr := instr.(type) {
		case ssa.CallInstruction:
			c.scanCall(fn, instr, held)
		case *ssa.UnOp:
			if instr.Op == token.MUL {
				c.scanPlain(fn, instr, instr.X, instr.Type(), false, held)
			}
		case *ssa.Store:
			c.scanPlain(fn, instr, instr.Addr, instr.Val.Type(), true, held)
		}
	}
	if f := c.locks.Func(fn); f != nil {
		f.Walk(visit)
		return
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			visit(instr, nil)
		}
	}
}

// scanCall records a call of a sync/atomic function on a known location.
func (c *checker) scanCall(fn *ssa.Function, call ssa.CallInstruction, held lockset.Set) {
	op, ok := syncapi.AtomicAccessOf(call.Common())
	if !ok {
		return
	}
	loc, ok := memloc.Of(op.Addr, c.bind)
	if !ok {
		return
	}
	a := &access{fn: fn, instr: call, pos: call.Pos(), addr: op.Addr, loc: loc, hasLoc: true,
		owner: ownerOf(op.Addr), typ: pointee(op.Addr.Type()), atomic: true, write: op.Write, op: op}
	switch call := call.(type) {
	case *ssa.Call:
		a.held = lockRefs(held)
	case *ssa.Defer:
		a.held = c.heldByDeferred(fn, call, held)
	}
	c.atomics = append(c.atomics, a)
}

// scanPlain records a load or store of a value that sync/atomic could
// also access (an integer or pointer), or of a struct or array that
// may contain one.
func (c *checker) scanPlain(fn *ssa.Function, instr ssa.Instruction, addr ssa.Value, t types.Type, write bool, held lockset.Set) {
	scalar := atomicType(t) != ""
	if !scalar && !composite(t) {
		return
	}
	loc, hasLoc := memloc.Of(addr, c.bind)
	if !hasLoc && !composite(t) {
		return
	}
	pos := instr.Pos()
	if !pos.IsValid() {
		// A load of x.f or a[i] has no position; its address has.
		switch addr.(type) {
		case *ssa.FieldAddr, *ssa.IndexAddr:
			pos = addr.Pos()
		}
	}
	a := &access{fn: fn, instr: instr, pos: pos, addr: addr, loc: loc, hasLoc: hasLoc,
		owner: ownerOf(addr), typ: t, write: write, held: lockRefs(held)}
	if u, ok := instr.(*ssa.UnOp); ok && len(*u.Referrers()) == 0 {
		a.unused = true
	}
	a.excuse = c.excuse(perAccess, &candidate{a: a})
	c.plains = append(c.plains, a)
}

func ownerOf(addr ssa.Value) *types.TypeName {
	if fa, ok := addr.(*ssa.FieldAddr); ok {
		return memloc.Owner(fa.X.Type())
	}
	return nil
}

func pointee(t types.Type) types.Type {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

// lockRefs returns the held locks that other goroutines can name the
// same way: a mutex in a struct field or a package-level variable.
func lockRefs(held lockset.Set) []lockRef {
	var out []lockRef
	for _, l := range held {
		if l.Field != nil {
			out = append(out, lockRef{l.Field.Origin(), l.Shared})
		} else if g, ok := l.Key.Root.(*ssa.Global); ok && l.Key.Path == "" {
			out = append(out, lockRef{g.Object(), l.Shared})
		}
	}
	return out
}

// heldByDeferred returns the locks that are still held when the
// deferred call d runs: those held at the defer statement whose Unlock
// was deferred earlier, since deferred calls run last-in, first-out
// (the sync.Once pattern, fixture Once.doSlow in atomicmix/basic).
func (c *checker) heldByDeferred(fn *ssa.Function, d *ssa.Defer, held lockset.Set) []lockRef {
	var kept lockset.Set
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			u, ok := instr.(*ssa.Defer)
			if !ok || u.Pos() >= d.Pos() {
				continue
			}
			lc, ok := syncapi.LockCallOf(u.Common())
			if !ok || lc.Effect != syncapi.Release {
				continue
			}
			if l, ok := held.Get(c.locks.KeyOf(lc.Mutex)); ok {
				kept = append(kept, l)
			}
		}
	}
	return lockRefs(kept)
}

// atomicType returns the suffix of the sync/atomic functions that
// operate on t ("Int64", "Pointer"), "Ptr" for other pointers (which
// atomic.LoadPointer reaches through unsafe conversions), or "".
func atomicType(t types.Type) string {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch u.Kind() {
		case types.Int32:
			return "Int32"
		case types.Int64:
			return "Int64"
		case types.Uint32:
			return "Uint32"
		case types.Uint64:
			return "Uint64"
		case types.Uintptr:
			return "Uintptr"
		case types.UnsafePointer:
			return "Pointer"
		}
	case *types.Pointer:
		return "Ptr"
	}
	return ""
}

// composite reports whether t is a struct or array, whose copy reads
// all of its fields or elements.
func composite(t types.Type) bool {
	switch t.Underlying().(type) {
	case *types.Struct, *types.Array:
		return true
	}
	return false
}

// A contained field is a field that a copy of a struct or array reads.
type contained struct {
	field *types.Var
	owner *types.TypeName
	path  string // selectors from the copied value, ".stats.requests"
}

// containedFields returns the fields of integer, pointer or array
// type that a value of type t holds, through nested structs and arrays.
func (c *checker) containedFields(t types.Type) []contained {
	if v := c.fields.At(t); v != nil {
		return v.([]contained)
	}
	var out []contained
	c.collectFields(t, "", &out, 0)
	c.fields.Set(t, out)
	return out
}

func (c *checker) collectFields(t types.Type, path string, out *[]contained, depth int) {
	if depth > 6 {
		return
	}
	switch u := t.Underlying().(type) {
	case *types.Array:
		if composite(u.Elem()) {
			c.collectFields(u.Elem(), path+"[i]", out, depth+1)
		}
	case *types.Struct:
		owner := memloc.Owner(t)
		for i := 0; i < u.NumFields(); i++ {
			f := u.Field(i)
			p := path + "." + f.Name()
			if atomicType(f.Type()) != "" || isArrayOfScalars(f.Type()) {
				*out = append(*out, contained{f.Origin(), owner, p})
			} else if composite(f.Type()) {
				c.collectFields(f.Type(), p, out, depth+1)
			}
		}
	}
}

func isArrayOfScalars(t types.Type) bool {
	a, ok := t.Underlying().(*types.Array)
	return ok && atomicType(a.Elem()) != ""
}

// exprAt returns the source expression of a plain access, or nil.
func (c *checker) exprAt(t touch) ast.Expr {
	if !t.pos.IsValid() {
		return nil
	}
	return c.syntax().expr(t.pos)
}

// syntax returns the package's syntax index, building it on first use.
func (c *checker) syntax() *syntaxIndex {
	if c.index == nil {
		functime.PackageWork(func() {
			c.index = newSyntaxIndex(c.pass, c.pass.ResultOf[srcname.Analyzer].(*srcname.Index).Inspector())
		})
	}
	return c.index
}
