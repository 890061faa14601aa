package lockchan

import (
	"fmt"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/report"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// This file is the judge between the two tiers. A blocking operation
// under a held lock L is a deadlock when the goroutines that could
// unblock it need L: there is at least one known counterpart, every
// counterpart may take L before its operation, none is unknown, and
// some make site of the channel gives it no buffer. Anything else that
// blocks under a lock is a stall, reported only with -lockchan.stalls.

// A verdict is the judge's answer for one operation.
type verdict struct {
	deadlock bool
	lock     lockset.Lock  // the held lock every counterpart needs, for a deadlock
	needs    []counterpart // the counterparts, for a deadlock
	// callbacks, for a deadlock whose counterparts are in another
	// package, are the callbacks they run that take lock.
	callbacks []callbackNeed
	why       string // why it is only a stall
	side      string // "receiver", "sender", or "goroutine that could unblock it"
}

// A counterpart is an operation that can unblock another, and where
// its goroutine takes the held lock before it.
type counterpart struct {
	site   chanSite
	lockAt token.Pos
}

// judge decides the tier of op, blocking while held is held; at is
// where the function holding the locks waits: op itself, or the call
// through which it reaches op.
func (c *checker) judge(op syncapi.BlockingOp, at ssa.Instruction, held lockset.Set) verdict {
	side := sideOf(op.Kind)
	if op.Instr == nil {
		return verdict{why: "it blocks in another package, whose other side is not known", side: side}
	}
	sites, open, buffered := c.counterparts(op)
	switch {
	case open:
		return verdict{why: "its " + side + "s are not all known", side: side}
	case len(sites) == 0:
		return verdict{why: "nothing in the package is its " + side, side: side}
	}
	var why string
	for _, l := range held {
		cls := classOfHeld(l)
		if !cls.known() {
			continue
		}
		q := needQuery{cls: cls, heldShared: l.Shared, flags: c.startedFlags(at, l), waiter: at, held: l}
		needs, ok := c.allNeed(sites, &q)
		if ok && buffered {
			// Deadlock-shaped, but only once the buffer is full.
			return verdict{why: fmt.Sprintf("its %ss take %s first, so it deadlocks %s", side, c.lockName(l), whenBufferBlocks(op.Kind)), side: side}
		}
		if ok {
			return verdict{deadlock: true, lock: l, needs: needs, side: side}
		}
		if why == "" && q.started {
			why = fmt.Sprintf("its %ss take %s only to set %s before they start, and this wait runs only once it is set", side, c.lockName(l), flagNames(q.flags))
		}
		if why == "" && q.own {
			why = fmt.Sprintf("its %ss take %s first only where this goroutine runs them itself", side, c.lockName(l))
		}
		if why == "" {
			why = fmt.Sprintf("its %ss do not all take %s", side, c.lockName(l))
			if c.opaqueFirst(sites, cls, l.Shared) {
				why = fmt.Sprintf("its %ss do not all take %s themselves: they first run functions from outside the package, which deadlock it if they take %[2]s", side, c.lockName(l))
			}
		}
	}
	switch {
	case buffered:
		why = "its channel is made buffered"
	case why == "":
		why = "the held lock is not known to its " + side + "s"
	}
	return verdict{why: why, side: side}
}

// allNeed reports whether every site's goroutine may take q's lock
// before the site, and where, passing over the acquisitions that only
// set one of q's flags (started-flag) and those of the waiter's own
// goroutine (own-goroutine); q records which it passed over.
func (c *checker) allNeed(sites []chanSite, q *needQuery) (out []counterpart, ok bool) {
	for _, s := range sites {
		pos, ok := c.needs.needsOf(s.instr, q)
		if !ok {
			return nil, false
		}
		out = append(out, counterpart{site: s, lockAt: pos})
	}
	return out, true
}

// flagNames names started flags as their fields: "`running`".
func flagNames(flags []*types.Var) string {
	var names []string
	for _, f := range flags {
		names = append(names, report.Code(f.Name()))
	}
	return strings.Join(names, " or ")
}

// opaqueFirst reports whether each site whose goroutine does not take
// cls first calls, before it, a function value the package does not
// resolve (a callback from outside: a handler set by the user), and
// some site does: such a stall is a deadlock if that callback calls
// back into code that takes the lock (centrifuge-go's callback queue,
// docs/findings.md).
func (c *checker) opaqueFirst(sites []chanSite, cls lockClass, heldShared bool) bool {
	some := false
	for _, s := range sites {
		if _, ok := c.needs.needs(s.instr, cls, heldShared); ok {
			continue
		}
		if _, ok := c.needs.needs(s.instr, opaqueCalls, false); !ok {
			return false
		}
		some = true
	}
	return some
}

// counterparts returns the operations that can unblock op; whether some
// are unknown; and whether every make site of its channels gives a
// buffer (a select counts as buffered only if all its cases are).
func (c *checker) counterparts(op syncapi.BlockingOp) (sites []chanSite, open, buffered bool) {
	type end struct {
		ch   ssa.Value
		send bool
	}
	var ends []end
	switch op.Kind {
	case syncapi.Send:
		ends = []end{{op.Chan, true}}
	case syncapi.Recv, syncapi.Range:
		ends = []end{{op.Chan, false}}
	case syncapi.Select:
		for _, st := range op.Instr.(*ssa.Select).States {
			ends = append(ends, end{st.Chan, st.Dir == types.SendOnly})
		}
	}
	seen := make(map[chanSite]bool)
	add := func(ss []chanSite) {
		for _, s := range ss {
			if s.instr != op.Instr && !seen[s] {
				seen[s] = true
				sites = append(sites, s)
			}
		}
	}
	buffered = true
	for _, e := range ends {
		for _, cls := range c.chans.classesOf(e.ch) {
			if cls == openNode || !c.chans.makes[cls] {
				open = true
				continue
			}
			// A buffer gives a send room, but a receive from an
			// empty buffer waits like one from an unbuffered channel
			// (go-plugin's MuxBroker.timeoutWait).
			if c.chans.unbufMake[cls] || !e.send {
				buffered = false
			}
			if e.send {
				add(c.chans.recvs[cls])
			} else {
				add(c.chans.sends[cls])
				add(c.chans.closes[cls])
			}
		}
	}
	return sites, open, buffered
}

// whenBufferBlocks says when an operation on a buffered channel blocks.
func whenBufferBlocks(k syncapi.ChanOpKind) string {
	switch k {
	case syncapi.Send:
		return "if the buffer fills"
	case syncapi.Recv, syncapi.Range:
		return "if the buffer is empty"
	}
	return "if no buffer can serve it"
}

func sideOf(k syncapi.ChanOpKind) string {
	switch k {
	case syncapi.Send:
		return "receiver"
	case syncapi.Recv, syncapi.Range:
		return "sender"
	}
	return "counterpart"
}
