// Package vetjson reads and writes the JSON that go vet -json prints:
// for each package run, a tree of package ID → analyzer name → either
// the list of the analyzer's diagnostics or {"error": "..."}
// (golang.org/x/tools/internal/analysis/driverutil.JSONTree, which is
// internal to x/tools). The go command prints one tree per package it
// vets, one after another, so a run's output is a stream of trees.
//
// It also recognizes go vet's error lines on stderr (IsPositionedError).
//
// The sharedvet command writes the same tree (-json), reads it when it
// drives go vet, and the editor proxy reads it: one definition serves
// the three.
package vetjson

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// A Diagnostic is one finding. Positions are go/token positions
// ("file:line:col"); edits are byte offsets in their file.
type Diagnostic struct {
	Category       string    `json:"category,omitempty"`
	Posn           string    `json:"posn"`
	End            string    `json:"end"`
	Message        string    `json:"message"`
	Excused        string    `json:"excused,omitempty"` // sharedvet's own: for an entry of the trace (-excused), the exception that cleared it
	SuggestedFixes []Fix     `json:"suggested_fixes,omitempty"`
	Related        []Related `json:"related,omitempty"`
}

// A Fix is a suggested fix: edits to apply together.
type Fix struct {
	Message string `json:"message"`
	Edits   []Edit `json:"edits"`
}

// An Edit replaces the bytes [Start, End) of Filename with New.
type Edit struct {
	Filename string `json:"filename"`
	Start    int    `json:"start"`
	End      int    `json:"end"`
	New      string `json:"new"`
}

// A Related is a related location of a diagnostic.
type Related struct {
	Posn    string `json:"posn"`
	End     string `json:"end"`
	Message string `json:"message"`
}

// An Error is an analyzer's failure on a package, in place of its
// diagnostics.
type Error struct {
	Err string `json:"error"`
}

// An Entry is what one analyzer said about one package: its
// diagnostics, or the error it failed with.
type Entry struct {
	Package     string // the package ID ("p", "p [p.test]")
	Analyzer    string
	Diagnostics []Diagnostic
	Err         string
}

// Decode reads a stream of trees and returns its entries, in the order
// of the stream (and, within one tree, by package and analyzer name,
// since a tree is a map).
func Decode(r io.Reader) ([]Entry, error) {
	var out []Entry
	dec := json.NewDecoder(r)
	for {
		var tree map[string]map[string]json.RawMessage
		if err := dec.Decode(&tree); err == io.EOF {
			return out, nil
		} else if err != nil {
			return out, fmt.Errorf("decoding go vet -json output: %v", err)
		}
		for _, pkg := range slices.Sorted(maps.Keys(tree)) {
			for _, analyzer := range slices.Sorted(maps.Keys(tree[pkg])) {
				raw := tree[pkg][analyzer]
				e := Entry{Package: pkg, Analyzer: analyzer}
				var failed Error
				if json.Unmarshal(raw, &failed) == nil && failed.Err != "" {
					e.Err = failed.Err
				} else if err := json.Unmarshal(raw, &e.Diagnostics); err != nil {
					e.Err = fmt.Sprintf("unreadable diagnostics: %v", err)
				}
				out = append(out, e)
			}
		}
	}
}

// SplitPosn splits a go/token position "file:line:col" (or
// "file:line") into its parts. The file name may itself hold colons,
// so the numbers are cut off the end.
func SplitPosn(posn string) (file string, line, col int, ok bool) {
	rest, last, found := cutLast(posn, ":")
	if !found {
		return "", 0, 0, false
	}
	n, err := strconv.Atoi(last)
	if err != nil || n < 1 {
		return "", 0, 0, false
	}
	name, prev, found := cutLast(rest, ":")
	if m, err := strconv.Atoi(prev); found && err == nil && m >= 1 {
		return name, m, n, true
	}
	return rest, n, 0, true // no column
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// positionedError matches a line go vet prints on stderr for a package
// that does not build: a position in a Go file, and what is wrong
// there ("x.go:3:2: undefined: y", "vet: x.go:3:2: ..."). It is
// compiled on first use: this package is linked into every process go
// vet starts, most of which never read go vet's stderr.
var positionedError = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(vet: )?\S+\.go:\d+(:\d+)?: `)
})

// IsPositionedError reports whether a line of go vet's stderr is an
// error at a position in a Go file.
func IsPositionedError(line string) bool { return positionedError().MatchString(line) }
