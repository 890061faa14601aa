package atomicmix

import (
	"golang.org/x/tools/go/ssa"
)

// Rule 3 (hooks). A function that the package hands to a function it declares without
// a body (one implemented in the runtime, through go:linkname or
// assembly) is a runtime hook: the runtime calls it in states that Go
// code cannot express, such as sync.Pool's poolCleanup, which runs with
// the world stopped at the start of a garbage collection, when no other
// goroutine runs. Its plain accesses race with nothing, and its writes
// do not count against the lock that every other write holds (the lock
// rule then covers pinSlow's reads under allPoolsMu). Fixture
// okRuntimeHook in atomicmix/hooks.

// runtimeHooks returns the functions that funcs pass as values to a
// bodyless function declared in pkg.
func runtimeHooks(pkg *ssa.Package, funcs []*ssa.Function) map[*ssa.Function]bool {
	// Almost no package declares a bodyless function; look at the
	// calls only in one that does.
	bodyless := false
	for _, m := range pkg.Members {
		if fn, ok := m.(*ssa.Function); ok && fn.Blocks == nil {
			bodyless = true
			break
		}
	}
	if !bodyless {
		return nil
	}
	var hooks map[*ssa.Function]bool
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok {
					continue
				}
				callee := call.Call.StaticCallee()
				if callee == nil || callee.Pkg != pkg || callee.Blocks != nil || callee.Parent() != nil {
					continue
				}
				for _, arg := range call.Call.Args {
					if hook, ok := arg.(*ssa.Function); ok && hook.Pkg == pkg {
						if hooks == nil {
							hooks = make(map[*ssa.Function]bool)
						}
						hooks[hook] = true
					}
				}
			}
		}
	}
	return hooks
}
