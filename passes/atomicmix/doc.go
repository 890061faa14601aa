// Package atomicmix defines an Analyzer that reports plain accesses of
// fields and variables that are also accessed with sync/atomic.
//
// # Analyzer atomicmix
//
// atomicmix: report plain accesses of values also accessed atomically
//
// A field or variable that one goroutine updates with a sync/atomic
// function and another reads or writes plainly is a data race: the
// plain access may see a torn or stale value, or lose an update, and
// the race detector only notices when a test happens to run both
// sides at once. The check reports, at the plain access, reads,
// writes, x++, x-- and x op= y of a struct field (for all values of
// its struct type), a package-level variable or a captured local
// variable that the package accesses with atomic.AddT, LoadT, StoreT,
// SwapT, CompareAndSwapT, AndT or OrT, and copies of a struct that
// contains such a field (snap := *s, return c.stats). It also works
// across packages: a plain access of a field that an imported package
// accesses atomically, and an atomic access of a field that an
// imported package accesses plainly, are reported.
//
// WRONG:
//
//	type Stats struct{ requests uint64 }
//
//	func (s *Stats) Inc()           { atomic.AddUint64(&s.requests, 1) }
//	func (s *Stats) Report() uint64 { return s.requests } // plain read
//
// RIGHT: access the value atomically everywhere:
//
//	func (s *Stats) Report() uint64 { return atomic.LoadUint64(&s.requests) }
//
// Better still, give the field a typed atomic, atomic.Int32,
// atomic.Int64, atomic.Uint32, atomic.Uint64, atomic.Uintptr,
// atomic.Bool, atomic.Pointer[T] or atomic.Value: its value can only
// be reached through its methods, so it cannot be accessed plainly, and
// go vet's copylocks check reports copies of it. Fields of these types
// are never reported.
//
// The model, stated once: rules 1 and 2 say what is a candidate and
// what it races with; rules 3 to 20 are the check's exceptions, named,
// in the order it applies them (the first that holds clears the
// candidate). sharedvet -excused prints, for each candidate cleared,
// "excused by NAME: statement", and -atomicmix.disable=NAME,... turns
// exceptions off, to see what they clear. An access cleared by rules 3 to 8
// counts for nothing after: its writes do not count against the lock
// rule.
//
//  1. Candidates: in the package's functions and closures, those
//     written in package-level variable declarations included (var
//     handler = func() { hits++ }: fixture basic/declclosure.go), a
//     plain load or store of a location (a struct field,
//     standing for that field of every value of its type, a
//     package-level variable, or a captured local variable) that this
//     package or an imported one accesses with sync/atomic, and a copy
//     of a struct or array holding one. A read whose value is
//     discarded (_ = x) is a read; range over an array, which
//     evaluates only its constant length, is not.
//  2. Races: a plain write races with any atomic access, a plain read
//     with an atomic write.
//
// Per access:
//
//  3. hooks: accesses in a function that the package hands to a
//     function it declares without a body, which the runtime
//     implements (sync.Pool's poolCleanup, which runs with the world
//     stopped).
//  4. initmethod: writes through the receiver of a method named Init
//     or init that neither locks nor makes an atomic access (Go's
//     convention for preparing a value in place before it is shared,
//     as poll.FD.Init does).
//  5. claim: accesses of an array or slice element whose index a
//     successful CompareAndSwap claimed (a lock-free ring's slot,
//     indexed by the value the swap moved the head or tail to,
//     accessed only on the swap's success path).
//  6. unpublished: initialization before the value is shared:
//     composite literals, and accesses of a value that the same
//     function allocated and has not yet stored, passed, returned or
//     captured, also when the variable holding it is captured by a
//     closure created later. A call keeps the value unshared only when
//     the callee's summary says so (see Limitations), or when it is a
//     method of a sync/atomic type called on a field of the value (a
//     node's atomic field set before the node is published).
//
// Per location:
//
//  7. private: accesses of a variable, or of a struct or array value,
//     that its function never shares with another goroutine (a test
//     that calls atomic.AddInt64(&x, 1) and then checks x, or a closure
//     that it only calls itself).
//  8. joined: accesses of a local variable after the join of every
//     goroutine that can reach it, when the function starts them
//     itself, with go or (*sync.WaitGroup).Go and joins them with a
//     sync.WaitGroup whose Done they call after their last use of the
//     variable (a goroutine that such a goroutine starts is joined too
//     when it adds it to the group before the go statement and defers
//     the group's Done), or with b.RunParallel, t.Run or b.Run, which
//     return after them (a subtest that calls t.Parallel resumes only
//     after its parent test's function returns).
//
// Per candidate:
//
//  9. bench: a plain access of a package-level variable in the body
//     of a benchmark when every atomic access of it is in a
//     b.RunParallel closure of a benchmark (a sink: benchmarks run one
//     at a time).
//  10. mainjoin: a plain access of a package-level variable in
//     main.main after the WaitGroup Wait of the workers it started
//     (closures deferring Done), or before it starts them (any
//     function), when every atomic access of the variable is in a function that
//     only those workers can call (followed through the package's
//     static calls; methods and functions used as values may run
//     anywhere).
//  11. guard: accesses that a mutex orders with every access they
//     could race with: a plain read holding a mutex that every write of
//     the location in the package holds exclusively (the sync.Once
//     pattern: an atomic load on the fast path, a plain read under the
//     lock on the slow path, writes under the lock), or holding
//     exclusively one that every write holds; a plain write holding
//     exclusively a mutex that every access holds, even for reading
//     (counters bumped atomically by readers that share a read lock,
//     reset under the write lock).
//  12. loadsonly: reads when the location is only ever written
//     plainly or not at all, since reads do not race with atomic
//     loads.
//  13. testscope: in a _test.go file, a plain access of a field or a
//     local variable is reported only when the test shows the
//     concurrency: the access runs in a goroutine that the package's
//     code starts, or an atomic access of the location runs in a
//     goroutine that the test function starts, itself or through the
//     package's functions it calls, statically or through interface
//     methods that the package's types implement (go, wg.Go, errgroup's
//     Go, b.RunParallel). A test that calls the code under test and
//     then checks its counters reads them after the calls returned, or
//     after synchronization inside that code which no static rule sees;
//     the race detector, which such tests run under, sees the rest.
//  14. origin: accesses through a pointer loaded from an unexported
//     plain pointer field that only ever holds new objects, none of
//     which is accessed atomically while it is there: every value
//     handed on from the field is replaced in the field at once, under
//     a mutex that the reader also holds from its load to its access
//     (grpc's outlier detection: buckets counted into through an
//     atomic.Pointer, read through the inactive bucket field before
//     they are swapped in; accesses outside test files are judged
//     without the test files' functions).
//  15. enclosure: a plain access of a field whose atomic accesses all
//     go through unexported container fields that the access is not
//     in (go-redis's pool.Stats, counted into through p.stats and
//     handed out as snapshots), here or in an imported package.
//  16. callerlocks: rule 11, counting also the locks that every
//     caller of an unexported function holds (a "...Locked" helper).
//  17. countdown: an access of a local variable, in the function that
//     declares it, after a receive from (or in a select case receiving
//     from) a channel that a countdown latch closes: the variable, a
//     counter and the channel are the function's locals, made outside
//     any loop and reached only by it and its closures; the channel is
//     never sent on and is closed in one place, whose nearest
//     condition is that an atomic decrement of the counter by one
//     reached zero (if atomic.AddInt32(&n, -1) == 0 { close(done) },
//     or n.Add(-1) on an atomic.Int32); no other code writes the
//     counter but the function itself; and every atomic access of the
//     variable outside the function is in the decrement's function,
//     which runs the decrement after it on every path and never before
//     it. The decrement that reaches zero comes after every other, so
//     the receive comes after every atomic access. That the counter
//     starts at the number of goroutines is assumed, as a WaitGroup's
//     Add is (tailscale's singleflight test).
//  18. testjoin: a plain access of an unexported package-level
//     variable in a test, benchmark or example function that runs
//     alone (the package neither calls it nor uses it as a value, it
//     does not call t.Parallel, and the package calls t.Parallel only
//     on a test's or a subtest's own t), when every atomic access of
//     the variable is in the body of a test, benchmark or example
//     function that the package neither calls nor uses as a value, or
//     is followed, on every path of its function, by Done (called, or
//     deferred) on an unexported package-level WaitGroup; the function waits on
//     that group before the access on every path and adds to it on no
//     path between its last wait and the access; and the group is only
//     ever the receiver of Add, Done and Wait, every Add in the body of
//     a test, benchmark or example function. Test functions run one at
//     a time, so each Done is counted by an Add that either came
//     before the wait, which then returned after the Done, or comes
//     after the access; who runs the task, a go statement or a pool's
//     worker that the test handed a function value to, does not
//     matter (ants' example_test.go: pool.Submit(func() {
//     incSumInt(j) }), whose incSumInt adds and then calls wg.Done).
//     That each Done is counted by an Add before the work it marks
//     done is assumed, as the WaitGroup's contract says.
//  19. joincall: in a _test.go file, a plain access in a test's
//     top-level function of a field (when rule 13's condition on the
//     function holds) or of the function's own local variable, when no
//     atomic access of the location runs in a goroutine that the
//     function, or a closure it makes, leaves running: goroutines that
//     a function of the package starts, itself or through its callees,
//     and waits for before it returns (wg.Go, errgroup's Go, or a
//     deferred Done, then a Wait on the same group, called or deferred,
//     on every path to a return but one that returns an error tested
//     non-nil) do not count (gnet's Run, evio's Serve: a server that
//     starts its event loops and returns once they exited); nor do
//     the test function's own goroutines of a group that it waits on,
//     not deferred, on every path from their start to the access
//     (go func() { defer wg.Done(); c.Add() }(); wg.Wait(); c.n:
//     fixtures TestOwnJoin, TestOwnJoinReadBefore, TestOwnJoinOnePath,
//     TestOwnJoinDeferredWait; a closure's group is the variable its
//     go statement binds), or a receive from a channel variable that
//     the function makes and that only goroutines it starts close or
//     send on, after a Wait on the group on every path, none of them
//     started where it could run before the goroutines it waits for
//     (go func() { wg.Wait(); close(done) }(); <-done, or a select
//     case that alone enters its block, as when the timeout case calls
//     t.Fatal: fixtures TestOwnJoinForwarded, TestForwardedSelect,
//     TestForwardedSelectFallsThrough, TestForwardedWaiterFirst). When a
//     goroutine left running calls a function value, hands one to
//     another package's function, or runs another package's code, no
//     atomic access may be in a closure or a function used as a value,
//     nor, in the last case, in a method. The methods of a type of the
//     test files that only another test function makes into interface
//     values are taken to run on that test's values only. A closure handed to a call is taken to run during it
//     (a pool's Submit, as rule 13 takes it), unless the callee runs it
//     in a new goroutine (a SpawnsFact); another package's function
//     that may leave goroutines running (a LeavesFact) and is handed a
//     value holding code counts as a goroutine that calls back. Groups
//     are told apart by the variable or the field path they are reached
//     through; functions that call one another are computed again until
//     their extents settle.
//  20. update: the read of x++ or x op= y, reported once, at its
//     write.
//
// Per access, added after the rest:
//
//  21. initcallee: accesses through the receiver of an unexported
//     method that the package calls only plainly, on values the callers
//     allocated and have not yet shared (rule 6 at each call), before
//     the method shares its receiver: a constructor's helper
//     (db.initialize() in NewMemDB). A method also used as a value,
//     named by an interface call, generic or never called is not one.
//
// A suggested fix replaces a plain read with atomic.LoadT(&x), x = v
// with atomic.StoreT(&x, v), and x++, x-- (signed) and x += n with
// atomic.AddT, when the file imports sync/atomic and x has the exact
// type the function takes.
//
// Limitations: beyond the WaitGroup joins of local variables, of
// main's workers and of the tasks of test functions, and the countdown
// latch of rule 17, the check
// does not model happens-before, so a plain read that other
// synchronization orders after every atomic write (a read after
// receiving from the goroutines that did the writes, or after a join
// that the variable reaches through a stored closure, a struct or a
// function call the check cannot follow) is still reported; use an
// atomic load there, it costs nothing. The join rule is for variables
// only: fields are identified by their declaration and stand for the
// field of every value of the struct type, so a plain read of c.n after
// wg.Wait() is reported even when c is the function's own value
// (fixture badMainPlain): the type's discipline is that n is atomic,
// and another Counter may be shared. A value is taken to be shared as
// soon as its address goes where the check cannot follow it (a call of
// a function that may keep it, an interface, a store), even when no
// goroutine receives it. A call keeps a fresh value unshared only when
// the callee's summary says so: its result is a value it allocated and
// shared with no one, or it neither stores, returns, captures nor
// passes on the pointer parameter; calls through interfaces and
// function values, go and defer statements, and summaries that need
// more than four rounds of the package's fixpoint share it. Across
// packages the summaries travel as facts only for exported functions
// whose values hold an exported field accessed atomically. A pointer
// loaded from a fresh value (a field holding another new value) is not
// fresh, and a callee's own plain accesses through a parameter are
// judged in the callee, whatever its callers pass (except a method's
// receiver under rule 21). The mutex exception only
// knows the writes of the package being analyzed. Across packages,
// only exported fields of declared types and exported variables are
// matched, and only in the direction of imports: two packages that do
// not import each other are not compared. A load of a package-level or
// captured variable is reported only when its identifier can be
// matched with the load.
package atomicmix
