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
		"clean",
	)
}
