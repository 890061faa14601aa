package atomicmix_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/sharedvet/sharedvet/passes/atomicmix"
)

func testdata(t *testing.T) string {
	dir, err := filepath.Abs(filepath.Join("..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestAtomicmix(t *testing.T) {
	analysistest.Run(t, testdata(t), atomicmix.Analyzer, fixturePackages...)
}

func TestAtomicmixFixes(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, testdata(t), atomicmix.Analyzer, "atomicmix/fixes")
}
