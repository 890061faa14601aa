package lspproxy

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/sharedvet/sharedvet/analyzer"
)

// settings are sharedvet's part of initializationOptions, and of the
// editor's settings (workspace/configuration), under the key
// "sharedvet"; they mirror the golangci-lint plugin's settings:
//
//	"sharedvet": {
//	  "checks":   ["lockchan", "atomicmix"],   // a -checks list; default: all
//	  "disable":  ["gocapture"],
//	  "flags":    {"gocapture": {"spawners": ["example.com/pool.Go"]}},
//	  "onChange": false                        // analyze on open and save only
//	}
type settings struct {
	Checks   []string                  `json:"checks"`
	Disable  []string                  `json:"disable"`
	Flags    map[string]map[string]any `json:"flags"`
	OnChange *bool                     `json:"onChange"`
}

// initialize takes sharedvet's settings out of the initialize request
// and returns the request for gopls: body itself if it had none.
func (p *proxy) initialize(m *jsonrpc2.Call, body []byte) []byte {
	var params map[string]json.RawMessage
	if json.Unmarshal(m.Params(), &params) != nil {
		return body
	}
	var caps struct {
		Workspace struct {
			Configuration bool `json:"configuration"`
		} `json:"workspace"`
	}
	if json.Unmarshal(params["capabilities"], &caps) == nil {
		p.mu.Lock()
		p.configurable = caps.Workspace.Configuration
		p.mu.Unlock()
	}
	var opts map[string]json.RawMessage
	if json.Unmarshal(params["initializationOptions"], &opts) != nil {
		return body
	}
	// The rest of initializationOptions is gopls's settings.
	p.useGoplsSettings(params["initializationOptions"])
	if opts["sharedvet"] == nil {
		return body
	}
	if err := p.apply(opts["sharedvet"]); err != nil {
		p.logf(protocol.MessageTypeError, "sharedvet gopls: initializationOptions.sharedvet: %v", err)
	}
	delete(opts, "sharedvet")
	var err error
	if params["initializationOptions"], err = json.Marshal(opts); err != nil {
		return body
	}
	newParams, err := json.Marshal(params)
	if err != nil {
		return body
	}
	out, err := jsonrpc2.EncodeMessage(jsonrpc2.NewCall(m.ID(), m.Method(), newParams))
	if err != nil {
		return body
	}
	return out
}

// apply sets the settings: the go vet flags they mean, and when to
// analyze. Checks are chosen as a -checks list (analyzer.ParseChecks),
// which go vet passes to each package's analysis after the flags of
// the project's sharedvet.conf, so the editor's settings override the
// file's. An unknown check is an error that names it.
func (p *proxy) apply(raw json.RawMessage) error {
	var s settings
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	var flags []string
	if len(s.Checks) > 0 || len(s.Disable) > 0 {
		list := "all"
		if len(s.Checks) > 0 {
			list = strings.Join(s.Checks, ",")
		}
		for _, name := range s.Disable {
			list += ",-" + name
		}
		if _, err := analyzer.ParseChecks(list, sortedKeys(p.checks)); err != nil {
			return err
		}
		flags = append(flags, "-checks="+list)
	}
	flags = append(flags, analyzer.Settings{Flags: s.Flags}.Args()...)
	p.engine.setFlags(flags)
	if s.OnChange != nil {
		p.mu.Lock()
		p.onChange = *s.OnChange
		p.mu.Unlock()
	}
	return nil
}

// requestSettings asks the editor for its "sharedvet" settings, if it
// answers such requests. The request's ID is a string of the proxy's
// own, which gopls's integer IDs cannot collide with.
func (p *proxy) requestSettings() {
	p.mu.Lock()
	if !p.configurable {
		p.mu.Unlock()
		return
	}
	p.nextCall++
	id := jsonrpc2.NewStringID(fmt.Sprintf("sharedvet/%d", p.nextCall))
	p.ownCalls[id] = true
	p.mu.Unlock()
	params, err := json.Marshal(map[string]any{"items": []any{map[string]string{"section": "sharedvet"}}})
	if err != nil {
		return
	}
	if out, err := jsonrpc2.EncodeMessage(jsonrpc2.NewCall(id, "workspace/configuration", params)); err == nil {
		p.toEditor.write(out)
	}
}

// answered handles the editor's answer to the proxy's own request and
// reports whether it was one. Settings found there replace those of
// initializationOptions, and the open packages are analyzed again; an
// empty answer leaves them.
func (p *proxy) answered(m *jsonrpc2.Response) bool {
	p.mu.Lock()
	own := p.ownCalls[m.ID()]
	delete(p.ownCalls, m.ID())
	p.mu.Unlock()
	if !own {
		return false
	}
	var items []json.RawMessage
	if m.Err() != nil || json.Unmarshal(m.Result(), &items) != nil || len(items) != 1 {
		return true
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(items[0], &obj) != nil || len(obj) == 0 {
		return true
	}
	if err := p.apply(items[0]); err != nil {
		p.logf(protocol.MessageTypeError, "sharedvet gopls: settings \"sharedvet\": %v", err)
		return true
	}
	p.reanalyzeOpen()
	return true
}

// goplsSettings are the settings of gopls that decide which files make
// up a package: sharedvet's analysis uses them too.
type goplsSettings struct {
	BuildFlags []string          `json:"buildFlags"`
	Env        map[string]string `json:"env"`
}

// useGoplsSettings takes the build flags and environment from gopls's
// settings (initializationOptions, or the editor's answer to gopls's
// workspace/configuration request), if they name any.
func (p *proxy) useGoplsSettings(raw json.RawMessage) {
	var gs goplsSettings
	if json.Unmarshal(raw, &gs) != nil || gs.BuildFlags == nil && gs.Env == nil {
		return
	}
	var env []string
	for _, k := range sortedKeys(gs.Env) {
		env = append(env, k+"="+gs.Env[k])
	}
	if p.engine.setBuild(gs.BuildFlags, env) {
		p.reanalyzeOpen()
	}
}

// reanalyzeOpen analyzes again the packages of the open files, after
// a change of settings.
func (p *proxy) reanalyzeOpen() {
	for _, f := range p.snapshot() {
		p.engine.schedule(filepath.Dir(f.path), 0)
	}
}

// goplsAsksSettings notes gopls's request for its settings, whose answer
// useGoplsSettings reads on its way back.
func (p *proxy) goplsAsksSettings(m *jsonrpc2.Call) {
	var params struct {
		Items []struct {
			Section string `json:"section"`
		} `json:"items"`
	}
	if json.Unmarshal(m.Params(), &params) != nil {
		return
	}
	for i, it := range params.Items {
		if it.Section == "gopls" {
			p.mu.Lock()
			p.goplsAsks[m.ID()] = i
			p.mu.Unlock()
			return
		}
	}
}

// goplsSettingsAnswered reads the editor's answer to gopls's request for
// its settings, if m is one.
func (p *proxy) goplsSettingsAnswered(m *jsonrpc2.Response) {
	p.mu.Lock()
	i, ok := p.goplsAsks[m.ID()]
	delete(p.goplsAsks, m.ID())
	p.mu.Unlock()
	var items []json.RawMessage
	if !ok || m.Err() != nil || json.Unmarshal(m.Result(), &items) != nil || i >= len(items) {
		return
	}
	p.useGoplsSettings(items[i])
}
