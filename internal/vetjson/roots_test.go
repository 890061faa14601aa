package vetjson

import "testing"

func TestFromRoot(t *testing.T) {
	roots := map[string]bool{"example.com/m/a": true, "command-line-arguments": true}
	for id, want := range map[string]bool{
		"example.com/m/a":                             true,
		"example.com/m/a [example.com/m/a.test]":      true,
		"example.com/m/a_test [example.com/m/a.test]": true,
		"command-line-arguments":                      true,
		"example.com/m/b":                             false,
		"example.com/m/a [example.com/m/b.test]":      false, // a dependency recompiled for b's test
		"example.com/m/b [example.com/m/a.test]":      false,
		"example.com/m/b_test [example.com/m/a.test]": false,
		"example.com/m/a_test":                        true, // a directory of external tests only
		"example.com/m/a.test":                        false,
	} {
		if got := FromRoot(id, roots); got != want {
			t.Errorf("FromRoot(%q) = %v, want %v", id, got, want)
		}
	}
}
