package analyzer_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"

	"github.com/sharedvet/sharedvet/analyzer"
)

// TestSuite validates the list of analyzers the way drivers will, and
// holds each analyzer to the project's conventions.
func TestSuite(t *testing.T) {
	all := analyzer.All()
	if len(all) == 0 {
		t.Fatal("no analyzers")
	}
	if err := analysis.Validate(all); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range all {
		t.Run(a.Name, func(t *testing.T) {
			checkTitle(t, a)
			checkURL(t, a, string(readme))
			checkFixtures(t, a)
		})
	}
}

// checkTitle requires a title line "NAME: title": lower case, no
// trailing period, short enough for a one-line listing.
func checkTitle(t *testing.T, a *analysis.Analyzer) {
	first, _, _ := strings.Cut(a.Doc, "\n")
	if !strings.HasPrefix(first, a.Name+": ") {
		t.Errorf("Doc must start with %q, got %q", a.Name+": ", first)
	}
	title := analyzer.Title(a)
	if title == "" || strings.HasSuffix(title, ".") || strings.ToLower(title[:1]) != title[:1] {
		t.Errorf("title %q must be lower case without a trailing period", title)
	}
	if len(title) > 80 {
		t.Errorf("title %q is longer than 80 characters", title)
	}
	if !strings.Contains(a.Doc, "WRONG") || !strings.Contains(a.Doc, "RIGHT") || !strings.Contains(a.Doc, "Limitations") {
		t.Errorf("Doc must have a WRONG and a RIGHT example and a Limitations paragraph")
	}
}

// checkURL requires the URL to point at the analyzer's README section.
func checkURL(t *testing.T, a *analysis.Analyzer, readme string) {
	want := "https://github.com/sharedvet/sharedvet#" + a.Name
	if a.URL != want {
		t.Errorf("URL = %q, want %q", a.URL, want)
	}
	heading := regexp.MustCompile(`(?m)^#+ ` + regexp.QuoteMeta(a.Name) + `\s*$`)
	if !heading.MatchString(readme) {
		t.Errorf("README has no section headed %q for the URL to point at", a.Name)
	}
}

// checkFixtures requires analysistest fixtures under testdata/src/NAME.
func checkFixtures(t *testing.T, a *analysis.Analyzer) {
	dir := filepath.Join("..", "testdata", "src", a.Name)
	var wants int
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") {
			data, _ := os.ReadFile(path)
			wants += strings.Count(string(data), "// want ")
		}
		return nil
	})
	if wants == 0 {
		t.Errorf("no fixtures with // want under %s", dir)
	}
}
