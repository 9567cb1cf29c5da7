package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// exitError carries an exit status other than the usual 2.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns the exit status: 0 on success,
// 2 for bad input of any kind (the message says which file, line and field).
func run(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(stderr, "emu:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "emu:", err)
	return 2
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "emu",
		Short:         "vmemu: a cycle-level emulator of an MMU and memory hierarchy",
		Version:       emuVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newRunCmd(), newRecordCmd(), newAnnotateCmd(), newCSimCmd(), newExplainCmd(), newDRAMCmd(), newConfigCmd(), newTraceCmd(), newSweepCmd(), newPlotCmd())
	addCompletions(root)
	return root
}
