package joincall

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type counting struct {
	opened int64
	closed int64
	ticks  int64
}

func (c *counting) OnOpen()  { atomic.AddInt64(&c.opened, 1) }
func (c *counting) OnClose() { atomic.AddInt64(&c.closed, 1) }
func (c *counting) OnTick()  { atomic.AddInt64(&c.ticks, 1) }

func TestServeJoined(t *testing.T) {
	h := &counting{}
	if err := Run(h, 4); err != nil {
		t.Fatal(err)
	}
	if h.opened != 4 || h.closed != 4 { // ok: Run returned after its loops exited (fixture TestServeJoined in atomicmix/joincall, gnet's testShutdown) // excused joincall
		t.Fatal(h.opened) // ok: the same // excused joincall
	}
	h.opened, h.closed = 0, 0 // ok: after the first Run's loops, before the second's // excused joincall
	if err := Run(h, 2); err != nil {
		t.Fatal(err)
	}
}

func TestServeTicking(t *testing.T) {
	h := &counting{}
	RunTicking(h, 2)
	_ = h.opened // ok: RunTicking joins the loops; its ticker calls OnTick only // excused joincall
	_ = h.ticks  // want "non-atomic read of `h.ticks`, which is accessed atomically elsewhere"
}

func TestServeDetached(t *testing.T) {
	h := &counting{}
	RunDetached(h, true)
	_ = h.opened // want "non-atomic read of `h.opened`, which is accessed atomically elsewhere"
}

func TestServeHalf(t *testing.T) {
	h := &counting{}
	RunHalf(h)
	_ = h.opened // ok: the goroutine that opens is joined // excused joincall
	_ = h.closed // want "non-atomic read of `h.closed`, which is accessed atomically elsewhere"
}

func TestReadBeforeWait(t *testing.T) {
	h := &counting{}
	s := Start(h, 2)
	_ = h.opened // want "non-atomic read of `h.opened`, which is accessed atomically elsewhere"
	s.Wait()
}

func TestShutdown(t *testing.T) {
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { testServeLocal(t) })
	}
	wg.Go(func() { testServeWatched(t) })
	wg.Wait()
}

// testServeLocal runs in goroutines of TestShutdown; its counter is its
// own (evio's testShutdown).
func testServeLocal(t *testing.T) {
	var clients int64
	var ev Events
	ev.Opened = func() { atomic.AddInt64(&clients, 1) }
	ev.Closed = func() { atomic.AddInt64(&clients, -1) }
	Serve(ev, 4)
	if clients != 0 { // ok: Serve returned after its loops exited (fixture testServeLocal in atomicmix/joincall) // excused joincall
		t.Error("clients left")
	}
}

func testServeWatched(t *testing.T) {
	var clients int64
	var ev Events
	ev.Opened = func() { atomic.AddInt64(&clients, 1) }
	ev.Closed = func() { atomic.AddInt64(&clients, -1) }
	ServeWatched(ev, 4)
	if clients != 0 { // want "non-atomic read of `clients`, which is accessed atomically elsewhere"
		t.Error("clients left")
	}
}

func TestNested(t *testing.T) {
	h := &counting{}
	RunNested(h, 3)
	_ = h.opened // ok: every level joined the loop it started // excused joincall
}

func TestNestedLeaky(t *testing.T) {
	h := &counting{}
	RunNestedLeaky(h, 3)
	_ = h.opened // ok: the levels' loops are joined // excused joincall
	_ = h.closed // want "non-atomic read of `h.closed`, which is accessed atomically elsewhere"
}

// A relay's ticks open its next handler from a goroutine they leave
// running. Only TestRelay makes relays into Handlers, so the ticks of
// the other tests' servers never run relay.OnTick (fixture
// TestServeTicking: its h.opened stays excused).
type relay struct{ next Handler }

func (r *relay) OnOpen()  {}
func (r *relay) OnClose() {}
func (r *relay) OnTick()  { go func() { r.next.OnOpen() }() }

func TestRelay(t *testing.T) {
	RunTicking(&relay{next: &counting{}}, 1)
}

// The test's own goroutines, joined by the test itself before the
// read (the plainest counter test; client_golang's gauge tests read
// after a join forwarded through other goroutines, which is not seen).

