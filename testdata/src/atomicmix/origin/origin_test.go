package origin

import "testing"

// TestSwap is grpc's: it calls swap without the balancer's lock, keeps
// the old inactive bucket across it and publishes it on another
// counter. That is the test's own handling of the slot; the package's
// accesses in origin.go are judged without it (the ok lines there), and
// the test starts no goroutine, so its own accesses are not reported.
func TestSwap(t *testing.T) {
	c := newCounter()
	c.record(true)
	ib := c.inactive
	c.swap()
	want := newCounter()
	want.active.Store(ib)
	if got := *c.inactive; got.succ != 1 { // ok: a single-goroutine test // excused testscope, unpublished
		t.Fatal(got) // excused unpublished
	}
}
