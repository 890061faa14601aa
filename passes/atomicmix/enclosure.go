package atomicmix

import (
	"go/token"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/sharedvet/sharedvet/passes/internal/memloc"
)

// Rule 15 (enclosure). Go code often uses one struct type both for live counters and for
// snapshots of them: go-redis's pool.Stats is a value field of
// ConnPool, updated with atomic.AddUint32(&p.stats.Hits, 1), and
// Stats() returns a new *Stats filled with atomic loads, which callers
// read and sum plainly. A field stands for that field of every value
// of its type, so every read of a snapshot was reported.
//
// When every atomic access of a field goes through fields of
// enclosing structs (p.stats.Hits, the container p.stats), the
// containers are unexported, and no container's address is used
// except to select a field in it, to copy it or to assign it, then no
// pointer to a Stats can point into a container: a plain access
// through any other Stats cannot race with the atomic ones (fixture
// atomicmix/enclosure). A container may also be a pointer field that
// only ever holds a new value nothing else holds, and whose value is
// only used to reach what it points to (nats-server's OCSP cache,
// fixture enclosure/shared/pointer.go). Plain accesses through a container (p.stats.Hits,
// or a copy of p or of p.stats) are judged as before. The containers
// travel in the package's fact, so that importers leave their own
// snapshots alone too.

// An enclosure is the set of container fields through which every
// atomic access of a field goes, with their qualified names.
type enclosure map[*types.Var]string

// containerOf returns the value field of a struct that addr, the
// address of a field, selects through (g in &x.g.f) and the struct's
// declared type; or nil.
func containerOf(addr ssa.Value) (*types.Var, *types.TypeName) {
	fa, ok := stripConversions(addr).(*ssa.FieldAddr)
	if !ok {
		return nil, nil
	}
	outer, ok := fa.X.(*ssa.FieldAddr)
	if !ok {
		// &x.g.f with g a pointer field: f of the value g points to.
		load, isLoad := fa.X.(*ssa.UnOp)
		if !isLoad || load.Op != token.MUL {
			return nil, nil
		}
		if outer, ok = load.X.(*ssa.FieldAddr); !ok {
			return nil, nil
		}
	}
	return memloc.Field(outer.X.Type(), outer.Field), memloc.Owner(outer.X.Type())
}

func stripConversions(v ssa.Value) ssa.Value {
	for range 8 {
		switch x := v.(type) {
		case *ssa.ChangeType:
			v = x.X
		case *ssa.Convert:
			v = x.X
		default:
			return v
		}
	}
	return v
}

// enclosures returns, for each field accessed atomically, its
// enclosure, when every atomic access of it has one.
func (c *checker) enclosures() map[memloc.Loc]enclosure {
	out := make(map[memloc.Loc]enclosure)
	failed := make(map[memloc.Loc]bool)
	for _, a := range c.atomics {
		if !a.loc.IsField() || failed[a.loc] {
			continue
		}
		g, owner := containerOf(a.addr)
		if g == nil || g.Exported() {
			failed[a.loc] = true
			delete(out, a.loc)
			continue
		}
		if out[a.loc] == nil {
			out[a.loc] = make(enclosure)
		}
		out[a.loc][g] = qualified(g, owner)
	}
	if len(out) == 0 {
		return nil
	}
	escaped := c.escapedContainers(out)
	for l, e := range out {
		for g := range e {
			if escaped[g] {
				delete(out, l)
				break
			}
		}
	}
	return out
}

// escapedContainers returns the containers of encs whose address some
// instruction of the package uses other than to select a field in it,
// load it or store to it.
func (c *checker) escapedContainers(encs map[memloc.Loc]enclosure) map[*types.Var]bool {
	wanted := make(map[*types.Var]bool)
	for _, e := range encs {
		for g := range e {
			wanted[g] = true
		}
	}
	escaped := make(map[*types.Var]bool)
	for _, fn := range c.ssa.SrcFuncs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				fa, ok := instr.(*ssa.FieldAddr)
				if !ok {
					continue
				}
				g := memloc.Field(fa.X.Type(), fa.Field)
				if !wanted[g] || escaped[g] {
					continue
				}
				if _, ptr := g.Type().Underlying().(*types.Pointer); ptr {
					if !c.privatePointerField(fa) {
						escaped[g] = true
					}
					continue
				}
				for _, r := range *fa.Referrers() {
					switch r := r.(type) {
					case *ssa.FieldAddr, *ssa.DebugRef:
					case *ssa.UnOp:
						if r.Op != token.MUL {
							escaped[g] = true
						}
					case *ssa.Store:
						if r.Addr != fa {
							escaped[g] = true
						}
					default:
						escaped[g] = true
					}
				}
			}
		}
	}
	return escaped
}

