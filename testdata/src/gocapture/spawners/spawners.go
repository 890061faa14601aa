// Package spawners uses spawners named by the -gocapture.spawners flag.
package spawners

import "gocapture/spawners/pool"

// badPoolGo writes in a goroutine started by pool.Go.
func badPoolGo() int {
	x := 0
	pool.Go(func() {
		x = 1 // want "goroutine writes `x`, which is read after the goroutine is started without synchronization"
	})
	return x
}

// badSubmit writes in a goroutine started by (*pool.Pool).Submit.
func badSubmit(p *pool.Pool) int {
	x := 0
	p.Submit("t", func() {
		x = 1 // want "goroutine writes `x`, which is read after the goroutine is started without synchronization"
	})
	return x
}

// okJoined receives the goroutine's signal.
func okJoined() int {
	x := 0
	done := make(chan bool)
	pool.Go(func() {
		x = 1
		done <- true
	})
	<-done
	return x // ok: after the receive
}

// okNotSpawner calls a function not named in the flag.
func okNotSpawner() int {
	x := 0
	run(func() { x = 1 })
	return x // ok: run calls f synchronously
}

func run(f func()) { f() }
