package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/vmemu/vmemu/outfile"
	"github.com/vmemu/vmemu/traces"
)

const recordLong = `Run PROG with ARGS under valgrind's lackey tool and write the memory
trace it makes (every instruction fetch, load, store and modify) to OUT as
it runs: the format comes from OUT's name (default PROG.vmt, in the native
format, in the working folder) or --format. Lackey writes its trace to a
pipe of its own, so PROG's standard input, output and error stay PROG's.
Memory stays constant however long PROG runs.

Ctrl-C (SIGINT) or SIGTERM stops PROG, and OUT then holds every record
traced up to that moment: a valid trace, cut short (exit status 130 or
143). A second signal kills valgrind. On an error OUT is not written.
emu's exit status is PROG's when PROG fails.

Lackey records addresses and sizes, not registers: in its traces the loads
of a pointer chase look independent, so the out-of-order core overlaps
them (emu trace gen chase, with registers, shows the difference). It
needs valgrind (apt-get install valgrind).`

const recordExample = `  emu record -o ls.vmt -- ls -l
  emu record -- ./matmul 64 && emu run matmul.vmt
  emu record -o prog.lackey.gz -- ./prog input.txt`

// valgrindProgram is what emu record runs.
const valgrindProgram = "valgrind"

func newRecordCmd() *cobra.Command {
	var out, format string
	cmd := &cobra.Command{
		Use:     "record [-o OUT] [--format F] -- PROG [ARGS ...]",
		Short:   "run a program under valgrind's lackey and write its memory trace as it runs",
		Long:    recordLong,
		Example: recordExample,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				out = filepath.Base(args[0]) + ".vmt"
			}
			return record(cmd, out, format, args)
		},
	}
	// Everything after PROG is PROG's: emu record ls -l works without --.
	cmd.Flags().SetInterspersed(false)
	cmd.Flags().StringVarP(&out, "output", "o", "", "the trace to write (default: PROG.vmt in the working folder)")
	cmd.Flags().StringVar(&format, "format", "", "one of "+strings.Join(traces.WriteFormats(), ", ")+" (default: from OUT's name)")
	return cmd
}

// record runs prog under lackey and writes its trace to out.
func record(cmd *cobra.Command, out, format string, prog []string) error {
	vg, err := exec.LookPath(valgrindProgram)
	if err != nil {
		return errors.New("record: valgrind is not installed (or not on PATH): " +
			"install it (apt-get install valgrind, dnf install valgrind) and try again")
	}
	if sameFile(out, prog[0]) {
		return fmt.Errorf("-o %s would overwrite the program", out)
	}
	f, zkind, err := outputFormat(out, format)
	if err != nil {
		return err
	}
	dst, err := outfile.Create(out)
	if err != nil {
		return err
	}
	defer dst.Abort() // nothing after Close
	// The signals are record's own (valgrind stops PROG, and OUT keeps
	// what was traced), not the handler's that removes temporaries.
	cleanStop.Store(true)
	defer cleanStop.Store(false)
	rec, err := startLackey(cmd, vg, prog)
	if err != nil {
		return err
	}
	n, werr := writeTo(dst, f, zkind, traces.CarriesOf(rec.trace), traces.Refs(rec.trace))
	status, interrupted := rec.finish(werr != nil)
	if werr != nil {
		return werr
	}
	if n == 0 {
		return fmt.Errorf("record: valgrind traced nothing (%s); %s not written", status, out)
	}
	if err := dst.Close(); err != nil {
		return err
	}
	return recordOutcome(cmd, out, prog[0], n, status, interrupted)
}

// recordOutcome reports what record wrote, and gives emu the exit status
// of an interrupt or of PROG's failure.
func recordOutcome(cmd *cobra.Command, out, prog string, n int64, status *os.ProcessState, interrupted os.Signal) error {
	if interrupted != nil {
		code := 128 + int(interrupted.(syscall.Signal))
		return &exitError{code: code, err: fmt.Errorf("interrupted (%v): %s holds the %d records traced so far, a valid trace", interrupted, out, n)}
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "emu: %s: %d records of %s\n", out, n, prog)
	if !status.Success() {
		return &exitError{code: exitCode(status), err: fmt.Errorf("%s failed (%s); %s holds its trace", prog, status, out)}
	}
	return nil
}