// inside reports whether the plain access t may reach a container of
// an enclosure: through its address, or by copying a value that holds
// one. A container of this package is known by its *types.Var (byVar);
// one of another package by its qualified name (named, from the fact),
// and a copy's path only by the container's field name.
func inside(t touch, byVar enclosure, named map[string]bool) bool {
	is := func(g *types.Var, owner *types.TypeName) bool {
		_, mine := byVar[g]
		return mine || named[qualified(g, owner)]
	}
	if t.path == "" {
		if g, owner := containerOf(t.addr); g != nil && is(g, owner) {
			return true
		}
	} else {
		// A copy of the container itself: *(&p.stats), or *p.stats
		// for a pointer field.
		addr := stripConversions(t.addr)
		if load, ok := addr.(*ssa.UnOp); ok && load.Op == token.MUL {
			addr = load.X
		}
		if fa, ok := addr.(*ssa.FieldAddr); ok && is(memloc.Field(fa.X.Type(), fa.Field), memloc.Owner(fa.X.Type())) {
			return true
		}
	}
	if t.path == "" {
		return false
	}
	// A copy of a value that holds a container: the path of the field
	// within the copied value, such as ".stats.Hits" for a copy of a
	// ConnPool.
	fields := make(map[string]bool)
	for g := range byVar {
		fields[g.Name()] = true
	}
	for n := range named {
		fields[n[strings.LastIndex(n, ".")+1:]] = true
	}
	segs := strings.Split(t.path, ".")
	for _, s := range segs[:len(segs)-1] {
		if fields[s] {
			return true
		}
	}
	return false
}

// qualified names a container field for the package's fact: "Pool.stats",
// or "stats" in a struct type without a name.
func qualified(g *types.Var, owner *types.TypeName) string {
	if g == nil {
		return ""
	}
	if owner == nil {
		return g.Name()
	}
	return owner.Name() + "." + g.Name()
}

// names returns the qualified names of an enclosure's containers,
// sorted, for the package's fact.
func (e enclosure) names() []string {
	var out []string
	for _, n := range e {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// outsideEnclosure reports whether the finding f, for the plain access
// t, is against atomic accesses that all go through containers t
// cannot reach: those of this package's enclosures, or of an imported
// package's, named in its fact.
func (c *checker) outsideEnclosure(t touch, f *finding) bool {
	if !t.loc.IsField() {
		return false
	}
	if f.other != nil {
		e := c.encl[t.loc]
		return e != nil && !inside(t, e, nil)
	}
	names, ok := c.imports.enclosedIn(locKey(t.loc, t.owner))
	return ok && !inside(t, nil, names)
}

// privatePointerField reports whether this use of a pointer field g,
// &x.g, keeps what g points to reachable through g alone: it stores a
// new value that nothing else holds (c.stats = &Stats{}, or in a
// composite literal), or loads g only to select a field of what it
// points to, copy it, assign to it, or compare g with nil (nats-server's OCSP cache keeps
// its live counters behind such a field and hands out copies).
func (c *checker) privatePointerField(fa *ssa.FieldAddr) bool {
	for _, r := range *fa.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Store:
			if r.Addr != fa || !c.isFresh(r.Val) {
				return false
			}
			for _, e := range c.escapesOfMemo(r.Val) {
				if e != ssa.Instruction(r) {
					return false // also stored, passed or returned elsewhere
				}
			}
		case *ssa.UnOp:
			if r.Op != token.MUL {
				return false
			}
			for _, u := range *r.Referrers() {
				switch u := u.(type) {
				case *ssa.FieldAddr, *ssa.DebugRef:
				case *ssa.UnOp: // a copy of what g points to
					if u.Op != token.MUL {
						return false
					}
				case *ssa.Store: // an assignment to it
					if u.Addr != ssa.Value(r) {
						return false
					}
				case *ssa.BinOp:
					if (u.Op != token.EQL && u.Op != token.NEQ) || !isNilConst(u.X) && !isNilConst(u.Y) {
						return false
					}
				default:
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

func isNilConst(v ssa.Value) bool {
	k, ok := v.(*ssa.Const)
	return ok && k.IsNil()
}
