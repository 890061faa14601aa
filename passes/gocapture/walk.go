package gocapture

import (
	"fmt"
	"sort"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/flow"
	"github.com/sharedvet/sharedvet/passes/internal/lockset"
	"github.com/sharedvet/sharedvet/passes/internal/spawn"
	"github.com/sharedvet/sharedvet/passes/internal/syncapi"
)

// The starter's part of a race: the instructions that may execute after
// a go statement while the goroutine may still run.
//
// A walk from each go statement over the starter's instructions would
// cost the product of the go statements and the function's length, and
// a function of generated code with 3000 go statements took minutes
// (issue 11). Instead, the walk is over blocks and records, for each
// block, the first instruction that stops it; a region then answers
// whether an instruction was reached in constant time, and the checks
// ask only about the accesses and go statements of the variable.

// A region is the set of the starter's instructions that may execute
// after the goroutine started at a site, and before an operation that
// waits for one of its releases, or the definition of the variable.
type region struct {
	g                *cfg
	siteBlock        int
	siteIdx, siteEnd int     // the site block's part after the site: (siteIdx, siteEnd)
	end              []int32 // per block entered at its start: the end of its part, or -1
}

// has reports whether instr lies in r.
func (r *region) has(instr ssa.Instruction) bool {
	b, i := instr.Block().Index, r.g.index[instr]
	if b == r.siteBlock && i > r.siteIdx && i < r.siteEnd {
		return true
	}
	return i < int(r.end[b])
}

// A regionKey identifies a region of one site: what the goroutine's
// accesses are followed by, the definition that ends the variable, and
// the kinds of operation the walk stops at.
type regionKey struct {
	releases string
	def      ssa.Instruction
	stops    stopKind
}

// region returns the region of the starter that may run after the
// goroutine started at s and while it may still use the variable v
// after an access that releases follow. The walk stops, as stops
// allows (the exceptions of stage perStart), at an operation that
// waits for one of the releases, and at the definition of v (a new
// iteration of a loop whose body declares v gets a new variable: Go
// 1.22 loop variables, rule 8, fixture okRange in versions/go122).
func (st *starter) region(s spawn.Site, v ssa.Value, releases []event, stops stopKind, cache map[regionKey]*region) *region {
	g := st.parent.g
	sb := s.Instr.Block()
	var def ssa.Instruction
	if d, ok := v.(ssa.Instruction); ok && stops&stopDef != 0 && d.Block() != nil && d.Parent() == st.parent.fn &&
		(d.Block() == sb && g.index[d] > g.index[s.Instr] || g.reach.FromSuccs(sb)[d.Block().Index]) {
		def = d // only a definition the walk can reach stops it
	}
	siteSCC := -1
	if g.cyc[sb.Index] {
		siteSCC = g.scc[sb.Index]
	}
	sig := releaseSig(releases)
	rk := regionKey{releases: sig, def: def, stops: stops}
	if r := cache[rk]; r != nil {
		return r
	}
	k := st.killSet(sig, siteSCC, releases, stops)
	stopAt := func(b *ssa.BasicBlock, from int) int {
		end := k.first(b.Index, from)
		if def != nil && def.Block() == b && g.index[def] >= from && g.index[def] < end {
			end = g.index[def]
		}
		return end
	}
	r := &region{g: g, siteBlock: sb.Index, siteIdx: g.index[s.Instr], end: make([]int32, len(g.fn.Blocks))}
	for i := range r.end {
		r.end[i] = -1
	}
	var stack []*ssa.BasicBlock
	push := func(b *ssa.BasicBlock) {
		for _, s := range b.Succs {
			if !k.edges[[2]int{b.Index, s.Index}] {
				stack = append(stack, s)
			}
		}
	}
	r.siteEnd = stopAt(sb, r.siteIdx+1)
	if r.siteEnd == len(sb.Instrs) {
		push(sb)
	}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if r.end[b.Index] >= 0 || k.blocks[b.Index] {
			continue
		}
		end := stopAt(b, 0)
		r.end[b.Index] = int32(end)
		if end == len(b.Instrs) {
			push(b)
		}
	}
	cache[rk] = r
	return r
}

