package atomicmix

import (
	_ "embed"
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/sharedvet/sharedvet/passes/functime"
	"github.com/sharedvet/sharedvet/passes/internal/docs"
	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/memloc"
	"github.com/sharedvet/sharedvet/passes/internal/safefunc"
	"github.com/sharedvet/sharedvet/passes/internal/srcname"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

//go:embed doc.go
var doc string

var Analyzer = &analysis.Analyzer{
	Name:      "atomicmix",
	Doc:       docs.MustExtract(doc, "atomicmix"),
	URL:       "https://github.com/sharedvet/sharedvet#atomicmix",
	Requires:  []*analysis.Analyzer{buildssa.Analyzer, lockset.Analyzer, inspect.Analyzer, srcname.Analyzer},
	Run:       run,
	FactTypes: []analysis.Fact{new(AccessFact), new(EscapeFact)},
}

func run(pass *analysis.Pass) (any, error) {
	ssainfo := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
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

	atomics    []*access // in scan order
	plains     []*access
	escapes    map[ssa.Value][]ssa.Instruction         // memo of escapesOf, once the summaries are done
	shared     map[ssa.Value]*sharing                  // memo of sharingOf
	sums       map[*ssa.Function]*EscapeFact           // the summaries of the package's functions
	fields     typeutil.Map                            // types.Type → []contained, memo of containedFields
	order      *instrOrder                             // of the function being scanned
	tests      *testScope                              // built on first use
	hooks      map[*ssa.Function]bool                  // runtime hooks, whose plain accesses are not recorded
	casGuards  map[*ssa.Function][]casGuard            // memo of casGuardsOf (claim.go)
	callers    map[*ssa.Function][]ssa.CallInstruction // static calls of each function, built on first use
	encl       map[memloc.Loc]enclosure                // fields whose atomic accesses all go through unescaped containers
	touched    []touch                                 // the plain accesses judged, for guardedByCallers
	callerHeld map[*ssa.Function]lockMap               // locks held at every call of a function, built on first use (guard.go)
	guardsAll  map[memloc.Loc]*guard                   // guards counting the locks callers hold, built with callerHeld
	originSets [2]*originRules                         // built on first use: [0] without the test files, [1] with them
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
	init   bool      // a plain access of a value not yet shared
	held   []lockRef // the locks held at the access
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
			// A load whose value is unused reads nothing: go/ssa emits
			// one for range over an array with a constant length,
			// which Go does not evaluate (fixture badSum).
			if instr.Op == token.MUL && len(*instr.Referrers()) > 0 {
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
	if (!scalar && !composite(t)) || c.hooks[fn] {
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
	c.plains = append(c.plains, &access{fn: fn, instr: instr, pos: pos, addr: addr, loc: loc, hasLoc: hasLoc,
		owner: ownerOf(addr), typ: t, write: write, held: lockRefs(held),
		init: (write && initMethodWrite(fn, addr)) || c.claimedSlot(instr, addr) || c.unshared(fn, instr, addr)})
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
// (the sync.Once pattern, fixture okOnceSlow).
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

// unshared reports whether addr points into a variable or composite
// literal that fn allocated and has not yet shared when instr runs:
// initialization before publication (fixture okConstructor).
func (c *checker) unshared(fn *ssa.Function, instr ssa.Instruction, addr ssa.Value) bool {
	alloc := c.rootAlloc(addr, nil)
	var esc []ssa.Instruction
	if alloc == nil {
		// s := &T{}, with s captured by a closure: the pointer is read
		// back from s's heap cell at each use.
		alloc, esc = c.cellValue(rootOf(addr, nil))
	} else {
		esc = c.escapesOfMemo(alloc)
	}
	if alloc == nil || alloc.Parent() != fn {
		return false
	}
	for _, e := range esc {
		// A path through the Alloc again reaches a new variable: the
		// variable of a loop body is fresh in each iteration
		// (fixture okLoopInit).
		if c.order.mayPrecede(e, instr) && c.order.reaches(e, instr, alloc) {
			return false
		}
	}
	return true
}

// escapesOf returns the instructions that share alloc, or a pointer
// into it, with code beyond its function: they store, pass, return,
// capture or convert it. Loads from it and stores into it do not, nor
// do calls that pass it to parameters that do not escape (see
// passesNoEscape). For a parameter, the uses that keepsPointer allows
// (sync/atomic calls, methods of sync) do not share it either.
func (c *checker) escapesOfMemo(alloc ssa.Value) []ssa.Instruction {
	esc, ok := c.escapes[alloc]
	if !ok {
		esc = c.escapesOf(alloc)
		c.escapes[alloc] = esc
	}
	return esc
}

// cellValue returns the fresh value that v was loaded from a local
// variable's cell, when the variable is assigned only that value, and
// the instructions that share the value: those that share it or any
// load of it, and the closures that capture the variable, which may
// read it (fixture okCapturedInit). Otherwise it returns nil.
func (c *checker) cellValue(v ssa.Value) (freshValue, []ssa.Instruction) {
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil, nil
	}
	cell, ok := load.X.(*ssa.Alloc)
	if !ok || cell.Comment == "" {
		return nil, nil
	}
	var val freshValue
	var esc []ssa.Instruction
	for _, r := range *cell.Referrers() {
		switch r := r.(type) {
		case *ssa.Store:
			if r.Addr != cell || val != nil {
				return nil, nil
			}
			switch x := r.Val.(type) {
			case *ssa.Alloc:
				val = x
			case *ssa.Call:
				if !c.isFresh(x) {
					return nil, nil
				}
				val = x
			default:
				return nil, nil
			}
		case *ssa.UnOp:
			if r.Op != token.MUL {
				return nil, nil
			}
			esc = append(esc, c.escapesOfMemo(r)...)
		case *ssa.MakeClosure:
			esc = append(esc, r)
		case *ssa.DebugRef:
		default:
			return nil, nil
		}
	}
	if val == nil {
		return nil, nil
	}
	for _, e := range c.escapesOfMemo(val) {
		if st, ok := e.(*ssa.Store); !ok || st.Addr != cell {
			esc = append(esc, e) // not the assignment to the variable itself
		}
	}
	return val, esc
}

func (c *checker) escapesOf(alloc ssa.Value) []ssa.Instruction {
	_, isParam := alloc.(*ssa.Parameter)
	var out []ssa.Instruction
	var visit func(v ssa.Value, depth int)
	visit = func(v ssa.Value, depth int) {
		refs := v.Referrers()
		if refs == nil {
			return
		}
		for _, r := range *refs {
			switch r := r.(type) {
			case *ssa.FieldAddr:
				if depth < 8 {
					visit(r, depth+1)
				}
			case *ssa.IndexAddr:
				if depth < 8 {
					visit(r, depth+1)
				}
			case *ssa.Convert, *ssa.ChangeType:
				if depth < 8 && isPointerLike(r.(ssa.Value).Type()) {
					visit(r.(ssa.Value), depth+1)
				} else {
					out = append(out, r)
				}
			case *ssa.Store:
				if r.Val == v {
					out = append(out, r)
				}
			case *ssa.UnOp, *ssa.DebugRef:
				// A load or its source position.
			case ssa.CallInstruction:
				if !c.passesNoEscape(r, v) && !(isParam && keepsPointer(r.Common(), v)) {
					out = append(out, r)
				}
			default:
				out = append(out, r)
			}
		}
	}
	visit(alloc, 0)
	return out
}

// isPointerLike reports whether t is a pointer or unsafe.Pointer: a
// conversion to it keeps pointing into the same variable.
func isPointerLike(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Pointer:
		return true
	case *types.Basic:
		return u.Kind() == types.UnsafePointer
	}
	return false
}

// An instrOrder answers whether one instruction of a function may run
// before another.
type instrOrder struct {
	fn    *ssa.Function
	reach flow.Reach
}

// mayPrecede reports whether some execution runs e before i.
func (o *instrOrder) mayPrecede(e, i ssa.Instruction) bool {
	if e.Block() == nil || i.Block() == nil {
		return true
	}
	return o.reach.MayPrecede(e, i)
}

// reaches reports whether some path runs e and then i without running
// kill in between.
func (o *instrOrder) reaches(e, i, kill ssa.Instruction) bool {
	be := e.Block()
	if be == nil || i.Block() == nil {
		return true
	}
	seen := make([]bool, len(o.fn.Blocks))
	var scan func(b *ssa.BasicBlock, from int) bool
	scan = func(b *ssa.BasicBlock, from int) bool {
		for _, x := range b.Instrs[from:] {
			switch x {
			case i:
				return true
			case kill:
				return false
			}
		}
		for _, s := range b.Succs {
			if !seen[s.Index] {
				seen[s.Index] = true
				if scan(s, 0) {
					return true
				}
			}
		}
		return false
	}
	return scan(be, flow.IndexOf(e)+1)
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

// A touch is a plain access to one location: the access itself, or
// one field that a copy of a struct reads or writes.
type touch struct {
	*access
	loc   memloc.Loc
	owner *types.TypeName
	path  string // for a copy, the field's selectors within the copied value
}

// touches expands the plain accesses into the locations they touch,
// keeping only those accessed atomically here or in an imported package.
func (c *checker) touches(atomicLocs map[memloc.Loc]*atomicSummary) []touch {
	var out []touch
	interesting := func(l memloc.Loc, owner *types.TypeName) bool {
		if atomicLocs[l] != nil {
			return true
		}
		_, ok := c.imports.find(locKey(l, owner), true, false)
		return ok
	}
	for _, a := range c.plains {
		if a.init {
			continue
		}
		if a.hasLoc && (atomicType(a.typ) != "" || interesting(a.loc, a.owner)) {
			if !interesting(a.loc, a.owner) && locKey(a.loc, a.owner) == "" {
				continue // neither judged nor exported
			}
			if t := (touch{a, a.loc, a.owner, ""}); !c.ordered(t) {
				out = append(out, t)
			}
			continue
		}
		if !composite(a.typ) {
			continue
		}
		for _, f := range c.containedFields(a.typ) {
			l := memloc.Loc{Var: f.field}
			if t := (touch{a, l, f.owner, f.path}); interesting(l, f.owner) && !c.ordered(t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// An atomicSummary is what the package's atomic accesses of one
// location have in common.
type atomicSummary struct {
	first *access   // the first atomic access
	write *access   // the first atomic write, or nil
	all   []*access // every atomic access, in scan order
}

// check pairs the package's plain and atomic accesses, reports the
// plain ones that race with atomic ones, and exports the package's fact.
func (c *checker) check() {
	facts := make(factBuilder)
	atomicLocs := make(map[memloc.Loc]*atomicSummary)
	c.encl = c.enclosures()
	within := make(map[string]string)
	for _, a := range c.atomics {
		if e := c.encl[a.loc]; e != nil {
			if key := locKey(a.loc, a.owner); key != "" {
				within[key] = strings.Join(e.names(), ",")
			}
		}
		s := atomicLocs[a.loc]
		if s == nil {
			s = &atomicSummary{first: a}
			atomicLocs[a.loc] = s
		}
		if a.write && s.write == nil {
			s.write = a
		}
		s.all = append(s.all, a)
		key := locKey(a.loc, a.owner)
		facts.add(c.pass, key, true, a.write, a)
		c.checkImportedPlain(a, key)
	}
	ts := c.touches(atomicLocs)
	c.touched = ts
	guards := c.guards(ts, nil)
	var found []*finding
	for _, t := range ts {
		if t.path == "" && atomicType(t.typ) != "" && atomicType(t.typ) != "Ptr" {
			facts.add(c.pass, locKey(t.loc, t.owner), false, t.write, t.access)
		}
		if f := c.judge(t, atomicLocs, guards); f != nil {
			found = append(found, f)
		}
	}
	c.report(found)
	facts.export(c.pass, within)
}

// A finding is a plain access that races with an atomic one.
type finding struct {
	touch
	other *access // the atomic access in this package, or nil
	posn  string  // where the atomic access is, for one in another package
}

// judge returns the finding for a plain access, or nil if it is
// harmless: a read of a location that no one writes atomically, or a
// read under a lock that every write holds.
func (c *checker) judge(t touch, atomicLocs map[memloc.Loc]*atomicSummary, guards map[memloc.Loc]*guard) *finding {
	f := c.judgeLoc(t, atomicLocs, guards)
	if f == nil {
		return nil
	}
	var atomics []*access
	if s := atomicLocs[t.loc]; s != nil {
		atomics = s.all
	}
	if c.hiddenInTest(t, atomics) || c.originSafe(t, atomicLocs) || c.outsideEnclosure(t, f) || c.guardedByCallers(t, f) {
		return nil // see testscope.go, origin.go and enclosure.go
	}
	if !t.write && t.path == "" {
		if e := c.syntax().expr(t.pos); e != nil && c.syntax().update(e) != nil {
			return nil // x++ or x += y: reported once, at its store
		}
	}
	return f
}

// judgeLoc returns the finding for a plain access by what else accesses
// its location.
func (c *checker) judgeLoc(t touch, atomicLocs map[memloc.Loc]*atomicSummary, guards map[memloc.Loc]*guard) *finding {
	if s := atomicLocs[t.loc]; s != nil {
		if c.benchmarkOrdered(t, s) || c.mainJoined(t, s.all) {
			return nil
		}
		switch {
		case guards[t.loc].protects(t, t.held):
			return nil
		case t.write:
			return &finding{touch: t, other: s.first}
		case s.write != nil:
			return &finding{touch: t, other: s.write}
		}
	}
	// Another package accesses the location atomically; its writes
	// are unknown here, so no lock can be shown to guard them.
	if a, ok := c.imports.find(locKey(t.loc, t.owner), true, !t.write); ok {
		return &finding{touch: t, posn: a.Posn}
	}
	return nil
}

// checkImportedPlain reports an atomic access of a location that an
// imported package accesses plainly: a write against any plain access,
// a read against a plain write.
func (c *checker) checkImportedPlain(a *access, key string) {
	if key == "" || c.encl[a.loc] != nil {
		return // no other package reaches an enclosed field (enclosure.go)
	}
	p, ok := c.imports.find(key, false, !a.write)
	if !ok {
		return
	}
	c.reportImported(a, p)
}

// sortFindings orders findings by position, for deterministic output.
func sortFindings(fs []*finding) {
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].pos < fs[j].pos })
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
			c.index = newSyntaxIndex(c.pass, c.pass.ResultOf[inspect.Analyzer].(*inspector.Inspector))
		})
	}
	return c.index
}