// exitCode is a process's exit status as a shell gives it: 128 + the
// signal that killed it.
func exitCode(status *os.ProcessState) int {
	if ws, ok := status.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	if code := status.ExitCode(); code > 0 {
		return code
	}
	return 1
}

// lackeyRun is valgrind running PROG, with the trace read from its pipe.
type lackeyRun struct {
	cmd    *exec.Cmd
	pipe   *os.File // the read end of lackey's trace
	trace  traces.Reader
	sigs   chan os.Signal
	caught chan os.Signal // the first signal caught, once forward is done
}

// startLackey starts valgrind with lackey's trace on file descriptor 3, a
// pipe read here; PROG keeps emu's standard input, output and error.
func startLackey(cmd *cobra.Command, vg string, prog []string) (*lackeyRun, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	c := exec.Command(vg, append([]string{"--tool=lackey", "--trace-mem=yes", "--log-fd=3"}, prog...)...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, cmd.OutOrStdout(), cmd.ErrOrStderr()
	c.ExtraFiles = []*os.File{pw}
	run := &lackeyRun{cmd: c, pipe: pr, sigs: make(chan os.Signal, 2), caught: make(chan os.Signal, 1)}
	signal.Notify(run.sigs, syscall.SIGINT, syscall.SIGTERM)
	if err := c.Start(); err != nil {
		signal.Stop(run.sigs)
		pr.Close()
		pw.Close()
		return nil, fmt.Errorf("record: %v", err)
	}
	pw.Close() // valgrind's copy is the only writer: its exit ends the trace
	go run.forward()
	run.trace, err = traces.NewReader("valgrind lackey output", &wholeLines{r: pr, buf: make([]byte, 64<<10)})
	if err != nil {
		run.finish(true)
		return nil, err
	}
	return run, nil
}

// forward passes the first SIGINT or SIGTERM on to valgrind (which stops
// PROG with it) and kills valgrind on the second; it hands the first on
// to finish through caught.
func (l *lackeyRun) forward() {
	var first os.Signal
	defer func() { l.caught <- first }()
	first = <-l.sigs
	if first == nil {
		return // finish closed sigs: no signal came
	}
	l.cmd.Process.Signal(first)
	if s := <-l.sigs; s != nil {
		l.cmd.Process.Kill()
	}
}

// finish waits for valgrind (killing it first when the trace failed) and
// returns how it ended and the signal that interrupted it, if one did.
func (l *lackeyRun) finish(kill bool) (*os.ProcessState, os.Signal) {
	if kill {
		l.cmd.Process.Kill()
	}
	l.pipe.Close()
	l.cmd.Wait()
	signal.Stop(l.sigs)
	close(l.sigs)
	return l.cmd.ProcessState, <-l.caught
}

// wholeLines hands on what r gives up to its last complete line, and
// leaves out an unfinished last line at the end: valgrind stopped by a
// signal may leave half a record ("I  0401" of "I  04012a70,3"), which
// would read as another address.
type wholeLines struct {
	r          io.Reader
	buf        []byte // buf[start:end] is read from r and not yet handed on
	start, end int
	err        error
}

func (w *wholeLines) Read(p []byte) (int, error) {
	for {
		held := w.buf[w.start:w.end]
		i := bytes.LastIndexByte(held, '\n')
		if i < 0 && len(held) == len(w.buf) {
			i = len(held) - 1 // a line longer than the buffer: the reader refuses it
		}
		if i >= 0 {
			n := copy(p, held[:i+1])
			w.start += n
			return n, nil
		}
		if w.err != nil {
			return 0, w.err
		}
		w.end = copy(w.buf, held)
		w.start = 0
		m, err := w.r.Read(w.buf[w.end:])
		w.end += m
		w.err = err
	}
}
