package driver

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sharedvet/sharedvet/internal/vetjson"
)

// TestReportDeps checks the config a dependency's unit is given with
// -report-dependencies: the same as go vet's but for VetxOnly, and
// given to unitchecker by a path that ends in ".cfg", as
// unitchecker.Main requires (a pipe's /dev/fd name was tried, and
// refused).
func TestReportDeps(t *testing.T) {
	dir := t.TempDir()
	importMap := map[string]string{"fmt": "fmt", "example.com/q": "example.com/q"}
	cfg := map[string]any{"ID": "example.com/p", "VetxOnly": true, "ImportMap": importMap, "GoFiles": []string{"/src/p.go"}}
	data, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "vet.cfg")
	if err := os.WriteFile(file, data, 0o666); err != nil {
		t.Fatal(err)
	}
	report := "-" + vetjson.ReportDepsFlag

	args, err := reportDeps([]string{"-json", report, "-lockchan.stalls", file})
	if err != nil {
		t.Fatal(err)
	}
	if len(args) != 4 || args[3] == file || !strings.HasSuffix(args[3], ".cfg") || !slices.Equal(args[:3], []string{"-json", report, "-lockchan.stalls"}) {
		t.Fatalf("args = %q", args)
	}
	got, err := os.ReadFile(args[3])
	if err != nil {
		t.Fatal(err)
	}
	var gotCfg map[string]any
	if err := json.Unmarshal(got, &gotCfg); err != nil {
		t.Fatalf("config read back: %v", err)
	}
	if gotCfg["VetxOnly"] != false || gotCfg["ID"] != "example.com/p" || len(gotCfg["ImportMap"].(map[string]any)) != len(importMap) {
		t.Errorf("config read back: VetxOnly %v, ID %v, %d imports", gotCfg["VetxOnly"], gotCfg["ID"], len(gotCfg["ImportMap"].(map[string]any)))
	}

	for _, same := range [][]string{
		{report, file},  // without -json, unitchecker would exit 1 on a finding
		{"-json", file}, // not asked for
		{"-json", report + "=false", file},
	} {
		args, err := reportDeps(same)
		if err != nil || !slices.Equal(args, same) {
			t.Errorf("reportDeps(%q) = %q, %v; want the arguments unchanged", same, args, err)
		}
	}
}
