// Package lockchan defines an Analyzer that reports channel operations
// that may block while a mutex is held.
//
// # Analyzer lockchan
//
// lockchan: report channel operations that may block while a mutex is held
//
// A goroutine that sends, receives, ranges over a channel or waits in a
// select without a default case while it holds a sync.Mutex or
// sync.RWMutex keeps every other user of that mutex waiting for as long
// as the channel does. If the goroutine that would unblock it needs the
// same mutex, the program deadlocks. The check also reports a call,
// made while a lock is held, to a function that may block on a channel,
// directly or through further static calls, in this package or another
// one.
//
// WRONG:
//
//	func (b *Broker) Publish(m Msg) {
//		b.mu.Lock()
//		defer b.mu.Unlock()
//		b.seq++
//		b.out <- m // blocks while b.mu is held
//	}
//
// RIGHT: update the shared state under the lock, then release it
// before the channel operation (or use select with a default case if
// dropping the message is acceptable):
//
//	func (b *Broker) Publish(m Msg) {
//		b.mu.Lock()
//		b.seq++
//		b.mu.Unlock()
//		b.out <- m
//	}
//
// A lock counts as held when it is held on every path to the
// operation. A deferred Unlock keeps the lock held to the end of the
// function, and deferred calls run in last-in, first-out order. A
// goroutine started while a lock is held does not hold it. A send on a
// channel that the same function made with a buffer large enough for
// all of its sends there never blocks and is not reported.
//
// A call is reported when the blocking operation is at most two calls
// below it (the -lockchan.depth flag raises the limit): deeper chains
// mostly end in operations on rare paths. Waiting for a goroutine the
// same function started (go f(c); <-c) is a fork-join, not reported;
// so is t.Run (b.Run, b.RunParallel, f.Fuzz) unless its closure, or a
// function of the package it calls, takes a lock the caller holds. A
// receive from a channel that the function closed before it, on every
// path, never blocks and is not reported.
//
// Limitations: locks are identified by the variable and fields they
// are reached through, so a mutex reached through two different
// pointers is two mutexes. Calls through interfaces and function
// values are not followed, nor are locks taken inside helper functions
// (a method that only calls s.mu.Lock()). A function that unlocks a
// mutex its caller holds before it blocks (the sync.Cond pattern) is
// assumed to release the caller's lock. Channels that are known by the
// program's logic to be buffered and never full are still reported:
// silence such a line with a //lint:ignore directive.
package lockchan
