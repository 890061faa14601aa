package gocapture

import (
	"go/token"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/report"
	"github.com/sharedvet/sharedvet/passes/internal/spawn"
	"github.com/sharedvet/sharedvet/passes/trace"
)

// The model of the check is doc.go's numbered list. Rules 1 to 6 say
// what starts a goroutine, what the goroutine and its starter access,
// what a race is and what orders two accesses; rules 7 to 17 are the
// exceptions below, one entry each, in the order the judge applies
// them. The first that holds clears the candidate, and its name is
// what -excused prints. TestModelDoc checks that the list in doc.go
// names the same exceptions in the same order.

// A stage is when an exception is judged.
type stage int

const (
	// perAccess: each access of a captured variable and each start of
	// a goroutine, on its own. An access excused here is no access
	// at all for the rules after it.
	perAccess stage = iota
	// perStart: each access of the starter, and each start of another
	// goroutine, that may run after the go statement, against the
	// goroutine's accesses that the same releases follow. The
	// exceptions of this stage stop the walk from the go statement
	// (walk.go); they are cumulative, each adding what the walk stops
	// at to those before it, so that the walk with every enabled one
	// decides, and the judge names the first that, with those before
	// it, stops the walk before the access.
	perStart
	// perPair: each pair of accesses, of the goroutine and its starter
	// or of two goroutines, that may run at once and may touch the
	// same memory, one writing.
	perPair
)

// A stopKind is a kind of operation that the walk from a go statement
// stops at: the accesses it does not reach are ordered after the
// goroutine's, or touch another variable.
type stopKind uint8

const (
	// stopDef: the definition of the variable, which makes a new one
	// (a Go 1.22 loop variable in the next iteration).
	stopDef stopKind = 1 << iota
	// stopJoin: a wait that one of the goroutine's releases lets
	// through: wg.Wait() after wg.Done(), a receive after a send or
	// a close, errgroup's Wait, synctest.Wait.
	stopJoin
	// stopHelper: a call of another function handed a synchronization
	// object that the goroutine's releases, or its own calls, may
	// reach (a helper that waits).
	stopHelper
	// stopHandoff: the starter's next lock of a mutex that it held at
	// the go statement and the goroutine unlocks.
	stopHandoff
)

// An exception is a named reason why a candidate race is not one.
type exception struct {
	name      string
	rule      int // its number in doc.go's list
	stage     stage
	statement string // what it takes to be true, for the trace
	stops     stopKind
	excuses   func(c *checker, k *candidate) bool
}

// A candidate is what an exception judges. The fields of a stage are
// set for that stage only.
type candidate struct {
	// perAccess: an access or a go statement of a function whose CFG
	// is g.
	g     *cfg
	instr ssa.Instruction
	// perStart: the walk from the go statement that stops at the
	// given kinds, and the instruction it is asked about.
	walk  func(stopKind) *region
	at    ssa.Instruction
	stops stopKind // set by the judge: those of the exceptions tried so far
	// perPair: the access a of side x and b of side y; for two
	// goroutines, the sites that started them (sb is nil for the
	// starter).
	x, y   *side
	a, b   access
	sa, sb *spawn.Site
	parent *side
}

// exceptions is the table of the check's exceptions, in the order the
// judge applies them.
var exceptions = []*exception{
	// Per access.
	{name: "constant", rule: 7, stage: perAccess,
		statement: "the code is under a constant condition that selects the other branch, so it never runs",
		excuses:   func(c *checker, k *candidate) bool { return !k.g.live[k.instr.Block().Index] }},

	// Per start: what the walk from the go statement stops at.
	{name: "loopvar", rule: 8, stage: perStart, stops: stopDef,
		statement: "the other access is to a new variable: the loop body declares it again in each iteration",
		excuses:   stoppedBefore},
	{name: "joined", rule: 9, stage: perStart, stops: stopJoin,
		statement: "a wait that the goroutine's release lets through (Wait after Done, a receive after a send or close) orders the accesses",
		excuses:   stoppedBefore},
	{name: "helper", rule: 10, stage: perStart, stops: stopHelper,
		statement: "a call handed a synchronization object that the goroutine releases may wait for it before the other access",
		excuses:   stoppedBefore},
	{name: "handoff", rule: 11, stage: perStart, stops: stopHandoff,
		statement: "the goroutine unlocks a mutex the starter held at the go statement, and the starter locks it again before the other access",
		excuses:   stoppedBefore},

	// Per pair.
	{name: "distinct", rule: 12, stage: perPair,
		statement: "the accesses are to elements at variable indexes, taken to be each goroutine's own",
		excuses:   func(c *checker, k *candidate) bool { return distinctElems(k.a, k.b) }},
	{name: "locked", rule: 13, stage: perPair,
		statement: "both accesses hold a common mutex, one of them exclusively",
		excuses: func(c *checker, k *candidate) bool {
			return c.protected(k.x, k.a, k.y, k.b)
		}},
	{name: "ordered", rule: 14, stage: perPair,
		statement: "one side signals after its access (a send, a close, Done) and the other waits for it before its own",
		excuses: func(c *checker, k *candidate) bool {
			return k.sb == nil && c.handoff(k.x, k.a, k.y, k.b, nil)
		}},
	{name: "bracketed", rule: 15, stage: perPair,
		statement: "one goroutine may release after its access and the other acquire before its own (a lock or a receive before, an unlock or a send after), by operations or calls that may synchronize",
		excuses: func(c *checker, k *candidate) bool {
			return k.sb != nil && c.bracketed(k.x, k.a, k.sa, k.y, k.b, k.sb)
		}},
	{name: "claim", rule: 16, stage: perPair,
		statement: "both accesses run only for the winner of the same claim under a lock, which one goroutine wins",
		excuses: func(c *checker, k *candidate) bool {
			return k.sb != nil && c.bothClaimed(k.parent, *k.sa, k.a, *k.sb, k.b)
		}},
	{name: "queued", rule: 17, stage: perPair,
		statement: "both goroutines are tasks handed to a pool's worker over a channel, which may run them one after another",
		excuses: func(c *checker, k *candidate) bool {
			return k.sb != nil && k.sa.Queued && k.sb.Queued
		}},
}