// releaseSig returns a string that is the same for two lists of
// releases that order the same operations of the starter.
func releaseSig(releases []event) string {
	var sig []byte
	for _, e := range releases {
		sig = fmt.Appendf(sig, "%d/%t/%t/%t/%p/%s/%p;", e.class, e.unknown, e.timer, e.handoff, e.key.Root, e.key.Path, e.pool)
	}
	return string(sig)
}

// A killSet is where walks stop for one list of releases: the
// starter's operations that wait for one of them.
type killSet struct {
	at     [][]int // per block, the sorted indexes of the instructions that stop a walk
	blocks []bool  // blocks a walk does not enter
	edges  map[[2]int]bool
}

// first returns the index of the first instruction of block b at or
// after from that stops a walk, or the block's length.
func (k *killSet) first(b, from int) int {
	at := k.at[b] // ends with the block's length
	return at[sort.SearchInts(at, from)]
}

// cutBypass cuts the edges that skip the loop scc, from a block before
// it to a block the loop exits to: go/ssa rotates "for range n", so
// that its test for no iteration at all jumps past the loop. That path
// is the one on which the goroutines the loop would wait for were not
// started either (fixture okReceiveEach): the loop is taken to wait for
// all of them on every path.
func (k *killSet) cutBypass(g *cfg, scc int) {
	exits := make(map[*ssa.BasicBlock]bool)
	for _, x := range g.members[scc] {
		for _, s := range g.fn.Blocks[x].Succs {
			if g.scc[s.Index] != scc {
				exits[s] = true
			}
		}
	}
	for _, x := range g.members[scc] {
		for _, p := range g.fn.Blocks[x].Preds {
			if g.scc[p.Index] == scc {
				continue
			}
			for _, s := range p.Succs {
				if exits[s] {
					k.edges[[2]int{p.Index, s.Index}] = true
				}
			}
		}
	}
}

// A killKey identifies a killSet: the releases, and the loop of the
// site (-1 outside loops), since a wait in another loop is taken to
// wait for every goroutine started before it.
type killKey struct {
	releases string
	siteSCC  int
	stops    stopKind
}

// killSet returns where walks from a site in the loop siteSCC stop for
// the releases sig and the kinds of operation stops, computed once per
// starter.
func (st *starter) killSet(sig string, siteSCC int, releases []event, stops stopKind) *killSet {
	key := killKey{sig, siteSCC, stops}
	if k := st.kills[key]; k != nil {
		return k
	}
	parent := st.parent
	fn, g := parent.fn, parent.g
	k := &killSet{at: make([][]int, len(fn.Blocks)), blocks: make([]bool, len(fn.Blocks)), edges: make(map[[2]int]bool)}
	stop := func(instr ssa.Instruction) {
		b := instr.Block().Index
		k.at[b] = append(k.at[b], g.index[instr])
	}
	for _, e := range parent.events {
		if !anyOrders(releases, e, stops) {
			continue
		}
		if siteSCC >= 0 && !e.unknown && e.class == syncapi.ChanRecv && !g.cyc[e.instr.Block().Index] {
			// Rule 6: one receive joins one sender. After a go
			// statement in a loop, a receive that runs once waits
			// for one of its goroutines, and the others may still
			// run (fixture badOneReceive); a receive in a loop is
			// taken to wait for each (fixture okReceiveLoop).
			continue
		}
		if exit, ok := closedExit(e, releases, stops); ok {
			// Only a close orders the receive: the walk stops on
			// the closed edge, and goes on into the loop's body.
			k.edges[exit] = true
			continue
		}
		if e.deferred {
			// A deferred wait runs at rundefers, before the
			// named results are read (fixture okDeferredWait).
			for _, rd := range flow.RunDefers(fn) {
				stop(rd)
			}
			continue
		}
		b := e.instr.Block()
		if sel, ok := e.instr.(*ssa.Select); ok && e.sel >= 0 {
			// Only the chosen case has waited (fixture badSelectTimeout).
			// A case with an empty body goes straight to the block
			// after the select, which the other cases reach too: only
			// its edge is cut (fixture badSelectEmptyCase).
			if from, to := flow.SelectEdge(sel, e.sel); to != nil {
				b = to
				if len(to.Preds) == 1 {
					k.blocks[to.Index] = true
				} else {
					k.edges[[2]int{from.Index, to.Index}] = true
				}
			} else {
				stop(e.instr)
			}
		} else {
			stop(e.instr)
		}
		// A wait in a loop that does not start the goroutine is taken
		// to wait for all the goroutines started before the loop, as
		// in "for range n { <-done }" (fixture okReceiveLoop).
		if g.cyc[b.Index] && g.scc[b.Index] != siteSCC {
			for _, x := range g.members[g.scc[b.Index]] {
				k.blocks[x] = true
			}
			k.cutBypass(g, g.scc[b.Index])
		}
	}
	for b, at := range k.at {
		sort.Ints(at)
		// A sentinel past the end answers "no stop" for the block.
		k.at[b] = append(at, len(fn.Blocks[b].Instrs))
	}
	st.kills[key] = k
	return k
}

