// Command sharedvet reports shared-state misuse in concurrent Go code:
// channel operations that block while a mutex is held, fields accessed
// both atomically and plainly, and variables raced by goroutines.
//
// Run it standalone on go list patterns:
//
//	sharedvet ./...
//
// or as a go vet tool:
//
//	go vet -vettool=$(which sharedvet) ./...
package main

import (
	"github.com/sharedvet/sharedvet/analyzer"
	"github.com/sharedvet/sharedvet/internal/driver"
)

func main() { driver.Main(analyzer.All()) }