func TestOwnJoin(t *testing.T) {
	h := &counting{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.OnOpen()
		}()
	}
	wg.Wait()
	if h.opened != 4 { // ok: every goroutine that opens was waited for // excused joincall
		t.Fatal(h.opened) // ok: the same // excused joincall
	}
}

func TestOwnJoinGo(t *testing.T) {
	h := &counting{}
	var wg sync.WaitGroup
	wg.Go(h.OnOpen)
	wg.Go(func() { h.OnClose() })
	wg.Wait()
	if h.closed != 1 { // ok: wg.Go's goroutines were waited for // excused joincall
		t.Fatal()
	}
}

func TestOwnJoinReadBefore(t *testing.T) {
	h := &counting{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		h.OnOpen()
	}()
	if h.opened > 1 { // want "non-atomic read of `h.opened`, which is accessed atomically elsewhere"
		t.Fatal()
	}
	wg.Wait()
}

func TestOwnJoinOnePath(t *testing.T) {
	h := &counting{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		h.OnOpen()
	}()
	if testing.Short() {
		wg.Wait()
	}
	if h.opened != 1 { // want "non-atomic read of `h.opened`, which is accessed atomically elsewhere"
		t.Fatal()
	}
}

func TestOwnJoinDeferredWait(t *testing.T) {
	h := &counting{}
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() {
		defer wg.Done()
		h.OnOpen()
	}()
	if h.opened != 1 { // want "non-atomic read of `h.opened`, which is accessed atomically elsewhere"
		t.Fatal()
	}
}

func TestOwnJoinOtherGroup(t *testing.T) {
	h := &counting{}
	var wg, other sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		h.OnOpen()
	}()
	other.Wait()
	if h.opened != 1 { // want "non-atomic read of `h.opened`, which is accessed atomically elsewhere"
		t.Fatal()
	}
	wg.Wait()
}

func TestOwnJoinDoneEarly(t *testing.T) {
	h := &counting{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		wg.Done()
		h.OnOpen()
	}()
	wg.Wait()
	if h.opened != 1 { // want "non-atomic read of `h.opened`, which is accessed atomically elsewhere"
		t.Fatal()
	}
}

func TestOwnJoinForwarded(t *testing.T) {
	h := &counting{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.OnOpen()
		}()
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	<-done
	if h.opened != 4 { // ok: done is closed only after the Wait // excused joincall
		t.Fatal()
	}
}

func TestForwardedCloseBeforeWait(t *testing.T) {
	h := &counting{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		h.OnOpen()
	}()
	done := make(chan struct{})
	go func() {
		close(done)
		wg.Wait()
	}()
	<-done
	if h.opened != 1 { // want "non-atomic read of `h.opened`, which is accessed atomically elsewhere"
		t.Fatal()
	}
}

func TestForwardedWaiterFirst(t *testing.T) {
	h := &counting{}
	var wg sync.WaitGroup
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		h.OnOpen()
	}()
	<-done
	if h.opened != 1 { // want "non-atomic read of `h.opened`, which is accessed atomically elsewhere"
		t.Fatal()
	}
}

func TestForwardedOtherChannel(t *testing.T) {
	h := &counting{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		h.OnOpen()
	}()
	done, ready := make(chan struct{}), make(chan struct{})
	go func() {
		close(ready)
		wg.Wait()
		close(done)
	}()
	<-ready
	if h.opened != 1 { // want "non-atomic read of `h.opened`, which is accessed atomically elsewhere"
		t.Fatal()
	}
	<-done
}

func TestForwardedSelect(t *testing.T) {
	h := &counting{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		h.OnOpen()
	}()
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("timeout")
	}
	if h.opened != 1 { // ok: the timeout case does not return // excused joincall
		t.Fatal()
	}
}

func TestForwardedSelectFallsThrough(t *testing.T) {
	h := &counting{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		h.OnOpen()
	}()
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Nanosecond):
		t.Log("timeout")
	}
	if h.opened != 1 { // want "non-atomic read of `h.opened`, which is accessed atomically elsewhere"
		t.Fatal()
	}
}