// A captureClass is a set of goroutines of one starter that capture a
// variable and access it alike: the same kinds of access (read or
// write, of the same part of it), and the same locks held at each.
// Two classes whose accesses cannot conflict, or all hold a common
// lock, race nowhere, and their members need not be paired one by
// one: a function with 3000 goroutines that update a total under a
// mutex, or write an element each, costs one comparison per goroutine.
type captureClass struct {
	shapes  []access    // the kinds of access, with no instruction
	locks   lockset.Set // held at every access; Shared if any access holds it shared
	members []capture
}

// mayRace reports whether an access of x may conflict with one of y
// while holding no common lock (unless rule 13 is off).
func (x *captureClass) mayRace(y *captureClass) bool {
	for _, l := range x.locks {
		if !enabled("locked") {
			break
		}
		if m, ok := y.locks.Get(l.Key); ok && !(l.Shared && m.Shared) {
			return false
		}
	}
	for _, a := range x.shapes {
		for _, b := range y.shapes {
			if conflict(a, b) {
				return true
			}
		}
	}
	return false
}

// classOf returns the class of the goroutine cp as an accessor of its
// variable, with no members, and its signature.
func (st *starter) classOf(cp capture) (*captureClass, string) {
	fv := st.c.goVar(cp.site, cp.i)
	cls := &captureClass{}
	seen := make(map[string]bool)
	for k, a := range st.goAccesses(fv) {
		shape := fmt.Sprintf("%t/%t/%q", a.write, a.inMap, a.path)
		if !seen[shape] {
			seen[shape] = true
			cls.shapes = append(cls.shapes, access{write: a.write, inMap: a.inMap, path: a.path})
		}
		held := st.c.locksOf(st.siteSide(cp.site), a)
		if k == 0 {
			cls.locks = held
			continue
		}
		var common lockset.Set
		for _, l := range cls.locks {
			if m, ok := held.Get(l.Key); ok {
				l.Shared = l.Shared || m.Shared
				common = append(common, l)
			}
		}
		cls.locks = common
	}
	shapes := make([]string, 0, len(seen))
	for sh := range seen {
		shapes = append(shapes, sh)
	}
	sort.Strings(shapes)
	sig := strings.Join(shapes, ",")
	for _, l := range cls.locks {
		sig += fmt.Sprintf(";%p/%s/%t", l.Key.Root, l.Key.Path, l.Shared)
	}
	return cls, sig
}

// classes returns the goroutines that capture v, by class, in the
// order of their first members.
func (st *starter) classes(v ssa.Value) []*captureClass {
	if cls, ok := st.byClass[v]; ok {
		return cls
	}
	var out []*captureClass
	byKey := make(map[string]*captureClass)
	for _, cp := range st.captures[v] {
		c, sig := st.classOf(cp)
		if byKey[sig] == nil {
			byKey[sig] = c
			out = append(out, c)
		}
		byKey[sig].members = append(byKey[sig].members, cp)
	}
	st.byClass[v] = out
	return out
}
