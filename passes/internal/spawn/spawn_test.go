package spawn_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/sharedvet/sharedvet/passes/internal/spawn"
)

// TestFacts checks which functions get a SpawnsFact.
func TestFacts(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	analysistest.Run(t, dir, spawn.Analyzer, "spawn/helpers", "spawn/pools")
}
