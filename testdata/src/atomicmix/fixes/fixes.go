// Package fixes exercises the suggested fixes; fixes.go.golden holds
// the result of applying them.
package fixes

import "sync/atomic"

type Meter struct {
	n     int64
	flags uint32
	total uint64
}

func (m *Meter) mark() {
	atomic.AddInt64(&m.n, 1)
	atomic.OrUint32(&m.flags, 1)
	atomic.AddUint64(&m.total, 1)
}

func (m *Meter) badRead() int64 {
	return m.n + 1 // want "non-atomic read of `m.n`"
}

func (m *Meter) badStore() {
	m.flags = 0 // want "non-atomic write of `m.flags`"
}

func (m *Meter) badInc() {
	m.n++ // want "non-atomic increment of `m.n`"
}

func (m *Meter) badDec() {
	m.n-- // want "non-atomic decrement of `m.n`"
}

func (m *Meter) badAddAssign(d int64) {
	m.n += d // want "non-atomic update of `m.n`"
}

// badUnsignedDec gets no fix: atomic.AddUint64 of -1 does not compile.
func (m *Meter) badUnsignedDec() {
	m.total-- // want "non-atomic decrement of `m.total`"
}

// badMulAssign gets no fix: sync/atomic has no multiply.
func (m *Meter) badMulAssign() {
	m.n *= 2 // want "non-atomic update of `m.n`"
}

// Pair's fields are both atomic elsewhere: one statement gets a store
// (or an add) and a load, whose edits meet at the end of p.b.
type Pair struct{ a, b int64 }

func (p *Pair) touch() {
	atomic.AddInt64(&p.a, 1)
	atomic.AddInt64(&p.b, 1)
}

func (p *Pair) badCopyField() {
	p.a = p.b // want "non-atomic write of `p.a`" "non-atomic read of `p.b`"
}

func (p *Pair) badAddField() {
	p.a += p.b // want "non-atomic update of `p.a`" "non-atomic read of `p.b`"
}

// badShadowed gets no fix: a local named atomic hides the package.
func (p *Pair) badShadowed() int64 {
	atomic := p.b // want "non-atomic read of `p.b`"
	return atomic + p.a // want "non-atomic read of `p.a`"
}
