package report

import (
	"fmt"
	"go/token"
	"path"
	"path/filepath"
)

// Code sets a source expression off in a message, in backquotes as Go
// doc comments and gopls do, so that a name reads as code, not prose:
// "goroutine writes `failed`", not "goroutine writes failed". Every
// name a message or a related message shows goes through it.
func Code(expr string) string { return "`" + expr + "`" }

// Where names a position in another package for a message, where a
// bare file name ("pipe.go:86") does not say which directory holds it:
// the file under its package's import path,
// "example.com/m/pipe/pipe.go:86".
func Where(pkgPath string, posn token.Position) string {
	return fmt.Sprintf("%s:%d", path.Join(pkgPath, filepath.Base(posn.Filename)), posn.Line)
}
