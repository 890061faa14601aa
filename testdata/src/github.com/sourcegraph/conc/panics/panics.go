// Package panics is a stub of github.com/sourcegraph/conc/panics.
package panics

type Catcher struct{ recovered any }

func (p *Catcher) Try(f func()) {
	defer func() { p.recovered = recover() }()
	f()
}
