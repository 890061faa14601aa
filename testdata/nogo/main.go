// Command nogo is what rules_go's nogo rule generates from sharedvet's
// passes: a unitchecker over their exported Analyzer values, with none
// of sharedvet's own driver. TestNogoStyle builds it and runs it as a
// go vet tool, which speaks the same unitchecker protocol.
package main

import (
	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/sharedvet/sharedvet/passes/atomicmix"
	"github.com/sharedvet/sharedvet/passes/gocapture"
	"github.com/sharedvet/sharedvet/passes/lockchan"
)

func main() {
	unitchecker.Main(lockchan.Analyzer, atomicmix.Analyzer, gocapture.Analyzer)
}
