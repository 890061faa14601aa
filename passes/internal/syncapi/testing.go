package syncapi

import "golang.org/x/tools/go/ssa"

// A Runner is a method of package testing that runs a closure argument
// and returns only after it, and the goroutines it started, returned.
type Runner struct {
	Arg int // index of the closure among the call's arguments, receiver first
	// Subtest: t.Run and b.Run run the closure as a subtest, which
	// runs while the caller waits, or until it calls t.Parallel, after
	// which it waits for the parent test's function to return.
	Subtest bool
	// Parallel: b.RunParallel runs the closure in several goroutines
	// at once.
	Parallel bool
}

// runners lists the Runners, as (*types.Func).FullName spells them.
// f.Fuzz is neither a subtest runner nor parallel: it calls its
// target once per input, one after another, in the fuzzing process.
var runners = map[string]Runner{
	"(*testing.T).Run":         {Arg: 2, Subtest: true},
	"(*testing.B).Run":         {Arg: 2, Subtest: true},
	"(*testing.B).RunParallel": {Arg: 1, Parallel: true},
	"(*testing.F).Fuzz":        {Arg: 1},
}

// RunnerOf reports whether call calls a Runner, and returns the
// closure it passes to it (nil if the argument is not a closure).
func RunnerOf(call *ssa.CallCommon) (Runner, *ssa.MakeClosure, bool) {
	if call.IsInvoke() {
		return Runner{}, nil, false
	}
	fn := Callee(call)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "testing" {
		return Runner{}, nil, false
	}
	r, ok := runners[fn.FullName()]
	if !ok || r.Arg >= len(call.Args) {
		return Runner{}, nil, false
	}
	mc, _ := call.Args[r.Arg].(*ssa.MakeClosure)
	return r, mc, true
}
