package driver

import (
	encjson "encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sharedvet/sharedvet/internal/vetjson"
)

// declareReportDeps declares the go vet tool's -report-dependencies
// flag (vetjson.ReportDepsFlag), so that -flags lists it and go vet
// passes it on; reportDeps reads it before unitchecker parses it.
func declareReportDeps() {
	flag.Bool(vetjson.ReportDepsFlag, false, "(set by the sharedvet command) also print the findings of packages go vet analyzes only for their facts, so that its cache holds them; the caller keeps the packages it named")
}

// reportDeps makes the unit go vet asks about a full analysis when
// -report-dependencies is set with -json and go vet asks only for the
// unit's facts: it writes a copy of the config that asks for the
// findings too, next to go vet's, and puts it in args in place of the
// original. Without -json unitchecker would exit 1 on a finding, and
// go vet would take the dependency to have failed.
func reportDeps(args []string) ([]string, error) {
	var report, json bool
	cfgAt := -1
	for i, a := range args {
		if !strings.HasPrefix(a, "-") {
			if strings.HasSuffix(a, ".cfg") {
				cfgAt = i
			}
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		on := !hasValue
		if hasValue {
			on, _ = strconv.ParseBool(value) // unitchecker rejects a bad one
		}
		switch name {
		case vetjson.ReportDepsFlag:
			report = on
		case "json":
			json = on
		}
	}
	if !report || !json || cfgAt < 0 {
		return args, nil
	}
	data, err := os.ReadFile(args[cfgAt])
	if err != nil {
		return nil, err
	}
	var cfg map[string]any
	if err := encjson.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %v", args[cfgAt], err)
	}
	if only, _ := cfg["VetxOnly"].(bool); !only {
		return args, nil
	}
	cfg["VetxOnly"] = false
	data, err = encjson.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	name := filepath.Join(filepath.Dir(args[cfgAt]), "vet-report.cfg")
	if err := os.WriteFile(name, data, 0o666); err != nil {
		return nil, err
	}
	out := append([]string(nil), args...)
	out[cfgAt] = name
	return out, nil
}
