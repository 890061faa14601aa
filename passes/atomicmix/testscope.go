package atomicmix

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/spawn"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// Rule 13 (testscope). Tests read the counters of the code under test after calling it:
// "was Inc called twice" is s.n == 2 right after the calls. When the
// test starts no goroutine that reaches the counter, the reads are
// ordered after the atomic updates by the calls themselves, or by
// synchronization inside the code under test that no static rule can
// see (a transport that hands a connection to its request, a store
// used by one goroutine). Reporting them is noise: on std and the
// corpus, 47 of the 50 findings in _test.go files were such reads
// (docs/findings.md), and every test suite that has such a race also
// has the race detector, which sees the goroutines the test does not.
//
// So in a _test.go file a plain access of a field or of a local
// variable is reported only when the test shows the concurrency: the
// access runs in a goroutine that code of the package starts, or an
// atomic access of the location runs in a goroutine that the test
// function starts itself or through the package's functions it calls
// (fixtures in atomicmix/testscope). Package-level variables are
// judged as anywhere else: every test and every goroutine that outlives
// its test reaches them (fixture BenchmarkCountedSerial).

// A testScope answers, for the functions of one package, which of them
// may run in a goroutine that the package's code starts.
type testScope struct {
	pkg      *ssa.Package
	inGo     map[*ssa.Function]bool                   // reached from any goroutine the package starts
	startsBy map[*ssa.Function]map[*ssa.Function]bool // memo of goroutinesOf, by top-level function
}

// inTestFile reports whether fn's source is a _test.go file.
func (c *checker) inTestFile(fn *ssa.Function) bool {
	if fn.Pos() == token.NoPos {
		return false
	}
	return strings.HasSuffix(c.pass.Fset.Position(fn.Pos()).Filename, "_test.go")
}

// hiddenInTest reports whether t is a plain access in a test whose
// concurrency the test does not show (see above); atomics are the
// package's atomic accesses of t's location, or nil when only an
// imported package accesses it atomically.
func (c *checker) hiddenInTest(t touch, atomics []*access) bool {
	if t.loc.Var != nil && !t.loc.IsField() {
		return false // a package-level variable
	}
	if !c.inTestFile(t.fn) {
		return false
	}
	sc := c.testScope()
	if sc.inGo[t.fn] {
		return false
	}
	started := sc.goroutinesOf(topLevel(t.fn))
	for _, a := range atomics {
		if started[a.fn] {
			return false
		}
		// go atomic.AddInt64(&n, 1): the call itself is the goroutine.
		if _, ok := a.instr.(*ssa.Go); ok && sc.calledBy(topLevel(t.fn))[a.fn] {
			return false
		}
	}
	return true
}

// testScope returns the package's testScope, built on first use: only
// packages with a plain access in a test file need it.
func (c *checker) testScope() *testScope {
	if c.tests == nil {
		sc := &testScope{pkg: c.ssa.Pkg, startsBy: make(map[*ssa.Function]map[*ssa.Function]bool)}
		var roots []*ssa.Function
		for _, fn := range c.ssa.SrcFuncs {
			roots = append(roots, startedIn(fn)...)
		}
		sc.inGo = sc.closure(roots)
		c.tests = sc
	}
	return c.tests
}

// goroutinesOf returns the functions that may run in the goroutines
// that top starts, itself or through the functions it calls.
func (sc *testScope) goroutinesOf(top *ssa.Function) map[*ssa.Function]bool {
	if m, ok := sc.startsBy[top]; ok {
		return m
	}
	var roots []*ssa.Function
	for fn := range sc.calledBy(top) {
		roots = append(roots, startedIn(fn)...)
	}
	m := sc.closure(roots)
	sc.startsBy[top] = m
	return m
}

// calledBy returns top and the functions of the package it may call
// synchronously, closures included.
func (sc *testScope) calledBy(top *ssa.Function) map[*ssa.Function]bool {
	return sc.closure([]*ssa.Function{top})
}

// closure returns the functions of the package that roots reach by
// static calls and by interface method calls to the package's own
// types that implement the interface, with the closures that they
// create (a closure passed to t.Run or sort.Slice runs on the caller's
// behalf). Calls through function values are not followed.
func (sc *testScope) closure(roots []*ssa.Function) map[*ssa.Function]bool {
	return sc.closureWithout(roots, nil)
}

// closureWithout is closure, leaving out the functions that skip, if
// not nil, holds for.
func (sc *testScope) closureWithout(roots []*ssa.Function, skip func(*ssa.Function) bool) map[*ssa.Function]bool {
	seen := make(map[*ssa.Function]bool)
	stack := roots
	for len(stack) > 0 {
		fn := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if o := fn.Origin(); o != nil {
			fn = o
		}
		if seen[fn] || fn.Pkg != sc.pkg || skip != nil && skip(fn) {
			continue
		}
		seen[fn] = true
		stack = append(stack, fn.AnonFuncs...)
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if call, ok := instr.(ssa.CallInstruction); ok {
					if callee := call.Common().StaticCallee(); callee != nil {
						stack = append(stack, callee)
					} else if call.Common().IsInvoke() {
						stack = append(stack, sc.implementations(call.Common())...)
					}
				}
			}
		}
	}
	return seen
}

// implementations returns the methods of the package's own named
// types (and pointers to them) that the interface call may reach: a
// test that drives the code under test through an interface still
// runs that code (the class hierarchy, within the package).
func (sc *testScope) implementations(call *ssa.CallCommon) []*ssa.Function {
	iface, ok := call.Value.Type().Underlying().(*types.Interface)
	if !ok {
		return nil
	}
	prog := sc.pkg.Prog
	var out []*ssa.Function
	for _, m := range sc.pkg.Members {
		t, ok := m.(*ssa.Type)
		if !ok {
			continue
		}
		named, ok := t.Type().(*types.Named)
		if !ok || named.TypeParams().Len() > 0 {
			continue
		}
		for _, recv := range []types.Type{named, types.NewPointer(named)} {
			if !types.Implements(recv, iface) {
				continue
			}
			sel := prog.MethodSets.MethodSet(recv).Lookup(call.Method.Pkg(), call.Method.Name())
			if sel == nil {
				continue
			}
			if fn := prog.FuncValue(sel.Obj().(*types.Func)); fn != nil {
				out = append(out, fn)
			}
			break
		}
	}
	return out
}

// startedIn returns the functions that fn starts as goroutines: with a
// go statement of a static callee, a spawner such as
// (*sync.WaitGroup).Go, or b.RunParallel.
func startedIn(fn *ssa.Function) []*ssa.Function {
	var out []*ssa.Function
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch instr := instr.(type) {
			case *ssa.Go:
				if callee := instr.Call.StaticCallee(); callee != nil {
					out = append(out, callee)
				}
			case *ssa.Call:
				// b.RunParallel's goroutines overlap one another; t.Run
				// and b.Run are left out: a subtest runs while its
				// parent waits, and parallel subtests share only what
				// the parent gives them, which the parent's accesses
				// already show.
				if r, mc, ok := syncapi.RunnerOf(instr.Common()); ok && r.Parallel && mc != nil {
					out = append(out, mc.Fn.(*ssa.Function))
				}
			}
		}
	}
	for _, s := range spawn.SitesOf(fn, nil) {
		if _, ok := s.Instr.(*ssa.Go); !ok {
			out = append(out, s.Fn)
		}
	}
	return out
}

// topLevel returns the named function that fn's closures are nested in.
func topLevel(fn *ssa.Function) *ssa.Function {
	for fn.Parent() != nil {
		fn = fn.Parent()
	}
	return fn
}
