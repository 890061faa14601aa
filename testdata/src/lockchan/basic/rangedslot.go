package basic

import "sync"

// buffered-ranged through a slice element: concurrent-map v2's snapshot
// (docs/findings.md). Each goroutine makes its shard's channel with a
// slot per item, under the shard's read lock, keeps it in chans[index],
// and sends each item on chans[index]. Each bad function here blocks
// (docs/repro/lockchan/rangedslot_fixtures_block_test.go.txt).
type Shard struct {
	sync.RWMutex
	items map[string]int
	list  []int
}

// The bad fixtures below that do something between the store and the
// sends range over a slice value, items := shard.list, whose length
// cannot change, so that only the element is in question.

func okSlotSnapshot(shards []*Shard) (chans []chan int) {
	chans = make([]chan int, len(shards))
	wg := sync.WaitGroup{}
	wg.Add(len(shards))
	for index, shard := range shards {
		go func(index int, shard *Shard) {
			shard.RLock()
			chans[index] = make(chan int, len(shard.items))
			wg.Done()
			for _, v := range shard.items {
				chans[index] <- v // ok: the element holds the channel made with a slot per item
			}
			shard.RUnlock()
			close(chans[index])
		}(index, shard)
	}
	wg.Wait()
	return chans
}

// badSlotOtherIndex sends on the next goroutine's element, which may
// not be made yet (a nil channel) or be full.
func badSlotOtherIndex(shards []*Shard) []chan int {
	chans := make([]chan int, len(shards)+1)
	var wg sync.WaitGroup
	for index, shard := range shards {
		wg.Add(1)
		go func(index int, shard *Shard) {
			defer wg.Done()
			shard.RLock()
			defer shard.RUnlock()
			chans[index] = make(chan int, len(shard.items))
			for _, v := range shard.items {
				chans[index+1] <- v // want "send on `chans\\[index \\+ 1\\]` while holding `shard`"
			}
		}(index, shard)
	}
	wg.Wait()
	return chans
}

// badSlotOverwritten may store an unbuffered channel in the element
// before it sends on it.
func badSlotOverwritten(shard *Shard, other int) []chan int {
	chans := make([]chan int, 2)
	shard.RLock()
	defer shard.RUnlock()
	items := shard.list
	chans[0] = make(chan int, len(items))
	chans[other] = make(chan int)
	for _, v := range items {
		chans[0] <- v // want "send on `chans\\[0\\]` while holding `shard`"
	}
	return chans
}

// badSlotReplaced tells another goroutine it may go on between its
// store and its sends; that goroutine replaces the element with an
// unbuffered channel.
func badSlotReplaced(shard *Shard) []chan int {
	chans := make([]chan int, 1)
	ready := make(chan bool)
	go func() {
		<-ready
		chans[0] = make(chan int)
		ready <- true
	}()
	shard.RLock()
	defer shard.RUnlock()
	items := shard.list
	chans[0] = make(chan int, len(items))
	ready <- true // want "send on `ready` while holding `shard`"
	<-ready       // want "receive from `ready` while holding `shard`"
	for _, v := range items {
		chans[0] <- v // want "send on `chans\\[0\\]` while holding `shard`"
	}
	return chans
}

// badSlotOtherSender's goroutines also send on the element they read:
// each takes a slot of a buffer that has one per item.
func badSlotOtherSender(shards []*Shard) []chan int {
	chans := make([]chan int, len(shards))
	var wg sync.WaitGroup
	for index, shard := range shards {
		wg.Add(1)
		go func(index int, shard *Shard) {
			defer wg.Done()
			shard.RLock()
			defer shard.RUnlock()
			chans[index] = make(chan int, len(shard.items))
			for _, v := range shard.items {
				chans[index] <- v // want "send on `chans\\[index\\]` while holding `shard`"
			}
		}(index, shard)
		go func(index int) {
			if ch := chans[index]; ch != nil {
				ch <- -1
			}
		}(index)
	}
	wg.Wait()
	return chans
}

// badSlotBeforeLock counts the items before it takes the lock: a writer
// may add some before the range.
func badSlotBeforeLock(shard *Shard) []chan int {
	chans := make([]chan int, 1)
	chans[0] = make(chan int, len(shard.items))
	shard.RLock()
	defer shard.RUnlock()
	for _, v := range shard.items {
		chans[0] <- v // want "send on `chans\\[0\\]` while holding `shard`"
	}
	return chans
}

