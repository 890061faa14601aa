// Package conc is a stub of github.com/sourcegraph/conc's WaitGroup,
// whose Go runs f in a goroutine through a function of another
// package.
package conc

import (
	"sync"

	"github.com/sourcegraph/conc/panics"
)

type WaitGroup struct {
	wg sync.WaitGroup
	pc panics.Catcher
}

func (h *WaitGroup) Go(f func()) {
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		h.pc.Try(f)
	}()
}

func (h *WaitGroup) Wait() { h.wg.Wait() }
