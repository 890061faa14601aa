package gocapture_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/sharedvet/sharedvet/passes/gocapture"
)

func testdata(t *testing.T) string {
	dir, err := filepath.Abs(filepath.Join("..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestGocapture(t *testing.T) {
	analysistest.Run(t, testdata(t), gocapture.Analyzer,
		"gocapture/basic",
		"gocapture/joins",
		"gocapture/maps",
		"gocapture/seed",
		"clean",
	)
}

// TestVersions checks loop variables before and after Go 1.22, with
// modules that carry their own go.mod, and a file downgraded by a
// //go:build go1.21 constraint.
func TestVersions(t *testing.T) {
	for _, dir := range []string{"go121", "go122"} {
		t.Run(dir, func(t *testing.T) {
			analysistest.Run(t, filepath.Join(testdata(t), "src", "gocapture", "versions", dir), gocapture.Analyzer, "./...")
		})
	}
}
