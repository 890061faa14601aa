package basic

import (
	"sync"
	"testing"
)

type node struct {
	sync.Mutex
	bytes uint64
}

// entryBytesLocked is called with the node's lock held.
func (n *node) entryBytesLocked(k uint64) uint64 { return n.bytes * k }

func (n *node) entryBytes(k uint64) uint64 {
	n.Lock()
	defer n.Unlock()
	return n.entryBytesLocked(k)
}

// okSubtestUnderLock holds the node's lock around subtests that only
// call its ...Locked helpers: t.Run is a fork-join (nats-server's raft
// tests).
func TestOKSubtestUnderLock(t *testing.T) { // want TestOKSubtestUnderLock:`blocks\(a channel receive at .*/testing.go:\d+, 1 calls deep\)`
	n := &node{}
	n.Lock()
	defer n.Unlock()
	for _, k := range []uint64{1, 2, 3} {
		t.Run("case", func(t *testing.T) { // ok: the subtest takes no lock the test holds (fixture okSubtestUnderLock)
			n.bytes = k
			if n.entryBytesLocked(k) != k*k {
				t.Fatal("bad")
			}
		})
	}
}

// badSubtestLocks: the subtest takes the lock the test holds, through
// entryBytes, and t.Run waits for it forever.
func TestBadSubtestLocks(t *testing.T) { // want TestBadSubtestLocks:`blocks\(a channel receive at .*/testing.go:\d+, 1 calls deep\)`
	n := &node{}
	n.Lock()
	defer n.Unlock()
	t.Run("case", func(t *testing.T) { // want "call to `t.Run` may block on a channel receive .* while holding `n`"
		if n.entryBytes(2) != 0 {
			t.Fatal("bad")
		}
	})
}