// badSlotCallBetween calls code that may replace the element between
// its store and its sends.
func badSlotCallBetween(shard *Shard) []chan int {
	chans := make([]chan int, 1)
	shard.RLock()
	defer shard.RUnlock()
	items := shard.list
	chans[0] = make(chan int, len(items))
	replaceFirst(chans)
	for _, v := range items {
		chans[0] <- v // want "send on `chans\\[0\\]` while holding `shard`"
	}
	return chans
}

func replaceFirst(chans []chan int) { chans[0] = make(chan int) }

// badSlotTwoReceives: its first receive orders its store before the
// other goroutine's, its second orders the other goroutine's store
// before its sends.
func badSlotTwoReceives(shard *Shard) []chan int {
	chans := make([]chan int, 1)
	stored, replaced := make(chan bool), make(chan bool)
	go func() {
		stored <- true
		chans[0] = make(chan int)
		replaced <- true
	}()
	shard.RLock()
	defer shard.RUnlock()
	items := shard.list
	chans[0] = make(chan int, len(items))
	<-stored   // ok: waits for the goroutine it started (fork-join)
	<-replaced // ok: waits for the goroutine it started (fork-join)
	for _, v := range items {
		chans[0] <- v // want "send on `chans\\[0\\]` while holding `shard`"
	}
	return chans
}

// badSlotTwoSends does the same with two sends on unbuffered channels,
// each of which completes only once received.
func badSlotTwoSends(shard *Shard) []chan int {
	chans := make([]chan int, 1)
	stored, replaced := make(chan bool), make(chan bool)
	go func() {
		<-stored
		chans[0] = make(chan int)
		<-replaced
	}()
	shard.RLock()
	defer shard.RUnlock()
	items := shard.list
	chans[0] = make(chan int, len(items))
	stored <- true   // want "send on `stored` while holding `shard`"
	replaced <- true // want "send on `replaced` while holding `shard`"
	for _, v := range items {
		chans[0] <- v // want "send on `chans\\[0\\]` while holding `shard`"
	}
	return chans
}

// badSlotTwoDones: a WaitGroup's Done is an atomic operation; between
// two of them, a goroutine that saw the first (its Wait returned) may
// store into the element and call Add, which the second then sees.
func badSlotTwoDones(shard *Shard, wg *sync.WaitGroup) []chan int {
	chans := make([]chan int, 1)
	go func() {
		wg.Wait()
		chans[0] = make(chan int)
		wg.Add(1)
	}()
	shard.RLock()
	defer shard.RUnlock()
	items := shard.list
	chans[0] = make(chan int, len(items))
	wg.Done()
	wg.Done()
	for _, v := range items {
		chans[0] <- v // want "send on `chans\\[0\\]` while holding `shard`"
	}
	return chans
}

// badSlotDoneInLoop calls Done once per item: many atomic operations.
func badSlotDoneInLoop(shard *Shard, wg *sync.WaitGroup) []chan int {
	chans := make([]chan int, 1)
	go func() {
		wg.Wait()
		chans[0] = make(chan int)
		wg.Add(1)
	}()
	shard.RLock()
	defer shard.RUnlock()
	items := shard.list
	chans[0] = make(chan int, len(items))
	for _, v := range items {
		chans[0] <- v // want "send on `chans\\[0\\]` while holding `shard`"
		wg.Done()
	}
	return chans
}

// badSlotGrownBeforeStore counts the items, then lets code add some
// before it makes the channel and ranges.
func badSlotGrownBeforeStore(shard *Shard, grow func(*Shard)) []chan int {
	chans := make([]chan int, 1)
	shard.RLock()
	defer shard.RUnlock()
	n := len(shard.items)
	grow(shard)
	chans[0] = make(chan int, n)
	for _, v := range shard.items {
		chans[0] <- v // want "send on `chans\\[0\\]` while holding `shard`"
	}
	return chans
}

var _, _, _, _, _, _, _, _, _, _, _, _ = okSlotSnapshot, badSlotOtherIndex, badSlotOverwritten, badSlotReplaced, badSlotOtherSender, badSlotBeforeLock,
	badSlotCallBetween, badSlotTwoReceives, badSlotTwoSends, badSlotTwoDones, badSlotDoneInLoop, badSlotGrownBeforeStore
