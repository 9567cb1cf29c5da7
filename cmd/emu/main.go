package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/vmemu/vmemu/outfile"
	"github.com/vmemu/vmemu/quote"
	"github.com/vmemu/vmemu/sweep"
)

// Exit statuses other than 0 (success), 1 (the run worked and found a
// difference: a stated value, a missing point) and 2 (bad input).
const (
	exitInternal = 3   // a panic: a bug in emu, never the input's fault
	exitSIGINT   = 130 // stopped by a signal, as a shell reports it: 128 + 2
	exitSIGTERM  = 143 // 128 + 15
)

// exitError carries an exit status other than the usual 2.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func main() {
	stopOnSignal()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// cleanStop is set while a command stops cleanly on a signal by itself
// (sweep run finishes the points in flight); the handler then leaves the
// signal to it.
var cleanStop atomic.Bool

// stopOnSignal makes a SIGINT or SIGTERM remove every temporary output
// before emu ends, so that a killed emu trace gen leaves no hidden file
// of hundreds of megabytes behind.
func stopOnSignal() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		for sig := range ch {
			if cleanStop.Load() {
				continue
			}
			outfile.RemoveTemporaries()
			fmt.Fprintf(os.Stderr, "emu: stopped by %v\n", sig)
			if sig == syscall.SIGTERM {
				os.Exit(exitSIGTERM)
			}
			os.Exit(exitSIGINT)
		}
	}()
}

// run executes one command line and returns the exit status: 0 on success,
// 2 for bad input of any kind (the message says which file, line and field),
// 3 for a bug in emu.
func run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if v := recover(); v != nil {
			code = internalError(stderr, args, v, debug.Stack())
		}
	}()
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(stderr, "emu:", quote.Shorten(ee.err.Error()))
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "emu:", quote.Shorten(err.Error()))
	return 2
}

// internalError reports a panic as what it is, a bug in emu, with what a
// bug report needs; its exit status tells it apart from a refusal of bad
// input. The stack is printed without Go's "goroutine N [running]:" line,
// which tools that watch for raw Go crashes look for.
func internalError(w io.Writer, args []string, v any, stack []byte) int {
	if _, rest, ok := strings.Cut(string(stack), "\n"); ok && strings.HasPrefix(string(stack), "goroutine ") {
		stack = []byte(rest)
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = sweep.ShellQuote(a)
	}
	fmt.Fprintf(w, "emu: internal error: %v\n\n%s\n", v, stack)
	fmt.Fprintf(w, "emu: this is a bug in emu, not a fault of the input. Please report it, with this message, the command line\n  emu %s\nand the files it names.\n", strings.Join(quoted, " "))
	return exitInternal
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
	root.AddCommand(newRunCmd(), newRecordCmd(), newAnnotateCmd(), newCSimCmd(), newExplainCmd(), newDRAMCmd(), newConfigCmd(),
		newTraceCmd(), newSweepCmd(), newPlotCmd(), newCalibrateCmd(), newPanicTestCmd())
	addCompletions(root)
	return root
}

// newPanicTestCmd is a hidden command that panics on purpose, so that the
// tests (and scripts/hostile) can check how an escaped panic is reported.
func newPanicTestCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "internal-panic-test",
		Short:  "panic on purpose (tests the internal-error report)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			var counts []int
			counts[len(counts)]++ // an index out of range, as a real bug would be
			return nil
		},
	}
}
