package main

import (
	"context"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/torgsite/torg/internal/cli"
)

// TestMain lets the test binary act as the torg command inside scripts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"torg": func() {
			err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)
			os.Exit(cli.ExitCode(err))
		},
	})
}

// TestScripts runs the CLI scripts in testdata/script: each is a txtar
// archive holding a small site and the commands with their expected exit
// codes, output and files.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// Keep git from treating the work folder as part of any
			// repository above it.
			env.Setenv("GIT_CEILING_DIRECTORIES", env.WorkDir)
			return nil
		},
	})
}
