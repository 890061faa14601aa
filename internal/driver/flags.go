package driver

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// parseQuietly parses args into fs. A bad flag or value is the one line
// the flag package prints, not followed by the whole usage; -help
// prints the usage.
func parseQuietly(fs *flag.FlagSet, args []string) error {
	usage := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		usage()
	}
	return err
}

// checkVetFlags validates the values of the analyzers' flags among the
// arguments go vet passes (-NAME.FLAG=VALUE), so that a bad value is
// one line rather than unitchecker's usage message (Main says it once
// per go vet run, see firstToSay). Setting a flag here is harmless:
// unitchecker sets it again to the same value.
func checkVetFlags(args []string, analyzers []*analysis.Analyzer) error {
	byName := make(map[string]*analysis.Analyzer)
	var visit func(a *analysis.Analyzer)
	visit = func(a *analysis.Analyzer) {
		if byName[a.Name] == nil {
			byName[a.Name] = a
			for _, r := range a.Requires {
				visit(r)
			}
		}
	}
	for _, a := range analyzers {
		visit(a)
	}
	for i, arg := range args {
		if arg == "--" || !strings.HasPrefix(arg, "-") {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		aname, fname, ok := strings.Cut(name, ".")
		if !ok || byName[aname] == nil {
			continue
		}
		f := byName[aname].Flags.Lookup(fname)
		if f == nil {
			continue // unitchecker reports unknown flags
		}
		if !hasValue {
			if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
				continue
			}
			if i+1 >= len(args) {
				continue
			}
			value = args[i+1]
		}
		if err := f.Value.Set(value); err != nil {
			return fmt.Errorf("invalid value %q for flag -%s: %v", value, name, err)
		}
	}
	return nil
}
