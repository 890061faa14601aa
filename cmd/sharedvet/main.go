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
//
// or as a language server in front of gopls, which adds sharedvet's
// diagnostics and fixes to gopls's (`sharedvet gopls`, or the binary
// under a name ending in gopls):
//
//	sharedvet gopls
package main

import (
	"os"

	"github.com/sharedvet/sharedvet/analyzer"
	"github.com/sharedvet/sharedvet/internal/driver"
	"github.com/sharedvet/sharedvet/internal/lspproxy"
)

func main() {
	if args, ok := lspproxy.Invoked(os.Args); ok {
		os.Exit(lspproxy.Main(args, analyzer.All()))
	}
	driver.Main(analyzer.All())
}
