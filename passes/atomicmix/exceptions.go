package atomicmix

import (
	"github.com/sharedvet/sharedvet/passes/internal/report"
)

// The model of the check is doc.go's numbered list. Rules 1 and 2 say
// what a candidate is and what it races with (judge.go); rules 3 to 20
// are the exceptions below, one entry each, in the order the judge
// applies them. The first that holds clears the candidate, and its
// name is what -excused prints. TestModelDoc checks that the list in
// doc.go names the same exceptions in the same order.

// A stage is when an exception is judged.
type stage int

const (
	// perAccess: each plain access, when it is scanned. An access
	// excused here is no access at all for the rules after it: its
	// writes do not count against the lock rule.
	perAccess stage = iota
	// perLocation: each location that a plain access touches (a copy
	// of a struct touches every field it holds). Likewise.
	perLocation
	// perCandidate: each candidate finding, once all accesses are
	// known.
	perCandidate
)

// An exception is a named reason why a plain access of a location
// that is accessed atomically is not a race.
type exception struct {
	name      string
	rule      int // its number in doc.go's list
	stage     stage
	statement string // what it takes to be true of the access, for the trace
	// reported: the line is reported anyway (rule 20's read is part of
	// a write that is), so the trace leaves it out.
	reported bool
	excuses  func(c *checker, k *candidate) bool
}

// A candidate is what an exception judges. The fields of a stage are
// set from that stage on.
type candidate struct {
	a   *access        // perAccess
	t   touch          // perLocation
	sum *atomicSummary // perCandidate: the package's atomic accesses of t's location, or nil
	f   *finding       // perCandidate: what t races with (rule 2)
	// loadsOnly: t is a read and no atomic access writes (rule 12).
	loadsOnly bool
}

