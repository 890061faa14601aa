package lockchan

import (
	"fmt"
	"go/token"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/report"
	"github.com/sharedvet/sharedvet/passes/internal/spawn"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// This file finds the wait before the drain: a function makes a
// channel with a buffer of n, starts goroutines that send on it, waits
// for them (wg.Wait, errgroup's Wait) and receives only after the
// wait. With more than n sends, a sender blocks on the full buffer and
// never finishes, so the wait never returns: a deadlock with no mutex
// at all (the seed article's second example).

// joinMethods are the waits that join the goroutines a function started.
var joinMethods = map[string]bool{
	syncapi.WaitGroupWait:                      true,
	"(*golang.org/x/sync/errgroup.Group).Wait": true,
}

// A drainCase is one channel a function made with a constant buffer.
type drainCase struct {
	mk    *ssa.MakeChan
	cap   int64
	class chanNode
}

// checkWaitBeforeDrain reports the joins in fn that wait for more
// sends on a channel fn made than its buffer holds, when nothing
// receives from the channel before the join.
func (c *checker) checkWaitBeforeDrain(fn *ssa.Function) {
	var cases []drainCase
	var joins []*ssa.Call
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch instr := instr.(type) {
			case *ssa.MakeChan:
				if k, ok := instr.Size.(*ssa.Const); ok && k.Value != nil {
					if cls := c.chans.classesOf(instr); len(cls) == 1 && cls[0] != openNode {
						cases = append(cases, drainCase{instr, k.Int64(), cls[0]})
					}
				}
			case *ssa.Call:
				if f := syncapi.Callee(instr.Common()); f != nil && joinMethods[f.FullName()] {
					joins = append(joins, instr)
				}
			}
		}
	}
	if len(cases) == 0 || len(joins) == 0 {
		return
	}
	var reach flow.Reach
	for _, dc := range cases {
		for _, join := range joins {
			if c.receivedBefore(dc, join, &reach) {
				continue
			}
			sends, bounded := c.sendsBefore(fn, dc, join, &reach)
			if len(sends) == 0 || int64(len(sends)) <= dc.cap && bounded || !bounded && dc.cap > 0 {
				continue
			}
			c.reportWaitBeforeDrain(join, dc, sends, bounded)
			break
		}
	}
}

// receivedBefore reports whether something may receive from dc's
// channel before join returns: a receive outside fn (another goroutine
// may drain it), or one in fn that may run before the join.
func (c *checker) receivedBefore(dc drainCase, join *ssa.Call, reach *flow.Reach) bool {
	for _, r := range c.chans.recvs[dc.class] {
		if r.instr.Parent() != join.Parent() || reach.MayPrecede(r.instr, join) {
			return true
		}
	}
	return false
}

// sendsBefore returns the sends on dc's channel that goroutines fn
// starts before join make on every path, and whether their number is
// bounded (no goroutine is started in a loop). Only goroutines the join
// waits for count: those started by the group's Go, or whose function
// calls WaitGroup.Done.
func (c *checker) sendsBefore(fn *ssa.Function, dc drainCase, join *ssa.Call, reach *flow.Reach) (sends []token.Pos, bounded bool) {
	bounded = true
	sites := make(map[ssa.Instruction]spawn.Site) // the closures fn starts, found once
	for _, s := range spawn.SitesOf(fn, nil) {
		sites[s.Instr] = s
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			g, args, ok := goroutineOf(instr, sites)
			if !ok || !reach.MayPrecede(instr, join) || !joinedBy(g, instr) {
				continue
			}
			mine := func(v ssa.Value) bool {
				cls := c.chans.classesOf(v)
				return len(cls) == 1 && cls[0] == dc.class
			}
			if args != nil { // go f(ch): in f, the channel is the parameter
				if mine = passedAs(g, args, mine); mine == nil {
					continue
				}
			}
			var found []certainSend
			c.certainSends(g, nil, mine, 0, &found)
			for _, s := range beforeDone(g, found) {
				sends = append(sends, s.pos)
				if reach.InLoop(b) {
					bounded = false
				}
			}
		}
	}
	return sends, bounded
}

// A certainSend is a send a goroutine makes on every path: where it
// is, and the instruction of the goroutine's own function that makes
// it (the send, or the call that leads to it).
type certainSend struct {
	pos token.Pos
	at  ssa.Instruction
}

// beforeDone keeps the sends of g that come before g tells the
// WaitGroup it is done: a send after a plain (not deferred) wg.Done()
// may wait for a receive after the join without holding the join up
// (the runtime's lock-fairness benchmark calls wg.Done() and then
// sends its histogram).
func beforeDone(g *ssa.Function, sends []certainSend) []certainSend {
	var dones []ssa.Instruction
	for _, b := range g.Blocks {
		for _, instr := range b.Instrs {
			if call, ok := instr.(*ssa.Call); ok {
				if f := syncapi.Callee(call.Common()); f != nil && f.FullName() == syncapi.WaitGroupDone {
					dones = append(dones, call)
				}
			}
		}
	}
	var reach flow.Reach
	var out []certainSend
	for _, s := range sends {
		late := false
		for _, d := range dones {
			late = late || reach.MayPrecede(d, s.at)
		}
		if !late {
			out = append(out, s)
		}
	}
	return out
}

