package analyzer

import (
	"fmt"
	"sort"
	"strings"
)

// Settings are a team's choice of checks and of the checks' flags, as
// the configuration file (sharedvet.conf) and the golangci-lint
// plugin's settings hold them: the same fields, with the same meaning
// as the command line's.
type Settings struct {
	// Checks selects the checks, an item a -checks list item: NAME,
	// -NAME or all (see ParseChecks). Empty means every check.
	Checks []string `json:"checks" toml:"checks"`
	// Flags sets check flags: check name → flag name → value, as
	// -NAME.FLAG=value would. A list value is joined with commas.
	Flags map[string]map[string]any `json:"flags" toml:"flags"`
}

// Args returns the settings as command-line arguments (-checks=LIST,
// then -NAME.FLAG=value in order of name), so that a driver applies
// them by parsing them before the user's own flags, which then
// override them.
func (s Settings) Args() []string {
	var args []string
	if len(s.Checks) > 0 {
		args = append(args, "-checks="+strings.Join(s.Checks, ","))
	}
	for _, check := range sortedKeys(s.Flags) {
		for _, name := range sortedKeys(s.Flags[check]) {
			args = append(args, fmt.Sprintf("-%s.%s=%s", check, name, FlagValue(s.Flags[check][name])))
		}
	}
	return args
}

// FlagValue formats a settings value as a flag value: a list is
// joined with commas (spawners = ["a.Go", "b.Go"]), anything else
// printed as is.
func FlagValue(v any) string {
	if list, ok := v.([]any); ok {
		parts := make([]string, len(list))
		for i, e := range list {
			parts[i] = fmt.Sprint(e)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
