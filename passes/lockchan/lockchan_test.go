package lockchan_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/sharedvet/sharedvet/passes/lockchan"
)

func TestLockchan(t *testing.T) {
	testdata, err := filepath.Abs(filepath.Join("..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	analysistest.Run(t, testdata, lockchan.Analyzer,
		"lockchan/basic",
		"lockchan/defers",
		"lockchan/seed",
		"lockchan/crosspkg/blocker",
		"lockchan/crosspkg/user",
		"lockchan/generics",
		"clean",
	)
}

func TestDepthFlag(t *testing.T) {
	testdata, err := filepath.Abs(filepath.Join("..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	analysistest.Run(t, testdata, lockchan.Analyzer, "lockchan/depthdefault")

	flag := lockchan.Analyzer.Flags.Lookup("depth")
	old := flag.Value.String()
	t.Cleanup(func() { flag.Value.Set(old) })
	if err := flag.Value.Set("3"); err != nil {
		t.Fatal(err)
	}
	analysistest.Run(t, testdata, lockchan.Analyzer, "lockchan/depth")
}
