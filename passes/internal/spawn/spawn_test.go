package spawn

import "testing"

func TestNamesFlag(t *testing.T) {
	var s string
	f := NamesFlag(&s)
	for _, good := range []string{
		"",
		"example.com/pool.Go",
		"(*example.com/pool.Pool).Submit,(example.com/pool.Pool).Go",
		"pool.Go, other.Run,",
	} {
		if err := f.Set(good); err != nil {
			t.Errorf("Set(%q): %v", good, err)
		}
	}
	for _, bad := range []string{
		"Go",                             // no package
		"(*example.com/pool.Pool.Submit", // unbalanced
		"example.com/pool.Pool).Submit",
		"(*example.com/pool.Pool).",
		"example.com/pool.",
		"example.com/pool.Go it",
	} {
		if err := f.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted", bad)
		}
	}
}
