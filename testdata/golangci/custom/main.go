// Command custom-gcl is golangci-lint v2 with the sharedvet module
// plugin compiled in: the hand-built equivalent of what
// `golangci-lint custom` makes from a .custom-gcl.yml, for machines that
// cannot reach GitHub. It is its own module, so that sharedvet's module
// does not depend on golangci-lint.
package main

import (
	"fmt"
	"os"

	"github.com/golangci/golangci-lint/v2/pkg/commands"
	"github.com/golangci/golangci-lint/v2/pkg/exitcodes"

	_ "github.com/sharedvet/sharedvet/analyzer/golangci"
)

func main() {
	info := commands.BuildInfo{Version: "v2.15.0-sharedvet", Commit: "?", Date: "?", GoVersion: "?"}
	if err := commands.Execute(info); err != nil {
		fmt.Fprintf(os.Stderr, "The command is terminated due to an error: %v\n", err)
		os.Exit(exitcodes.Failure)
	}
}
