// Command sharedvet reports shared-state misuse in concurrent Go code:
// channel operations that block while a mutex is held, fields accessed
// both atomically and plainly, and variables raced by goroutines.
//
// Run it standalone on go list patterns:
//
//	sharedvet ./...
//
// or as a go vet tool, by a path that exists (a bare $(which sharedvet)
// expands to nothing when sharedvet is not on PATH, and go vet given
// an empty tool runs its own checks instead):
//
//	go vet -vettool="$(command -v sharedvet || echo sharedvet-not-on-PATH)" ./...
package main

import (
	"github.com/sharedvet/sharedvet/analyzer"
	"github.com/sharedvet/sharedvet/internal/driver"
)

func main() { driver.Main(analyzer.All()) }
