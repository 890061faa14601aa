package atomicmix_test

import (
	"fmt"
	"path/filepath"
	"slices"
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

// TestRelatedName checks that the related information names the atomic
// site's location as written, also when SSA has lost the name (a local
// pointer made from an unsafe.Pointer): never "a *T value".
func TestRelatedName(t *testing.T) {
	results := analysistest.Run(t, testdata(t), atomicmix.Analyzer, "atomicmix/unsafename")
	var got []string
	for _, r := range results {
		for _, d := range r.Diagnostics {
			for _, rel := range d.Related {
				got = append(got, fmt.Sprintf("%d: %s", r.Pass.Fset.Position(rel.Pos).Line, rel.Message))
			}
		}
	}
	want := []string{"22: `b.next` is accessed atomically here"}
	if !slices.Equal(got, want) {
		t.Errorf("related = %q, want %q", got, want)
	}
}
