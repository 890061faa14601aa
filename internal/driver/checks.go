package driver

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"golang.org/x/tools/go/analysis"

	"github.com/sharedvet/sharedvet/analyzer"
)

// Choosing checks works the same in both modes. Each check has an
// enable flag -NAME, which is unset, true or false, as go vet's
// unitchecker has it: if any is true, only the checks set true run;
// otherwise every check runs but those set false. -checks=LIST (see
// analyzer.ParseChecks) sets every enable flag at once, true for the
// checks it selects and false for the others, so later -NAME flags on
// the command line amend it.

// An enableFlag is a check's -NAME flag.
type enableFlag int

const (
	unset enableFlag = iota
	setTrue
	setFalse
)

func (e *enableFlag) IsBoolFlag() bool { return true }

func (e *enableFlag) String() string {
	switch *e {
	case setTrue:
		return "true"
	case setFalse:
		return "false"
	}
	return "unset"
}

func (e *enableFlag) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("want true or false")
	}
	*e = setFalse
	if b {
		*e = setTrue
	}
	return nil
}

// A checksFlag is -checks: setting it sets the enable flag of every
// check, looked up by name in its flag set (under go vet, the flag set
// of unitchecker, which declares the enable flags itself).
type checksFlag struct {
	names  []string
	lookup func(name string) *flag.Flag
	list   string
}

// checksUsage is the usage of -checks in both modes.
const checksUsage = "run the checks in `list`, comma-separated: NAME adds a check, -NAME removes one, all adds every check (-checks=lockchan,atomicmix; -checks=all,-gocapture); -list shows them"

func (c *checksFlag) String() string { return c.list }

func (c *checksFlag) Set(list string) error {
	selected, err := analyzer.ParseChecks(list, c.names)
	if err != nil {
		return err
	}
	for _, name := range c.names {
		f := c.lookup(name)
		if f == nil {
			return fmt.Errorf("internal error: check %s has no enable flag", name)
		}
		if err := f.Value.Set(strconv.FormatBool(selected[name])); err != nil {
			return err
		}
	}
	c.list = list
	return nil
}

// selected returns the analyzers their enable flags select.
func selected(analyzers []*analysis.Analyzer, enabled map[*analysis.Analyzer]*enableFlag) []*analysis.Analyzer {
	anyTrue := false
	for _, a := range analyzers {
		anyTrue = anyTrue || *enabled[a] == setTrue
	}
	var out []*analysis.Analyzer
	for _, a := range analyzers {
		if e := *enabled[a]; e == setTrue || !anyTrue && e == unset {
			out = append(out, a)
		}
	}
	return out
}

// listChecks prints one line per check: its name, its title and its
// diagnostic categories.
func listChecks(w io.Writer, analyzers []*analysis.Analyzer) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, a := range analyzers {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", a.Name, analyzer.Title(a), strings.Join(analyzer.Categories(a.Name), ", "))
	}
	return tw.Flush()
}

// checkNames returns the analyzers' names.
func checkNames(analyzers []*analysis.Analyzer) []string {
	names := make([]string, len(analyzers))
	for i, a := range analyzers {
		names[i] = a.Name
	}
	return names
}
