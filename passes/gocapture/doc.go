// Package gocapture defines an Analyzer that reports variables that a
// closure started as a goroutine captures and that are accessed
// concurrently without synchronization.
//
// # Analyzer gocapture
//
// gocapture: report captured variables raced by the goroutines that capture them
//
// A closure captures variables by reference. When it runs as a
// goroutine and writes a captured variable while the function that
// started it still reads or writes it, or while another goroutine
// started from it does, and nothing orders the two accesses, the
// program has a data race: the result is undefined, and a map written
// concurrently crashes the program. The check reports
//
//   - a write in the goroutine and an access in the starting function
//     after the go statement (go func() { err = f() }() then return err);
//   - a write in the starting function after the go statement and an
//     access in the goroutine;
//   - a write in a goroutine of which more than one may run at once,
//     because the go statement is in a loop or several go statements
//     start closures that capture the variable: counters,
//     x = append(x, v), m[k] = v and delete(m, k) on a captured map.
//
// WRONG:
//
//	func fetchAll(urls []string) (pages []string, err error) {
//		var wg sync.WaitGroup
//		for _, u := range urls {
//			wg.Add(1)
//			go func() {
//				defer wg.Done()
//				p, e := fetch(u)
//				if e != nil {
//					err = e // several goroutines write err
//				}
//				pages = append(pages, p) // and pages
//			}()
//		}
//		wg.Wait()
//		return pages, err
//	}
//
// RIGHT: give each goroutine its own element, or hold a mutex while
// updating the shared variables, and read them after the join:
//
//	func fetchAll(urls []string) ([]string, error) {
//		pages := make([]string, len(urls))
//		errs := make([]error, len(urls))
//		var wg sync.WaitGroup
//		for i, u := range urls {
//			wg.Add(1)
//			go func() {
//				defer wg.Done()
//				pages[i], errs[i] = fetch(u)
//			}()
//		}
//		wg.Wait()
//		return pages, errors.Join(errs...)
//	}
//
// The model, stated once: rules 1 to 6 say what starts a goroutine,
// what it and its starter access, what races and what orders two
// accesses; rules 7 to 17 are the check's exceptions, named, in the
// order it applies them (the first that holds clears the candidate).
// sharedvet -excused prints, for each candidate cleared, "excused by
// NAME: statement" at the line the finding would have been reported
// at, and -gocapture.disable=NAME,... turns exceptions off, to see what
// they clear. The functions examined are the package's functions and
// closures, those written in package-level variable declarations
// included (var run = func() error { ... go ... }, a command's Run:
// fixture basic/declclosure.go).
//
//  1. starters: goroutines are started by go statements (in the
//     function, or in a goroutine it started) of a closure, or of a
//     variable assigned one closure and nothing else (a self-recursive
//     walker: var walk func(*node); walk = func(n *node) { ...; go
//     walk(k) }), by the spawners
//     (*sync.WaitGroup).Go and (*errgroup.Group).Go and TryGo of
//     golang.org/x/sync, time.AfterFunc, and (*conc.WaitGroup).Go of
//     github.com/sourcegraph/conc (listed because it hands f to a
//     function of another package, whose body spawnfact cannot see),
//     and by the functions of any
//     package that run a function argument in a new goroutine (go f(),
//     go func() { ...; f() }(), or f handed to a spawner) and may return
//     before it ends (no receive, Wait or call of an unknown function
//     follows; (*testing.B).RunParallel waits for its goroutines), which
//     the spawnfact analyzer finds and records as facts. Among them are
//     pools: a function that sends its function argument on a channel
//     of a type that a goroutine of its package receives functions
//     from and calls (a worker loop, for fn := range w.task { fn() },
//     started by a go statement or a spawner, or a function it calls
//     two calls deep), or hands it to such a function, also through an
//     unexported method of an interface whose every implementation in
//     the package does (ants' (*Pool).Submit, through worker.inputFunc):
//     it queues the task for a worker goroutine (fixture
//     badSubmitRead). A pool's Submit that waits for its task (a
//     receive after the send, as a synchronous Do) starts nothing for
//     its caller (fixture okSubmitWait). The end of a goroutine that a
//     spawner other than wg.Go and errgroup's starts may release to a later
//     call handed one of the spawner's other arguments, its receiver
//     first, or, for a task queued to a pool, to a call of any function of
//     the spawner's package (the pool's Wait, StopWait or
//     ReleaseTimeout; rule "helper", fixture okPoolWait; a spawner that
//     starts a goroutine of its own, as containerd's eventq.New, gets no
//     such join: fixture badDiscardAfterShutdown). The -gocapture.spawners flag adds others, as a comma-separated list of
//     functions that run their last argument in a new goroutine
//     (example.com/pool.Go,(*example.com/pool.Pool).Submit). A go
//     statement in the body of a range-over-func loop (for x := range
//     slices.Values(xs)), which go/ssa builds as a closure that the
//     iterator calls, also counts as started by the function that holds
//     the loop, at the iterator's call and again on each call of the
//     body, unless the body waits for it before it returns or breaks
//     out of the loop; a later call of the body accesses the variables
//     while it runs.
//  2. accesses: a closure started as a goroutine, and the function
//     that starts it, access the variables the closure captures: the
//     variable itself, its fields and array elements, and the contents
//     of a map it holds (m[k] = v, delete and clear write them; m[k],
//     range, len(m), a function handed the map and a conversion of it
//     to an interface read them), and of the maps a map of maps holds
//     (idx["hits"][k] = v writes the map at "hits"). Calls of sync/atomic are not plain
//     accesses. A function of the package started by go f(&n) accesses
//     n through its parameter as a closure would (go bump(&n), where
//     bump does *p++), its locks and channel operations on the
//     arguments it is handed being the starter's; and one handed a
//     pointer parameter of the starter, its receiver most often (go
//     m.readUp(ret) in a method of m), shares the struct it points to
//     with the starter, whose fields both access (fixture
//     starters/receiver.go). Likewise a call of a
//     function of the package handed the address of a captured
//     variable, or of memory behind it, accesses it as the body does
//     through its parameter, at the call, holding the locks held there
//     and those the body takes (c.inc(), where inc does c.n++, writes
//     c.n), up to two calls deep.
//  3. behind: the memory a captured variable reaches counts as well,
//     when the variable keeps one value: the elements of the slice it
//     holds (buf[0], and every element for copy, append, range,
//     string(b) and a call handed the slice), and the object its
//     pointer points to when the function allocated that object itself
//     (st := &stats{} or p := &n; then st.hits++ in the goroutine and
//     return *st after go), also when the variable is an interface
//     that holds the pointer (var v any = &stats{}; v.(*stats).hits++).
//     From that object, one step further: the elements of the slice a
//     field holds (st.buf[0]) and the fields of an object a field
//     points to that the function allocated (st := &stats{in:
//     &inner{}}; st.in.n++), when the field keeps one value: it is
//     assigned at most once, counting the assignments of the functions
//     of the package that the object is handed to (st.reset(), which
//     does t.in = &inner{}), and the object is stored nowhere else. A
//     write of an element is not a read of the slice in the field
//     (len(st.buf)). Deeper accesses count as accesses of their
//     four-selector prefix.
//  4. inline: a closure that the goroutine or the starting function
//     calls at once or defers, and hands nowhere else, accesses the
//     variables it captures at the call, or when the function returns
//     for a deferred one (go func() { defer func() { x = 1 }() }()),
//     holding the locks held at the call and those it takes itself.
//  5. races: two accesses of the same memory, one a write, race when
//     they may run at once: an access of the goroutine and one of the
//     starter that may run after the go statement, or accesses of two
//     goroutines of the starter that may run at once (one started
//     after the other's go statement, or the same closure started in a
//     loop).
//  6. channels: what orders two accesses is a release in one side
//     after its access and an acquire in the other before its own:
//     wg.Done() (or the end of a goroutine started by wg.Go) before
//     wg.Wait(), errgroup's Wait, a send on or close of a channel
//     before a receive from, range over or select case on it (in the
//     case of a select that received); the channels of one slice,
//     array or map at indexes that are not two different constants may
//     be one (a ring: <-chans[gid], then chans[(gid+1)%n] <- t). A
//     receive orders what precedes it before a send only when the send
//     waits for it: not before a
//     close, nor before a send on a channel made with a capacity of 2
//     or more. One receive joins one sender: after a go statement in a
//     loop, a receive outside loops waits for one of its goroutines,
//     not all (a receive in a loop is taken to wait for each one
//     started before the loop). One receive takes one message: a send
//     in a loop orders nothing about an access of the same loop that a
//     send on the channel may precede (for { done++; ch <- i }: the
//     receive may have taken the send before the write; fixture
//     badPipeline), and a close orders only the closed branch of a
//     comma-ok receive (the exit of for v := range ch), not the loop's
//     body, which runs for values sent before it (fixture
//     badRangeBodyAfterClose). Calls of package time and receives
//     from a timer's channel (time.After, t.C of a ticker the function
//     made) order nothing: only the runtime sends on them.
//
// Per access:
//
//  7. constant: code under a constant condition that selects the
//     other branch (if debug, with const debug = false) never runs: its
//     accesses and go statements do not count.
//
// Per start: the walk from the go statement over the starter's code
// stops at what these rules name, each adding to those before it; an
// access of the starter, or the start of another goroutine, that the
// walk does not reach does not race with the goroutine.
//
//  8. loopvar: a loop variable of a file whose Go version is 1.22 or
//     later is a new variable on each iteration, and is not shared by
//     the goroutines of a loop: the walk stops at its definition (in
//     older files it is shared, and writes to it after the go statement
//     are reported).
//  9. joined: the walk stops at a wait that a release of the goroutine
//     after its access lets through (rule 6): wg.Wait() after a
//     goroutine that calls wg.Done() (or is started by wg.Go), a
//     receive from a channel the goroutine sends on or closes, and
//     synctest.Wait. A wait in a loop is taken to wait for all the
//     goroutines started before the loop.
//  10. helper: the walk stops at a call of another function that is
//     handed a channel, a WaitGroup or a pointer that leads to one,
//     which the goroutine releases or hands to a call of its own, and
//     at one handed any value that comes from a call, since its
//     identity cannot be matched with the goroutine's (see
//     Limitations). A function of the package called directly whose
//     body, and that of the functions of the package it calls, up to
//     two calls deep, calls nothing else (no other package's function,
//     function value or interface method) does at the call what its
//     body does (its sends, receives, waits and locks, on what the call
//     hands it), and nothing more: go m.produce() and then m.stop(),
//     where stop tests and sets m.stopped after a receive with a
//     default case, race (fixture starters/receiver.go).
//  11. handoff: a mutex that the starting function holds at the go
//     statement and the goroutine unlocks is handed over: the walk
//     stops at the starting function's next lock of it, which waits
//     for that unlock.
//
// Per pair of accesses that may run at once:
//
//  12. distinct: writes to elements of a slice or array through a
//     variable index, and to the map at a variable key of a map of
//     maps, are taken to be each goroutine's own (out[i] = v,
//     idx[k]["n"] = v).
//  13. locked: accesses made while holding the same mutex, one of them
//     exclusively, do not race. The starting function holds, besides
//     its own, the locks that every call of it holds on what it is
//     handed, when the package alone calls it and only directly (an
//     unexported function, not used as a value nor reachable through an
//     interface): grpc's cachedRequestMetadataLocked, "called with mu
//     locked", reads c.token after go c.startFetch(), which writes it
//     under c.mu. A function of the package that returns
//     holding a lock it took on a parameter or a global (func (s *S)
//     lock() { s.mu.Lock() }) takes it for its caller, and one that
//     unlocks such a lock without taking it releases it, for the
//     accesses after the call on every path from it, until a release
//     (lockGlobal(); if ok { count++ }; unlockGlobal()).
//  14. ordered: a handoff the other way: the starting function writes
//     and then sends, the goroutine receives and then reads (rule 6).
//  15. bracketed: two goroutines' accesses are ordered when one may
//     release after its access and the other may acquire before its
//     own (rule 6, with calls of other functions taken to do either):
//     for two instances of one body and one access, the access lies
//     between an operation or call that may acquire and one that may
//     release (c.lock(); n++; c.unlock(), or <-tokens; n++; tokens <-
//     t); an access that comes before every such operation of the body,
//     or after every one, is ordered with nothing. A WaitGroup's Done
//     releases only to its Wait, which a goroutine that the WaitGroup
//     still counts cannot pass: workers that call c.Get(k), write err
//     on a miss, then wg.Done() race on err.
//  16. claim: accesses that only the winner of a claim makes: "if
//     t.claim() { count++ }", where claim, a function of the package,
//     holds a mutex while it tests a location and sets it to a value
//     not computed from the old one before it returns true (a done
//     flag, a last-logged time), and every goroutine calls it with the
//     same arguments.
//  17. queued: two goroutines that are both tasks queued to a pool
//     (rule 1) are not paired: a pool of one worker, or an event loop,
//     runs its tasks one after another (fixture okQueuedTasks). A task
//     and the function that queued it, or a task and a goroutine of a
//     go statement, are still paired.
//
// Limitations: the check prefers silence when it cannot tell. A
// pool's worker loop is recognized by the type of the functions its
// channel carries, not by the channel: a package that both runs
// functions of a type in a worker goroutine and queues functions of
// the same type for a loop its caller runs in its own goroutine has
// that queue taken for a pool's. A task queued by a function that is
// itself a task of the same one-worker pool runs after it, which the
// check does not know: the queuing function's accesses after the
// Submit are reported. A pool whose worker is reached only through
// an exported interface method, a function value or a third call is
// not recognized; name its Submit with -gocapture.spawners. A call
// of another function that is handed a channel, a WaitGroup or a
// pointer that leads to one is taken to synchronize on it, and so is
// one handed any value that comes from a call, since its identity
// cannot be matched with the other goroutine's. Values that cannot
// reach a channel, a function, an interface or a type of package sync
// (a *strings.Reader), constants, errors, and context.Background() and
// TODO() do not count, nor does a value boxed in an interface whose own
// type reaches none of those (the int in use(1), the variadic
// arguments of fmt.Errorf("%d", i); fixture badBoxedArgument). A
// goroutine and its starter that both hand a client holding a mutex to
// calls are taken to be ordered by it, although a mutex orders them
// only one way or the other: this hides minio-go's functional tests'
// write of their args map after a go statement whose goroutine logs it
// (docs/findings.md). Two goroutines are taken to be ordered when a
// call that may release follows one's access and a call that may
// acquire precedes the other's (rule "bracketed"), although a client's
// call that locks and unlocks inside it orders them only in one
// execution or another: workers that call c.Get(k) before and after
// their write, in a loop, are not reported. A call on a value that
// another call returned is not related to what that call was handed:
// two goroutines that do res, err = pool.Acquire(ctx) and later
// res.Release() on a pool of one resource are ordered by it, and
// reported (puddle's pool_test.go:961); relating res to pool would
// also hide the race of workers that write resp, err = c.Do(req) and
// close resp.Body; a receive
// is assumed to order a later send on a channel whose capacity is not
// a known constant of 2 or more (as on an unbuffered channel or a
// one-slot semaphore), and one receive to join each of several go
// statements outside loops that send on the channel; a wait in a loop
// is assumed to wait for all the goroutines started before the loop,
// also on the path that skips the loop. Only the variable itself, its
// fields and array elements, the contents of a map it holds (a map
// handed to a function, len(m) and a conversion of the map to an
// interface read its contents), and the memory of rule "behind" are
// tracked: not the elements of a slice or the object of a pointer held
// by a variable assigned more than once (after p = q, *p is another
// object) or whose address is taken, nor an object the function did
// not allocate (a parameter's, whose methods may lock it), nor memory
// behind a field of the function's object when the object is handed
// to a function of another package, a function value, an interface or
// a call more than two deep, which may assign the field again, or the
// field is assigned more than once, nor memory three steps away (the
// elements of a slice in the object a field points to), nor accesses in closures
// nested in the goroutine or the starting function that are handed
// to another function or stored (only rule "inline" closures count). A
// function handed the slice is taken to read its elements, not to
// write them; a method of another package called on the pointer is
// not an access, nor is a method called on an interface that holds
// it. A range-over-func loop nested in the body of another
// is seen from that body only. A goroutine started by a go statement of a
// named function is examined only for the variables whose address it
// is handed and the objects of the starter's pointer parameters (not
// of a pointer the starter loads or receives), and one of a function of another package, or of a closure
// held in a variable that is assigned more than once or handed on, is
// not examined. A claim is trusted to
// have one winner while the goroutines run: a throttle whose clock
// moves on meanwhile, or a claim that another goroutine re-arms before
// the winner's access, admits a second one that the check does not
// see; a claim in another package is not examined (its callers' writes
// are reported).
package gocapture
