package analyzer

import (
	"fmt"
	"slices"
	"strings"
)

// categories are the Diagnostic.Category values of each check, in the
// order its README section names them (TestCategories compares them).
// They are what //lint:ignore accepts besides check names, and what
// -list shows.
var categories = map[string][]string{
	"lockchan":      {"lockchan-deadlock", "lockchan-stall"},
	"atomicmix":     {"atomicmix-read", "atomicmix-write", "atomicmix-copy", "atomicmix-atomic"},
	"gocapture":     {"gocapture-after-go", "gocapture-write-after-go", "gocapture-goroutines"},
	"lintdirective": {"lintdirective-malformed", "lintdirective-unused"},
}

// Categories returns the diagnostic categories of the named check.
func Categories(check string) []string { return slices.Clone(categories[check]) }

// ParseChecks parses a -checks list, such as "lockchan,atomicmix" or
// "all,-gocapture", against the names of the known checks and returns
// the set it selects. Items are read left to right: "all" adds every
// check, NAME adds one, -NAME removes one; a list that starts with a
// removal starts from every check ("-gocapture" is "all,-gocapture").
// An unknown name, or a list that selects nothing, is an error.
//
// The same syntax serves the command line in both of sharedvet's modes
// (standalone and go vet), the configuration file and the
// golangci-lint plugin's settings, so a selection means one thing
// everywhere.
func ParseChecks(list string, known []string) (map[string]bool, error) {
	selected := make(map[string]bool)
	for i, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		name, remove := strings.CutPrefix(item, "-")
		if i == 0 && remove {
			for _, k := range known {
				selected[k] = true
			}
		}
		switch {
		case item == "":
			continue
		case name == "all":
			for _, k := range known {
				selected[k] = !remove
			}
		case slices.Contains(known, name):
			selected[name] = !remove
		default:
			return nil, fmt.Errorf("unknown check %q (known: all, %s)", name, strings.Join(known, ", "))
		}
	}
	for name, on := range selected {
		if !on {
			delete(selected, name)
		}
	}
	if len(selected) == 0 {
		return nil, fmt.Errorf("%q selects no check", list)
	}
	return selected, nil
}
