package atomicmix

import (
	"go/types"
	"strings"
	"unicode"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// Rule 9 (bench): the sink variable of a package's benchmarks.

// benchmarkOrdered reports whether the plain access t, of a
// package-level variable, is in the body of a benchmark function and
// every atomic access of the variable is in a closure that a benchmark
// runs with b.RunParallel. Benchmarks run one at a time and
// RunParallel returns after its goroutines, so the accesses never
// overlap: the sink variable of a package's benchmarks (fixture
// BenchmarkSerial in atomicmix/bench). A test that calls a benchmark
// function itself, from a parallel test, is not considered.
func (c *checker) benchmarkOrdered(t touch, s *atomicSummary) bool {
	if t.loc.Var == nil || t.loc.IsField() || !c.isBenchmark(t.fn) {
		return false
	}
	for _, a := range s.all {
		if a.fn.Parent() == nil || !c.isBenchmark(a.fn.Parent()) || !runInParallel(a.fn) {
			return false
		}
	}
	return true
}

// isBenchmark reports whether fn is a benchmark function of a test
// file: func BenchmarkXxx(b *testing.B).
func (c *checker) isBenchmark(fn *ssa.Function) bool {
	return c.isTestFunc(fn, "Benchmark", "B")
}

// isTestFunc reports whether fn is a function of a test file that the
// testing package runs: named prefix followed by anything but a lower
// case letter, taking a *testing.param, or nothing when param is "",
// and returning nothing.
func (c *checker) isTestFunc(fn *ssa.Function, prefix, param string) bool {
	if fn.Parent() != nil || fn.Signature.Recv() != nil || fn.Object() == nil {
		return false
	}
	name := fn.Name()
	if !strings.HasPrefix(name, prefix) || len(name) > len(prefix) && unicode.IsLower(rune(name[len(prefix)])) {
		return false
	}
	if fn.Signature.Results().Len() != 0 {
		return false
	}
	if param == "" {
		if fn.Signature.Params().Len() != 0 {
			return false
		}
	} else if fn.Signature.Params().Len() != 1 || !isTestingPtr(fn.Signature.Params().At(0).Type(), param) {
		return false
	}
	return c.inTestFile(fn)
}

// isTestingPtr reports whether t is *testing.name.
func isTestingPtr(t types.Type, name string) bool {
	p, ok := t.(*types.Pointer)
	if !ok {
		return false
	}
	n, ok := types.Unalias(p.Elem()).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "testing" && n.Obj().Name() == name
}

// runInParallel reports whether the closure fn is only passed to
// (*testing.B).RunParallel, directly or as a MakeClosure (a closure
// without free variables is passed as the function itself).
func runInParallel(fn *ssa.Function) bool {
	return onlyRunBy(fn, func(r syncapi.Runner) bool { return r.Parallel })
}

// onlyRunBy reports whether the closure fn is only passed to testing's
// runners that want accepts, directly or as a MakeClosure.
func onlyRunBy(fn *ssa.Function, want func(syncapi.Runner) bool) bool {
	refs := fn.Referrers()
	if refs == nil || len(*refs) == 0 {
		return false
	}
	for _, r := range *refs {
		v := ssa.Value(fn)
		if mc, ok := r.(*ssa.MakeClosure); ok {
			if len(*mc.Referrers()) != 1 {
				return false
			}
			v, r = mc, (*mc.Referrers())[0]
		}
		call, ok := r.(*ssa.Call)
		if !ok || call.Call.Value == v {
			return false
		}
		if run, _, ok := syncapi.RunnerOf(&call.Call); !ok || !want(run) || call.Call.Args[run.Arg] != v {
			return false
		}
	}
	return true
}
