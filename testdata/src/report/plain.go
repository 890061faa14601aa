// Package report has findings with fixes in a plain file and in a
// generated one.
package report

func plain() {} // want `function plain`