// goroutineOf returns the function a go statement or a spawner call
// (wg.Go, errgroup's Go; sites are fn's, from spawn) starts, with the
// arguments it passes.
func goroutineOf(instr ssa.Instruction, sites map[ssa.Instruction]spawn.Site) (*ssa.Function, []ssa.Value, bool) {
	if site, ok := sites[instr]; ok {
		if _, isGo := site.Instr.(*ssa.Go); !isGo || site.Closure != nil {
			return site.Fn, nil, true
		}
	}
	if g, ok := instr.(*ssa.Go); ok {
		if callee := g.Call.StaticCallee(); callee != nil && !g.Call.IsInvoke() {
			return callee, g.Call.Args, true
		}
	}
	return nil, nil, false
}

// joinedBy reports whether the goroutine g, started at start, is one a
// join waits for: started by a group's Go, or calling WaitGroup.Done.
func joinedBy(g *ssa.Function, start ssa.Instruction) bool {
	if _, isGo := start.(*ssa.Go); !isGo {
		return true // wg.Go, errgroup's Go
	}
	for _, b := range g.Blocks {
		for _, instr := range b.Instrs {
			if call, ok := instr.(ssa.CallInstruction); ok {
				if f := syncapi.Callee(call.Common()); f != nil && f.FullName() == syncapi.WaitGroupDone {
					return true
				}
			}
		}
	}
	return false
}

// certainSends appends the sends on a channel mine accepts that g
// makes on every path to its return: in blocks that dominate every
// return, directly or through a call of a function of the package
// (with the channel as argument) that itself sends on every path.
func (c *checker) certainSends(g *ssa.Function, at ssa.Instruction, mine func(ssa.Value) bool, depth int, out *[]certainSend) {
	if depth > maxDepth || len(g.Blocks) == 0 {
		return
	}
	for _, b := range g.Blocks {
		if !dominatesReturns(b) {
			continue
		}
		for _, instr := range b.Instrs {
			switch instr := instr.(type) {
			case *ssa.Send:
				if mine(instr.Chan) {
					*out = append(*out, certainSend{instr.Pos(), orInstr(at, instr)})
				}
			case *ssa.Call:
				callee := instr.Call.StaticCallee()
				if callee == nil || callee.Pkg == nil || callee.Pkg.Pkg != c.pass.Pkg {
					continue
				}
				if inCallee := passedAs(callee, instr.Call.Args, mine); inCallee != nil {
					c.certainSends(callee, orInstr(at, instr), inCallee, depth+1, out)
				}
			}
		}
	}
}

// passedAs returns, for a call of callee with args, the test that a
// value of callee is the parameter a channel mine accepts is passed in;
// nil if no argument is one.
func passedAs(callee *ssa.Function, args []ssa.Value, mine func(ssa.Value) bool) func(ssa.Value) bool {
	var params []ssa.Value
	for i, a := range args {
		if i < len(callee.Params) && mine(a) {
			params = append(params, callee.Params[i])
		}
	}
	if len(params) == 0 {
		return nil
	}
	return func(v ssa.Value) bool {
		v = unconvert(v)
		for _, p := range params {
			if v == p {
				return true
			}
		}
		return false
	}
}

// dominatesReturns reports whether b runs on every path to every
// return of its function. The recover block, where a panicking
// function with defers returns, does not count: a panic is not a
// normal way for a sender to finish.
func dominatesReturns(b *ssa.BasicBlock) bool {
	returns := 0
	for _, x := range b.Parent().Blocks {
		if x == b.Parent().Recover {
			continue
		}
		if _, ok := x.Instrs[len(x.Instrs)-1].(*ssa.Return); ok {
			returns++
			if !b.Dominates(x) {
				return false
			}
		}
	}
	return returns > 0
}

func (c *checker) reportWaitBeforeDrain(join *ssa.Call, dc drainCase, sends []token.Pos, bounded bool) {
	ch := c.chanName(dc)
	count := fmt.Sprintf("%d values", len(sends))
	if len(sends) == 1 {
		count = "1 value"
	}
	if !bounded {
		count = "values"
	}
	buf := fmt.Sprintf("its buffer holds %d", dc.cap)
	if dc.cap == 0 {
		buf = "it has no buffer"
	}
	related := report.Related(dc.mk.Pos(), fmt.Sprintf("%s made here", ch))
	for i, s := range sends {
		if i == maxRelatedCounterparts {
			break
		}
		related = append(related, report.Related(s, "send on "+ch+" here")...)
	}
	report.Report(c.pass, report.Finding{
		Pos:      join.Pos(),
		Category: "lockchan-deadlock",
		Message:  fmt.Sprintf("%s waits for goroutines that send %s on %s before anything receives from it, but %s, so this can deadlock", c.calleeCode(join.Common()), count, ch, buf),
		Related:  append([]analysis.RelatedInformation(nil), related...),
	})
}

// chanName names dc's channel as the source does: the local variable
// a closure captures, else the expression a receive from it is written
// with (go/ssa keeps no name for ch in ch := make(chan int)).
func (c *checker) chanName(dc drainCase) string {
	for _, r := range *dc.mk.Referrers() {
		if st, ok := r.(*ssa.Store); ok {
			if a, ok := st.Addr.(*ssa.Alloc); ok && a.Comment != "" {
				return report.Code(a.Comment)
			}
		}
	}
	for _, r := range c.chans.recvs[dc.class] {
		if s, ok := c.names.Chan(r.pos); ok {
			return report.Code(s)
		}
	}
	return "the channel"
}

// orInstr returns at, or instr when at is nil (the goroutine's own
// function, where instr itself is the instruction to place).
func orInstr(at, instr ssa.Instruction) ssa.Instruction {
	if at != nil {
		return at
	}
	return instr
}
