package vetjson

import (
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	stream := `{}
{
	"p [p.test]": {"lockchan": [{"category": "lockchan-deadlock", "posn": "/m/p/a.go:3:2", "end": "/m/p/a.go:3:4", "message": "m",
		"related": [{"posn": "/m/p/a.go:1:1", "end": "/m/p/a.go:1:1", "message": "r"}],
		"suggested_fixes": [{"message": "f", "edits": [{"filename": "/m/p/a.go", "start": 1, "end": 2, "new": "x"}]}]}]},
	"p": {"atomicmix": {"error": "internal error: boom"}}
}
`
	got, err := Decode(strings.NewReader(stream))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d entries, want 2: %+v", len(got), got)
	}
	if e := got[0]; e.Package != "p" || e.Analyzer != "atomicmix" || e.Err != "internal error: boom" {
		t.Errorf("first entry = %+v, want the error of p", e)
	}
	e := got[1]
	if e.Package != "p [p.test]" || len(e.Diagnostics) != 1 {
		t.Fatalf("second entry = %+v", e)
	}
	d := e.Diagnostics[0]
	if d.Category != "lockchan-deadlock" || d.Related[0].Message != "r" || d.SuggestedFixes[0].Edits[0].New != "x" {
		t.Errorf("diagnostic = %+v", d)
	}
	if _, err := Decode(strings.NewReader(`{} {"p": `)); err == nil {
		t.Error("a truncated stream decoded without error")
	}
}

func TestSplitPosn(t *testing.T) {
	for _, tc := range []struct {
		posn      string
		file      string
		line, col int
		ok        bool
	}{
		{"/a/b.go:3:7", "/a/b.go", 3, 7, true},
		{"/a:x/b.go:3:7", "/a:x/b.go", 3, 7, true},
		{"/a/b.go:3", "/a/b.go", 3, 0, true},
		{"/a/b.go", "", 0, 0, false},
		{"-", "", 0, 0, false},
	} {
		file, line, col, ok := SplitPosn(tc.posn)
		if file != tc.file || line != tc.line || col != tc.col || ok != tc.ok {
			t.Errorf("SplitPosn(%q) = %q, %d, %d, %v; want %q, %d, %d, %v", tc.posn, file, line, col, ok, tc.file, tc.line, tc.col, tc.ok)
		}
	}
}
