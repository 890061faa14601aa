package gocapture_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
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
		"gocapture/claims",
		"gocapture/joins",
		"gocapture/maps",
		"gocapture/seed",
		"gocapture/generics",
		"gocapture/nested",
		"gocapture/behind",
		"gocapture/inline",
		"gocapture/starters",
		"gocapture/rangefunc",
		"gocapture/methods",
		"gocapture/pools",
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

// TestSpawners names user spawners with the -gocapture.spawners flag.
func TestSpawners(t *testing.T) {
	flag := gocapture.Analyzer.Flags.Lookup("spawners")
	old := flag.Value.String()
	t.Cleanup(func() { flag.Value.Set(old) })
	if err := flag.Value.Set("gocapture/spawners/pool.Go,(*gocapture/spawners/pool.Pool).Submit"); err != nil {
		t.Fatal(err)
	}
	analysistest.Run(t, testdata(t), gocapture.Analyzer, "gocapture/spawners")
}

// TestRelated checks the related information of a finding: the other
// access and the go statement.
func TestRelated(t *testing.T) {
	results := analysistest.Run(t, testdata(t), gocapture.Analyzer, "gocapture/basic")
	for _, r := range results {
		for _, d := range r.Diagnostics {
			if !strings.HasPrefix(d.Message, "goroutine writes `err`,") {
				continue
			}
			var got []string
			for _, rel := range d.Related {
				p := r.Pass.Fset.Position(rel.Pos)
				got = append(got, fmt.Sprintf("%d: %s", p.Line, rel.Message))
			}
			want := []string{"18: `err` read here", "15: goroutine started here"}
			if !slices.Equal(got, want) {
				t.Errorf("related = %q, want %q", got, want)
			}
			if d.Category != "gocapture-after-go" || d.URL != "https://github.com/sharedvet/sharedvet#gocapture" {
				t.Errorf("category, URL = %q, %q", d.Category, d.URL)
			}
			return
		}
	}
	t.Error("no finding on err")
}
