package atomicmix

import (
	"go/token"

	"golang.org/x/tools/go/ssa"
)

// Rule 21 (initcallee). A constructor often prepares its new value in a
// helper method (go-memdb's NewMemDB calls db.initialize(), which
// writes db.root, a pointer loaded atomically everywhere else). Rule 6
// sees that the value is unshared in the constructor, but judges the
// helper's accesses in the helper, whatever its callers pass; rule 4
// trusts only methods named Init or init. So an access through the
// receiver of an unexported method is initialization when every call
// of the method in the package is a plain call on a value the caller
// allocated and has not yet shared (rule 6 at the call), and the method
// has not shared its receiver before the access (fixtures
// memTable.initialize, okInitCallee in atomicmix/initmethod). The
// method must be reachable only through those calls: not exported, not
// used as a value, not named by a dynamic call of the package's
// interfaces, not generic; a method with no call is dead code, not
// initialization (fixture quota.reset).

// initCalleeAccess reports whether the access of addr at instr, in fn,
// is through the receiver of a method that the package calls only on
// values not yet shared, before fn shares the receiver.
func (c *checker) initCalleeAccess(fn *ssa.Function, instr ssa.Instruction, addr ssa.Value) bool {
	recv := receiverRoot(fn, addr)
	if recv == nil {
		return false
	}
	only, ok := c.initCallees[fn]
	if !ok {
		only = c.calledOnlyUnshared(fn)
		if c.initCallees == nil {
			c.initCallees = make(map[*ssa.Function]bool)
		}
		c.initCallees[fn] = only
	}
	if !only {
		return false
	}
	for _, e := range c.escapesOfMemo(recv) {
		if c.order.mayPrecede(e, instr) {
			return false
		}
	}
	return true
}

// receiverRoot returns fn's receiver parameter if addr is an address
// within the value it points to (through fields and array elements,
// not through pointers loaded from it), else nil.
func receiverRoot(fn *ssa.Function, addr ssa.Value) *ssa.Parameter {
	if fn.Signature.Recv() == nil || len(fn.Params) == 0 {
		return nil
	}
	for {
		switch a := addr.(type) {
		case *ssa.FieldAddr:
			addr = a.X
		case *ssa.IndexAddr:
			addr = a.X
		case *ssa.Parameter:
			if a == fn.Params[0] {
				return a
			}
			return nil
		default:
			return nil
		}
	}
}

// calledOnlyUnshared reports whether fn is an unexported, non-generic
// method of the package whose every use is a plain static call on a
// receiver that the caller allocated and has not yet shared, and that
// has at least one such call.
func (c *checker) calledOnlyUnshared(fn *ssa.Function) bool {
	obj := fn.Object()
	if obj == nil || token.IsExported(obj.Name()) || fn.Parent() != nil || fn.Synthetic != "" ||
		fn.TypeParams().Len() > 0 || len(fn.TypeArgs()) > 0 || c.invokedByName(obj.Name()) {
		return false
	}
	callers := c.staticCallers()
	if c.funcValues[fn] {
		return false
	}
	// A method value or expression is a wrapper function of the same
	// object, called or passed in fn's place.
	for g := range c.funcValues {
		if g != fn && g.Object() == obj {
			return false
		}
	}
	for g := range callers {
		if g != fn && g.Object() == obj {
			return false
		}
	}
	calls := callers[fn]
	if len(calls) == 0 {
		return false
	}
	for _, call := range calls {
		plain, ok := call.(*ssa.Call)
		if !ok || len(plain.Call.Args) == 0 {
			return false // go or defer: the method runs later, or beside the caller
		}
		caller := plain.Parent()
		if !c.unsharedAt(caller, plain, plain.Call.Args[0]) {
			return false
		}
	}
	return true
}

// unsharedAt is c.unshared for an instruction of another function than
// the one being scanned: the order of instructions is that of caller.
func (c *checker) unsharedAt(caller *ssa.Function, instr ssa.Instruction, addr ssa.Value) bool {
	saved := c.order
	defer func() { c.order = saved }()
	c.order = &instrOrder{fn: caller}
	return c.unshared(caller, instr, addr)
}

// invokedByName reports whether a dynamic call of the package, through
// an interface, names a method called name: an unexported method can
// implement only the package's own interfaces.
func (c *checker) invokedByName(name string) bool {
	c.staticCallers()
	return c.invoked[name]
}
