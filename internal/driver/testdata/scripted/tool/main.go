// Command tool is sharedvet's driver with only the scripted test
// analyzer, for the driver's tests under go vet -vettool.
package main

import (
	"golang.org/x/tools/go/analysis"

	"github.com/sharedvet/sharedvet/internal/driver"
	"github.com/sharedvet/sharedvet/internal/driver/testdata/scripted/scripted"
)

func main() {
	driver.Main([]*analysis.Analyzer{scripted.Analyzer})
}
