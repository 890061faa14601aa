// Package flagval holds the flag.Value types of the checks' flags that
// need validating: a bad value is refused when the flag is parsed, with
// one error, rather than accepted and acted on (a negative depth).
package flagval

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// An intAtLeast is an int flag with a minimum.
type intAtLeast struct {
	p   *int
	min int
}

// IntAtLeast returns a flag.Value that sets *p to an integer not below
// min, and refuses any other value.
func IntAtLeast(p *int, min int) *intAtLeast { return &intAtLeast{p, min} }

func (f *intAtLeast) String() string {
	if f == nil || f.p == nil {
		return "0" // the zero Value flag.PrintDefaults makes
	}
	return strconv.Itoa(*f.p)
}

func (f *intAtLeast) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("not an integer")
	}
	if n < f.min {
		return fmt.Errorf("must be at least %d", f.min)
	}
	*f.p = n
	return nil
}

// A nameSet is a flag whose value is a comma-separated list of names,
// each one of a known set.
type nameSet struct {
	p     *map[string]bool
	known []string
}

// NameSet returns a flag.Value that sets *p to the names of a
// comma-separated list (empty: none), and refuses a name not in known.
func NameSet(p *map[string]bool, known []string) *nameSet { return &nameSet{p, known} }

func (f *nameSet) String() string {
	if f == nil || f.p == nil {
		return ""
	}
	var out []string
	for _, n := range f.known {
		if (*f.p)[n] {
			out = append(out, n)
		}
	}
	return strings.Join(out, ",")
}

func (f *nameSet) Set(s string) error {
	m := make(map[string]bool)
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if !slices.Contains(f.known, n) {
			return fmt.Errorf("unknown name %q (known: %s)", n, strings.Join(f.known, ", "))
		}
		m[n] = true
	}
	*f.p = m
	return nil
}