// stoppedBefore reports whether the walk from the go statement, with
// the stops of the exception tried and of the enabled ones of its
// stage before it, does not reach k.at.
func stoppedBefore(c *checker, k *candidate) bool {
	return !k.walk(k.stops).has(k.at)
}

// enabledStops returns the stops of the enabled exceptions of stage
// perStart: the walk with them decides whether an access is reached.
func enabledStops() stopKind {
	var stops stopKind
	for _, e := range exceptions {
		if !disabled[e.name] {
			stops |= e.stops
		}
	}
	return stops
}

// enabled reports whether the exception named name is on.
func enabled(name string) bool { return !disabled[name] }

// excuse returns the first exception of stage st that clears k, or
// nil: the judge of the check. Exceptions that -gocapture.disable
// names are skipped.
func (c *checker) excuse(st stage, k *candidate) *exception {
	for _, e := range exceptions {
		if e.stage != st || disabled[e.name] {
			continue
		}
		k.stops |= e.stops
		if e.excuses(c, k) {
			return e
		}
	}
	return nil
}

// A traceKey is an entry of the trace: a line is excused once by a
// name, however many candidates there it clears.
type traceKey struct {
	pos  token.Pos
	name string
}

// trace emits, when the trace is on, that e excused the candidate
// finding at pos.
func (c *checker) trace(pos token.Pos, e *exception) {
	if e == nil || !trace.On() {
		return
	}
	k := traceKey{pos, e.name}
	if c.traced[k] {
		return
	}
	c.traced[k] = true
	report.Excused(c.pass, pos, e.name, e.statement)
}

// ExceptionNames returns the names of the check's exceptions, in the
// judge's order.
func ExceptionNames() []string {
	var out []string
	for _, e := range exceptions {
		out = append(out, e.name)
	}
	return out
}

// traceStart emits, when the trace is on, the exception that stops the
// walk from the go statement at s before at: an access of the starter,
// or the start of another goroutine. Each pair of the goroutine's
// accesses accs and the other side's accesses others that may touch
// the same memory is a candidate, traced where its finding would be:
// at the write, the goroutine's if both write.
func (st *starter) traceStart(s spawn.Site, walk func(stopKind) *region, at ssa.Instruction, accs, others []access) {
	if !trace.On() || !st.parent.g.after(s.Instr, at) {
		return // before the go statement: no candidate
	}
	var e *exception
	for _, a := range accs {
		for _, b := range others {
			if !overlap(a, b) {
				continue
			}
			if e == nil {
				e = st.c.excuse(perStart, &candidate{walk: walk, at: at})
			}
			pos := b.pos
			if a.write {
				pos = a.pos
			}
			st.c.trace(pos, e)
		}
	}
}

// traceClass emits, when the trace is on, the exceptions that clear the
// pairs of the goroutine started at s, whose accesses accs the walk
// follows, with the members of a class of goroutines that no pair of
// accesses races with; concurrent tells those that may run with it.
func (st *starter) traceClass(gor *side, s spawn.Site, cls *captureClass, name string, accs []access, walk func(stopKind) *region, concurrent func(capture) bool) {
	if !trace.On() {
		return
	}
	for _, cp := range cls.members {
		if !concurrent(cp) {
			st.traceStart(s, walk, cp.site.Instr, accs, st.goAccesses(st.c.goVar(cp.site, cp.i)))
			continue
		}
		st.goroutineRaces(gor, s, cp, name, accs, true)
	}
}
