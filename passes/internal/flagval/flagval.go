// Package flagval holds the flag.Value types of the checks' flags that
// need validating: a bad value is refused when the flag is parsed, with
// one error, rather than accepted and acted on (a negative depth).
package flagval

import (
	"fmt"
	"strconv"
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
