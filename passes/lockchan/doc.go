// Package lockchan defines an Analyzer that reports channel operations
// that can deadlock because they block while a mutex is held.
//
// # Analyzer lockchan
//
// lockchan: report channel waits under a lock that can deadlock
//
// A goroutine that sends, receives, ranges over a channel or waits in a
// select without a default case while it holds a sync.Mutex or
// sync.RWMutex keeps every other user of that mutex waiting for as long
// as the channel does. When the goroutine that would unblock it needs
// the same mutex first, neither can go on: the program deadlocks. That
// is what lockchan reports by default, at the operation or at a call,
// made under the lock, to a function that reaches it (in this package
// or another one, through facts).
//
// WRONG: run takes b.mu before it receives the next message, so a
// Publish that holds b.mu while it sends waits for run, which waits
// for b.mu:
//
//	func (b *Broker) run() {
//		for m := range b.in {
//			b.mu.Lock()
//			b.log = append(b.log, m)
//			b.mu.Unlock()
//		}
//	}
//
//	func (b *Broker) Publish(m Msg) {
//		b.mu.Lock()
//		defer b.mu.Unlock()
//		b.seq++
//		b.in <- m // send on `b.in` while holding `b.mu`; its only receiver takes `b.mu` first
//	}
//
// RIGHT: update the shared state under the lock, then release it
// before the channel operation:
//
//	func (b *Broker) Publish(m Msg) {
//		b.mu.Lock()
//		b.seq++
//		b.mu.Unlock()
//		b.in <- m
//	}
//
// The model, in the order the check applies it, in the package's
// functions and closures, those written in package-level variable
// declarations included (fixture deadlock/pkgvar.go):
//
//  1. Held: a lock is held at an operation when it is held on every path
//     to it. A deferred Unlock keeps the lock to the end of the function,
//     deferred calls run last-in, first-out, and a goroutine started
//     under a lock does not hold it.
//  2. Blocking: a send, a receive, a range over a channel, a select
//     without default; a call whose callee reaches one, at most
//     -lockchan.depth calls below (default 2). These exceptions clear an
//     operation from both tiers, tried in this order (clear.go):
//     buffered-local, a send on a channel the function made with room
//     for all its sends there; buffered-ranged, a send made at most once
//     per element in a range over x, on a channel the function made
//     with a buffer of len(x) and handed to no other code before it (a
//     map ranged over must not be written or passed to calls in the
//     loop: go-libp2p-kad-dht's CheckPeers), or stored in s[i] and
//     loaded back from s[i] at the send, the same index value and slice
//     path, with no other store of its type, no call but len, cap and
//     one WaitGroup.Done outside loops, and no other channel operation
//     in between, and no other send in the package on such channels
//     (concurrent-map's snapshot, fixtures basic/rangedslot.go: one
//     synchronizing operation cannot order another goroutine's store
//     into s[i] in between without a data race); buffered-covered, a send on a channel
//     whose constant buffer holds every send the package makes on it,
//     none of them in a loop or in a goroutine started in one (go work();
//     go work() on a channel of capacity 2); drained, a send after a non-blocking
//     drain of the channel under the lock; closed, a receive from a
//     channel the function closed before it on every path; fork-join, a
//     wait for goroutines the same function started (go f(c); <-c; or
//     go o.loop(); <-o.started, o an object the function made and
//     handed before the wait only to the goroutines it starts, its
//     field a channel made for it alone: certmagic's NewRateLimiter;
//     this clears only the stall tier: a join whose goroutines take the
//     held lock before they unblock it, in the function that holds the
//     lock or in one it calls, is judged a deadlock, fixtures
//     badForkJoinTakesLock, badForkJoinThroughCall);
//     len-guarded, a receive after len(ch) > 0 was checked under a lock
//     that every sender on the channel holds, still held at the receive;
//     slot-release, a receive from a buffered channel the function sent
//     on before it (a semaphore giving back its own slot: this assumes
//     every receiver releases a slot some send took);
//     buffered-by-design, a send on a channel the package always makes
//     buffered (a field only ever given a buffered channel, or an
//     element type of the package whose channels are all made
//     buffered), unless it sends on one field channel in a loop, which
//     fills the buffer under load. A call is also cleared when it is a
//     t.Run (b.Run, b.RunParallel, f.Fuzz) whose subtest takes none of
//     the held locks (subtest), and an operation when it follows the
//     function's release of a lock its caller holds (released: the
//     sync.Cond pattern).
//  3. Counterparts: the operations that can unblock it. A send is
//     unblocked by receives (receive, range, select case) on the same
//     channel; a receive by sends and close; a select by the union over
//     its cases. Channels are known by where the package keeps them: make
//     sites, struct fields (of a generic type, its origin's field; and a
//     call of a generic function's instance is a call of its generic
//     body: fixtures deadlock/generic.go), package variables (made in a
//     function or in their declaration, var quit = make(chan struct{}):
//     the package's initializer and the closures of its declarations
//     are read too), captured locals, and the containers they are
//     stored in, followed through stores,
//     arguments, results and channels of channels. A channel that
//     reaches code the package does not see has unknown counterparts:
//     a parameter of an exported function, an exported field or
//     variable, an argument to another package's function (unless that
//     function's fact says it only operates on the channel), an
//     interface, a timer, a context's Done channel. A context the
//     package makes with context.WithCancel of Background or TODO is
//     known: the calls of its cancel function, followed like a channel,
//     are the counterparts of a wait on its Done.
//  4. Needs the lock: a counterpart needs a held lock L when its
//     goroutine may take L before its operation: on a path from its
//     function's entry, or from its own previous operation around a
//     loop, in the function or in a function of the package it calls,
//     or in a function of the package that calls it, at most
//     -lockchan.depth calls away. Callbacks the package supplies count:
//     a call through a function-typed struct field counts as calls of
//     the functions the package stores in it, and a call through a
//     function-typed parameter takes L when every function the package
//     passes for it takes L. A callback handed to another package
//     counts when that package's fact says the goroutine that unblocks
//     the wait runs it first (W.Close waits for the goroutine that runs
//     the function passed to Monitor, before it closes done): the call
//     made under L is a deadlock when every function the package passed
//     there, for the value the call waits on (the field the call's
//     receiver is loaded from, or the value Monitor returned, stored
//     in that field or passed as that receiver), takes L. Taking L only after the operation
//     does not count (a closer that closes quit and then locks), nor,
//     by the exception started-flag, taking it only to set a flag the
//     wait checks: when the wait runs only once a boolean field f, read
//     under the held L, is true, a counterpart's Lock of L in its own
//     function is passed over if its critical section, on every path
//     to the operation, sets f to true after finding it false, and no
//     loop brings the Lock back before the operation (robfig/cron v3's
//     Run and Schedule, fixtures deadlock/startflag.go). A waiter that
//     sees f set knows the goroutine set it and is past its Lock, or
//     found it set and returns without reaching its operation. Nor, by
//     the exception own-goroutine, a Lock made in the waiter's own
//     goroutine: when the held L is a field of the waiting function's
//     receiver (reached without a pointer load), a counterpart's
//     function that locks the same field of its own receiver (or calls
//     methods on its receiver that do) is passed over if it and the
//     waiting function run only in one goroutine per value: every chain
//     of the package's calls into either starts at the same go
//     statement, which starts a method on a value its function has just
//     made, outside any loop (c := &Conn{...}; go c.loop()), and passes
//     the receiver on at each call, none of the functions exported,
//     used as a value, or named like a method the package calls through
//     an interface. On the waiter's value that counterpart runs in the
//     waiting goroutine itself; on another value it takes another mutex
//     (x/net/quic's connection loop, which locks and unlocks each
//     stream's gate under sendMu, fixtures deadlock/owngoroutine.go).
//     The same holds per call: when L lies in an object the waiting
//     function made itself (r := &rec{...}), reached without a pointer
//     load, its own Locks of that object (directly or through calls it
//     passes the object to) on the way to a counterpart, such as a
//     deferred close that ends in the callback that sends, are passed
//     over: that frame is the waiting call, or another call locking
//     another object (mongo-driver's CMAP test, okWaitOwnEvents). A
//     counterpart so passed over counts as one that does not need L:
//     on another value or call it may send on a shared channel. A
//     read lock held is needed only by a counterpart that takes L for
//     writing.
//     Locks are compared by the struct field that holds them (all values
//     of the type), or by the package variable or captured local they are;
//     a local mutex declared inside a loop is a new mutex each time
//     around, so its acquisition counts only along paths that do not
//     pass its declaration (fixture okFreshMutexPerIteration).
//  5. Deadlock (category lockchan-deadlock, reported by default): at
//     least one counterpart is known, none is unknown, every one needs
//     L, and, for a send, some make site of the channel gives it no
//     buffer (a buffer gives a send room; a receive from an empty buffer
//     waits all the same). The message says so; the related information
//     shows where each counterpart takes L and where it waits.
//  6. Wait before the drain (category lockchan-deadlock, reported by
//     default): a function makes a channel with a constant buffer of n,
//     starts goroutines that it then joins (wg.Wait, errgroup's Wait),
//     and receives from the channel only after the join, while nothing
//     else receives from it. If those goroutines send more than n values
//     on every path (or any number, in a loop, when n is 0), a sender
//     blocks on the full buffer and the join never returns. Sends on only
//     some paths, and goroutines started in a loop with a buffer, are not
//     counted: the buffer may hold them.
//  7. Stall (category lockchan-stall, reported with -lockchan.stalls):
//     every other wait under a lock, with the reason it is not a
//     deadlock: the other side does not take the lock, is not known,
//     is absent from the package, or the channel is buffered. When the
//     other side does not take the lock itself but first calls a
//     function value the package does not resolve (a handler its user
//     set), the message says so: it deadlocks if that handler calls
//     back into code that takes the lock (fixture callback/opaque). A stall
//     holds up every user of the lock for as long as the channel waits;
//     it is worth a look where the other side is slow.
//
// Limitations: a mutex is compared by the field that holds it, so two
// values of one type share a lock in the model; a deadlock between two
// values that never meet is reported. Calls through interfaces and
// function values other than function-typed fields of the package are
// not followed, neither to find a blocking operation nor to find a
// counterpart's lock, except callbacks of the package (rule 4); a
// callback handed to another package is matched to the wait only
// through a method's receiver, and only when that package's goroutine
// calls it directly or through its own unexported functions. Channels
// in one container are one channel in the model: their counterparts are
// pooled, which can hide a deadlock, never invent one. A function that
// unlocks a mutex its caller holds before it blocks (the sync.Cond
// pattern) is assumed to release the caller's lock. A fork-join in
// another package is cleared from both tiers, even when its goroutines
// take a lock the caller holds: facts do not carry it.
package lockchan