// exceptions is the table of the check's exceptions, in the order the
// judge applies them. Within a stage the order decides only which name
// a candidate cleared by several is excused by, and how much is
// computed for it; it is the order in which the check applied them
// before the table, so that the output did not change.
var exceptions = []*exception{
	// Per access.
	{name: "hooks", rule: 3, stage: perAccess,
		statement: "the runtime calls this function with the world stopped (it is passed to a function without a body)",
		excuses:   func(c *checker, k *candidate) bool { return c.hooks[k.a.fn] }},
	{name: "initmethod", rule: 4, stage: perAccess,
		statement: "a write through the receiver of an Init or init method that neither locks nor accesses memory atomically is initialization",
		excuses:   func(c *checker, k *candidate) bool { return k.a.write && initMethodWrite(k.a.fn, k.a.addr) }},
	{name: "claim", rule: 5, stage: perAccess,
		statement: "the element's index was claimed by a successful CompareAndSwap, so the slot belongs to this goroutine",
		excuses:   func(c *checker, k *candidate) bool { return c.claimedSlot(k.a.instr, k.a.addr) }},
	{name: "unpublished", rule: 6, stage: perAccess,
		statement: "the value was allocated by this function and is not yet shared",
		excuses:   func(c *checker, k *candidate) bool { return c.unshared(k.a.fn, k.a.instr, k.a.addr) }},

	// Per location.
	{name: "private", rule: 7, stage: perLocation,
		statement: "the variable is never shared with another goroutine",
		excuses:   func(c *checker, k *candidate) bool { return c.privateVar(k.t) }},
	{name: "joined", rule: 8, stage: perLocation,
		statement: "every goroutine that reaches the variable is joined before this access",
		excuses:   func(c *checker, k *candidate) bool { return c.joinedVar(k.t) }},

	// Per candidate.
	{name: "bench", rule: 9, stage: perCandidate,
		statement: "benchmarks run one at a time, and every atomic access is in a b.RunParallel closure of a benchmark",
		excuses:   func(c *checker, k *candidate) bool { return k.sum != nil && c.benchmarkOrdered(k.t, k.sum) }},
	{name: "mainjoin", rule: 10, stage: perCandidate,
		statement: "main waited for every worker that accesses the variable atomically",
		excuses:   func(c *checker, k *candidate) bool { return k.sum != nil && c.mainJoined(k.t, k.sum.all) }},
	{name: "guard", rule: 11, stage: perCandidate,
		statement: "a mutex held here orders this access with every access it could race with",
		excuses:   func(c *checker, k *candidate) bool { return k.sum != nil && c.lockRule.guardsOwn(k.t) }},
	{name: "loadsonly", rule: 12, stage: perCandidate,
		statement: "a read races only with atomic writes, and no code writes the location atomically",
		excuses:   func(c *checker, k *candidate) bool { return k.loadsOnly }},
	{name: "testscope", rule: 13, stage: perCandidate,
		statement: "the test starts no goroutine that reaches the location, so it reads after the code under test returned",
		excuses:   func(c *checker, k *candidate) bool { return c.hiddenInTest(k.t, k.sum.allOrNil()) }},
	{name: "origin", rule: 14, stage: perCandidate,
		statement: "the pointer was loaded from an unexported field that holds new objects only, replaced under a mutex held here",
		excuses:   func(c *checker, k *candidate) bool { return c.originSafe(k.t, k.sum) }},
	{name: "enclosure", rule: 15, stage: perCandidate,
		statement: "every atomic access goes through container fields that this value is not in",
		excuses:   func(c *checker, k *candidate) bool { return c.outsideEnclosure(k.t, k.f) }},
	{name: "callerlocks", rule: 16, stage: perCandidate,
		statement: "counting the locks every caller holds, a mutex orders this access with every access it could race with",
		excuses:   func(c *checker, k *candidate) bool { return k.f.other != nil && c.lockRule.guardsWithCallers(c, k.t) }},
	{name: "countdown", rule: 17, stage: perCandidate,
		statement: "this runs after receiving from a channel closed when an atomic countdown, which the goroutines run after every atomic access of the variable, reached zero",
		excuses:   func(c *checker, k *candidate) bool { return c.afterCountdown(k.t) }},
	{name: "testjoin", rule: 18, stage: perCandidate,
		statement: "this test function runs alone and waited on a WaitGroup whose Done follows every atomic access outside the test functions",
		excuses:   func(c *checker, k *candidate) bool { return c.testJoined(k.t, k.sum) }},
	{name: "joincall", rule: 19, stage: perCandidate,
		statement: "every goroutine that the test starts, itself or through the package's functions, and that reaches the location was joined before this access: by the function that started it, before it returned, or by the test's own wait",
		excuses:   func(c *checker, k *candidate) bool { return c.joinedInCallee(k.t, k.sum.allOrNil()) }},
	{name: "update", rule: 20, stage: perCandidate, reported: true,
		statement: "the read of x++ or x op= y is reported once, at its write",
		excuses:   func(c *checker, k *candidate) bool { return c.readOfUpdate(k.t) }},

	// Per access, added after the rest.
	{name: "initcallee", rule: 21, stage: perAccess,
		statement: "the method is called only on values its callers allocated and have not yet shared, and has not shared its receiver before this access",
		excuses:   func(c *checker, k *candidate) bool { return c.initCalleeAccess(k.a.fn, k.a.instr, k.a.addr) }},
}

// excuse returns the first exception of stage st that clears k, or
// nil: the judge of the check. Exceptions that -atomicmix.disable
// names are skipped.
func (c *checker) excuse(st stage, k *candidate) *exception {
	for _, e := range exceptions {
		if e.stage == st && !disabled[e.name] && e.excuses(c, k) {
			return e
		}
	}
	return nil
}

// trace emits, when the trace is on, that e excused the access at t.
func (c *checker) trace(t touch, e *exception) {
	if e.reported {
		return
	}
	report.Excused(c.pass, t.pos, e.name, e.statement)
}

// ExceptionNames returns the names of the check's exceptions that the
// trace can print, in the judge's order.
func ExceptionNames() []string {
	var out []string
	for _, e := range exceptions {
		if !e.reported {
			out = append(out, e.name)
		}
	}
	return out
}
