package analyzer_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/sharedvet/sharedvet/analyzer"
)

func TestParseChecks(t *testing.T) {
	known := []string{"lockchan", "atomicmix", "gocapture", "lintdirective"}
	for _, tc := range []struct {
		list, want, err string
	}{
		{list: "lockchan,atomicmix", want: "atomicmix lockchan"},
		{list: "all,-gocapture", want: "atomicmix lintdirective lockchan"},
		{list: "-gocapture", want: "atomicmix lintdirective lockchan"},
		{list: "-gocapture,-lintdirective", want: "atomicmix lockchan"},
		{list: "all", want: "atomicmix gocapture lintdirective lockchan"},
		{list: " lockchan , ", want: "lockchan"},
		{list: "lockchan,-lockchan,gocapture", want: "gocapture"},
		{list: "all,-all,atomicmix", want: "atomicmix"},
		{list: "lockchn", err: `unknown check "lockchn" (known: all, lockchan, atomicmix, gocapture, lintdirective)`},
		{list: "all,-nosuch", err: `unknown check "nosuch"`},
		{list: "", err: `"" selects no check`},
		{list: "lockchan,-lockchan", err: "selects no check"},
	} {
		got, err := analyzer.ParseChecks(tc.list, known)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseChecks(%q): error %v, want %q", tc.list, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseChecks(%q): %v", tc.list, err)
			continue
		}
		var names []string
		for n := range got {
			names = append(names, n)
		}
		sort.Strings(names)
		if s := strings.Join(names, " "); s != tc.want {
			t.Errorf("ParseChecks(%q) = %s, want %s", tc.list, s, tc.want)
		}
	}
}

// TestCategories compares each check's categories with those its
// README section names (in backquotes, NAME-...), in order.
func TestCategories(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"lintdirective"}
	for _, a := range analyzer.All() {
		names = append(names, a.Name)
	}
	for _, name := range names {
		section := readmeSection(string(readme), name)
		if section == "" {
			t.Errorf("README has no section %s", name)
			continue
		}
		quoted := regexp.MustCompile("`(" + regexp.QuoteMeta(name) + "-[a-z-]+)`")
		var named []string
		for _, m := range quoted.FindAllStringSubmatch(section, -1) {
			if !slices.Contains(named, m[1]) {
				named = append(named, m[1])
			}
		}
		if got := analyzer.Categories(name); !slices.Equal(got, named) {
			t.Errorf("%s: Categories = %v, README names %v", name, got, named)
		}
	}
}

// readmeSection returns the text of the README section headed name, at
// any heading level, up to the next heading.
func readmeSection(readme, name string) string {
	heading := regexp.MustCompile(`(?m)^#+ ` + regexp.QuoteMeta(name) + `\s*$`)
	loc := heading.FindStringIndex(readme)
	if loc == nil {
		return ""
	}
	rest := readme[loc[1]:]
	if next := regexp.MustCompile(`(?m)^#+ `).FindStringIndex(rest); next != nil {
		rest = rest[:next[0]]
	}
	return rest
}
