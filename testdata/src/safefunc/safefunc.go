// Package safefunc has functions on which the test analyzers of
// passes/internal/safefunc panic.
package safefunc

func before() {} // want `analyzed before`

func boomCheck() {} // want `internal error: check skipped safefunc.boomCheck: check failed`

func boomShared() {} // want `analyzed boomShared` `internal error: shared skipped safefunc.boomShared: shared failed`

func after() {} // want `analyzed after`
