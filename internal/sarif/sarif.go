// Package sarif declares the subset of SARIF 2.1.0 (the OASIS Static
// Analysis Results Interchange Format) that sharedvet writes, shaped for
// GitHub code scanning: one rule per check, results with repo-relative
// locations, related locations and fixes.
//
// The types follow the schema's property names; omitted optional
// properties are left out of the JSON rather than written as null, which
// the schema would reject for most of them.
package sarif

import (
	"encoding/json"
	"io"
)

// Version and Schema identify the format.
const (
	Version = "2.1.0"
	Schema  = "https://json.schemastore.org/sarif-2.1.0.json"
)

// SrcRoot is the uriBaseId of locations relative to the repository
// root, the convention GitHub code scanning resolves.
const SrcRoot = "%SRCROOT%"

// A Log is a SARIF file.
type Log struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []Run  `json:"runs"`
}

// A Run is one invocation of one tool.
type Run struct {
	Tool               Tool                        `json:"tool"`
	OriginalURIBaseIDs map[string]ArtifactLocation `json:"originalUriBaseIds,omitempty"`
	Results            []Result                    `json:"results"`
	Invocations        []Invocation                `json:"invocations,omitempty"`
	ColumnKind         string                      `json:"columnKind,omitempty"`
}

// An Invocation says whether the run succeeded, and why not: the
// errors that may have cost findings (a package that did not
// type-check, an internal error).
type Invocation struct {
	ExecutionSuccessful        bool           `json:"executionSuccessful"`
	ToolExecutionNotifications []Notification `json:"toolExecutionNotifications,omitempty"`
}

// A Notification is a message from the tool about its run, at a
// place if it concerns one.
type Notification struct {
	Level     string     `json:"level"` // "error", "warning" or "note"
	Message   Message    `json:"message"`
	Locations []Location `json:"locations,omitempty"`
}

// A Tool describes the analysis tool.
type Tool struct {
	Driver ToolComponent `json:"driver"`
}

// A ToolComponent is the tool's driver and its rules.
type ToolComponent struct {
	Name           string                `json:"name"`
	Version        string                `json:"version,omitempty"`
	InformationURI string                `json:"informationUri,omitempty"`
	Rules          []ReportingDescriptor `json:"rules"`
}

// A ReportingDescriptor is a rule: one of sharedvet's checks.
type ReportingDescriptor struct {
	ID                   string                 `json:"id"`
	Name                 string                 `json:"name,omitempty"`
	ShortDescription     *Message               `json:"shortDescription,omitempty"`
	FullDescription      *Message               `json:"fullDescription,omitempty"`
	Help                 *Message               `json:"help,omitempty"`
	HelpURI              string                 `json:"helpUri,omitempty"`
	DefaultConfiguration *ReportingConfig       `json:"defaultConfiguration,omitempty"`
	Properties           map[string]interface{} `json:"properties,omitempty"`
}

// A ReportingConfig is a rule's default configuration.
type ReportingConfig struct {
	Level string `json:"level"`
}

// A Message is plain text, with optional Markdown.
type Message struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

// A Result is one finding.
type Result struct {
	RuleID           string                 `json:"ruleId"`
	RuleIndex        int                    `json:"ruleIndex"`
	Kind             string                 `json:"kind,omitempty"` // "fail" when empty
	Level            string                 `json:"level"`
	Message          Message                `json:"message"`
	Locations        []Location             `json:"locations"`
	RelatedLocations []Location             `json:"relatedLocations,omitempty"`
	Fixes            []Fix                  `json:"fixes,omitempty"`
	Suppressions     []Suppression          `json:"suppressions,omitempty"`
	Properties       map[string]interface{} `json:"properties,omitempty"`
}

// A Suppression says that a result was silenced (3.35): by a directive
// in the source, kind "inSource", with the directive's reason.
type Suppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification,omitempty"`
}

// A Location is a place in a file, with an optional message (for
// related locations, which also carry an id).
type Location struct {
	ID               *int             `json:"id,omitempty"`
	PhysicalLocation PhysicalLocation `json:"physicalLocation"`
	Message          *Message         `json:"message,omitempty"`
}

// A PhysicalLocation is a region of an artifact (a file).
type PhysicalLocation struct {
	ArtifactLocation ArtifactLocation `json:"artifactLocation"`
	Region           *Region          `json:"region,omitempty"`
}

// An ArtifactLocation names a file: a URI relative to URIBaseID, or an
// absolute URI when URIBaseID is empty.
type ArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

// A Region is a range of text; lines and columns are 1-based, columns
// counted in the run's columnKind.
type Region struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

// A Fix is a suggested fix: changes to one or more files.
type Fix struct {
	Description     *Message         `json:"description,omitempty"`
	ArtifactChanges []ArtifactChange `json:"artifactChanges"`
}

// An ArtifactChange is the replacements of a fix in one file.
type ArtifactChange struct {
	ArtifactLocation ArtifactLocation `json:"artifactLocation"`
	Replacements     []Replacement    `json:"replacements"`
}

// A Replacement replaces a region (empty for an insertion) with text.
type Replacement struct {
	DeletedRegion   Region           `json:"deletedRegion"`
	InsertedContent *ArtifactContent `json:"insertedContent,omitempty"`
}

// An ArtifactContent is inserted text.
type ArtifactContent struct {
	Text string `json:"text"`
}

// Write writes log as indented JSON.
func Write(w io.Writer, log *Log) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}
