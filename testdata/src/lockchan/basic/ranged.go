package basic

import "sync"

// Peers hands its address book out on a channel made for it
// (go-libp2p-kad-dht's FullRT.CheckPeers): the channel has room for
// one send per element of the collection ranged over, so no send waits.
type Peers struct {
	mu    sync.RWMutex
	addrs map[string][]string
}

func (p *Peers) okRangedMapField() <-chan []string {
	p.mu.RLock()
	ch := make(chan []string, len(p.addrs))
	for k, v := range p.addrs {
		ch <- append([]string{k}, v...) // ok: the buffer has a slot for every entry of the map
	}
	close(ch)
	p.mu.RUnlock()
	return ch
}

func (p *Peers) okRangedSlice(ids ...string) <-chan []string {
	ch := make(chan []string, len(ids))
	p.mu.RLock()
	for _, id := range ids {
		ch <- p.addrs[id] // ok: the buffer has a slot for every element
	}
	p.mu.RUnlock()
	close(ch)
	return ch
}

func (p *Peers) okRangedSliceSkips(ids []string) <-chan string {
	ch := make(chan string, len(ids))
	p.mu.RLock()
	defer p.mu.RUnlock()
	for _, id := range ids {
		if _, ok := p.addrs[id]; !ok {
			continue
		}
		ch <- id // ok: at most one send per element
	}
	return ch
}

func (p *Peers) badRangedTwoSends(ids []string) <-chan string {
	ch := make(chan string, len(ids))
	p.mu.RLock()
	defer p.mu.RUnlock()
	for _, id := range ids {
		ch <- id // want "send on `ch` while holding `p.mu`"
		ch <- id // want "send on `ch` while holding `p.mu`"
	}
	return ch
}

func (p *Peers) badRangedNested(ids []string) <-chan string {
	ch := make(chan string, len(ids))
	p.mu.RLock()
	defer p.mu.RUnlock()
	for _, id := range ids {
		for _, a := range p.addrs[id] {
			ch <- a // want "send on `ch` while holding `p.mu`"
		}
	}
	return ch
}

func (p *Peers) badRangedOtherSlice(ids, more []string) <-chan string {
	ch := make(chan string, len(ids))
	p.mu.RLock()
	defer p.mu.RUnlock()
	for _, id := range more {
		ch <- id // want "send on `ch` while holding `p.mu`"
	}
	return ch
}

func (p *Peers) badRangedTwice(ids []string) <-chan string {
	ch := make(chan string, len(ids))
	p.mu.RLock()
	defer p.mu.RUnlock()
	for range 2 {
		for _, id := range ids {
			ch <- id // want "send on `ch` while holding `p.mu`"
		}
	}
	return ch
}

func (p *Peers) badRangedGrown(ids []string) <-chan string {
	ch := make(chan string, len(ids))
	ids = append(ids, "self")
	p.mu.RLock()
	defer p.mu.RUnlock()
	for _, id := range ids {
		ch <- id // want "send on `ch` while holding `p.mu`"
	}
	return ch
}

func (p *Peers) badRangedHandedOff(ids []string, out chan<- chan string) {
	ch := make(chan string, len(ids))
	out <- ch
	p.mu.RLock()
	defer p.mu.RUnlock()
	for _, id := range ids {
		ch <- id // want "send on `ch` while holding `p.mu`"
	}
}

func (p *Peers) badRangedMapWritten() <-chan string {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch := make(chan string, len(p.addrs))
	for k := range p.addrs {
		p.addrs[k+"'"] = nil
		ch <- k // want "send on `ch` while holding `p.mu`"
	}
	return ch
}

func (p *Peers) badRangedMapCalls(grow func(map[string][]string)) <-chan string {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch := make(chan string, len(p.addrs))
	for k := range p.addrs {
		grow(p.addrs)
		ch <- k // want "send on `ch` while holding `p.mu`"
	}
	return ch
}

func (p *Peers) badRangedMapReloaded(fresh map[string][]string) <-chan string {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch := make(chan string, len(p.addrs))
	p.addrs = fresh
	for k := range p.addrs {
		ch <- k // want "send on `ch` while holding `p.mu`"
	}
	return ch
}

// okRangedCapturedReceiver reloads p from its cell at each use, since
// the closure captures it (CheckPeers's dht).
func (p *Peers) okRangedCapturedReceiver(each func(func() int)) <-chan string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	ch := make(chan string, len(p.addrs))
	for k := range p.addrs {
		ch <- k // ok: the buffer has a slot for every entry of the map
	}
	each(func() int { return len(p.addrs) })
	return ch
}

func (p *Peers) badRangedCapturedReassigned(other *Peers, each func(func() int)) <-chan string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	ch := make(chan string, len(p.addrs))
	p = other
	for k := range p.addrs {
		ch <- k // want "send on `ch` while holding `p.mu`"
	}
	each(func() int { return len(p.addrs) })
	return ch
}
