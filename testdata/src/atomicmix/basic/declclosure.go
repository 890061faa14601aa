package basic

import (
	"sync"
	"sync/atomic"
)

// Closures written in package-level variable declarations (an HTTP
// handler kept in a variable): go/ssa makes them in the package's
// initializer, which buildssa's SrcFuncs does not list; the check reads
// them all the same (srcfuncs.Checked).

var declHits int64

func declCount() { atomic.AddInt64(&declHits, 1) }

var badDeclHandler = func() {
	declHits++ // want "non-atomic increment of `declHits`, which is accessed atomically elsewhere"
}

var badDeclReport = map[string]func() int64{
	"hits": func() int64 {
		return declHits // want "non-atomic read of `declHits`, which is accessed atomically elsewhere"
	},
}

var okDeclLoad = func() int64 {
	return atomic.LoadInt64(&declHits) // ok: atomic
}

var (
	declMu   sync.Mutex
	declSeen int64
)

// declSeen is written only under declMu, and loaded atomically on a fast path.
var okDeclSlowPath = func() int64 {
	if v := atomic.LoadInt64(&declSeen); v != 0 {
		return v
	}
	declMu.Lock()
	defer declMu.Unlock()
	if declSeen == 0 { // ok: every write holds declMu // excused guard
		atomic.StoreInt64(&declSeen, 1)
	}
	return declSeen // ok: every write holds declMu // excused guard
}
