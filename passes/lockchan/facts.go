package lockchan

import (
	"fmt"
	"go/token"

	"golang.org/x/tools/go/ssa"
)

// A BlocksFact records that calling a function may block on a channel
// operation, directly or through further static calls. Positions are
// kept as text: facts cross processes under go vet, token.Pos does not.
type BlocksFact struct {
	Op   string // the operation, e.g. "a channel send"
	Posn string // where it is, as "file.go:line"
	// ChanParam is 1 + the index of the parameter that holds the
	// channel, when it is one (0 if not): a caller that passes nil
	// there does not block (fixture okNilChanArg).
	ChanParam int
	// Contained says the function does nothing with that parameter but
	// operate on the channel (it keeps, returns or hands it to nobody),
	// so passing a channel there does not show it to other goroutines.
	Contained bool `json:",omitempty"`
	// Depth is the number of calls from the function to the operation:
	// 0 if the function itself performs it.
	Depth int
	// Unblockers lists the operations of the function's package that
	// can unblock it, when they are all known and each runs in a
	// goroutine that first calls a function the package was given (a
	// callback): the caller that supplied the callback can judge
	// whether it needs a lock the caller holds (model rule 4). Empty
	// when some unblocking operation runs no callback before it.
	Unblockers []Unblocker `json:",omitempty"`
}

// An Unblocker is an operation that can unblock a BlocksFact's
// operation, and the callbacks its goroutine may run before it.
type Unblocker struct {
	Posn string     // of the operation, as "file.go:line"
	Runs []Callback // sorted
}

// A Callback names a parameter of an exported function of the
// package through which the package receives a function that it runs.
type Callback struct {
	Func  string // types.Func.FullName of the function or method
	Param int    // 1 + the index of the parameter, the receiver of a method first
}

func (cb Callback) String() string { return fmt.Sprintf("%s parameter %d", cb.Func, cb.Param) }

func (*BlocksFact) AFact() {}

func (f *BlocksFact) String() string {
	s := fmt.Sprintf("blocks(%s at %s", f.Op, f.Posn)
	if f.ChanParam > 0 {
		s += fmt.Sprintf(", on parameter %d", f.ChanParam)
		if f.Contained {
			s += " only"
		}
	}
	if f.Depth > 0 {
		s += fmt.Sprintf(", %d calls deep", f.Depth)
	}
	for _, u := range f.Unblockers {
		s += fmt.Sprintf("; unblocked at %s after running", u.Posn)
		for i, cb := range u.Runs {
			if i > 0 {
				s += " or"
			}
			s += " " + cb.String()
		}
	}
	return s + ")"
}

// containedArg reports whether callee, a function of another package,
// only operates on the channel it receives as argument i (its fact
// says so).
func (c *checker) containedArg(callee *ssa.Function, i int) bool {
	b := c.importedBlocker(callee)
	return b != nil && b.contained && b.param == i
}

// maxContainDepth bounds contained's walk through the package's calls.
const maxContainDepth = 4

// contained reports whether the function of p does nothing with the
// channel p but send, receive, select, close, len and cap, here or in
// the functions of the package it passes p to.
func (c *checker) contained(p ssa.Value, depth int) bool {
	refs := p.Referrers()
	if refs == nil || depth > maxContainDepth {
		return false
	}
	for _, r := range *refs {
		switch r := r.(type) {
		case *ssa.Send:
			if r.X == p {
				return false
			}
		case *ssa.UnOp:
			if r.Op != token.ARROW {
				return false
			}
		case *ssa.Select, *ssa.DebugRef:
		case *ssa.ChangeType:
			if !c.contained(r, depth+1) {
				return false
			}
		case *ssa.Call:
			if b, ok := r.Call.Value.(*ssa.Builtin); ok {
				if n := b.Name(); n != "close" && n != "len" && n != "cap" {
					return false
				}
				continue
			}
			callee := r.Call.StaticCallee()
			if callee == nil || callee.Pkg == nil || callee.Pkg.Pkg != c.pass.Pkg || len(callee.Blocks) == 0 {
				return false
			}
			for i, a := range r.Call.Args {
				if a == p && (i >= len(callee.Params) || !c.contained(callee.Params[i], depth+1)) {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}
