package main

import (
	"bufio"
	"fmt"

	"github.com/vmemu/vmemu/outfile"
	"github.com/vmemu/vmemu/sim"
)

// intervalWriter writes --interval statistics as CSV: instructions, cycles,
// IPC over the interval, then every counter (cumulative since warmup).
type intervalWriter struct {
	f          *outfile.File
	w          *bufio.Writer
	lastInstr  uint64
	lastCycles uint64
	header     bool
	err        error
}

func newIntervalWriter(path string) (*intervalWriter, error) {
	f, err := outfile.Create(path)
	if err != nil {
		return nil, err
	}
	return &intervalWriter{f: f, w: bufio.NewWriter(f)}, nil
}

func (iw *intervalWriter) row(instructions, cycles uint64, stats []sim.Stat) {
	if iw.err != nil {
		return
	}
	if !iw.header {
		iw.header = true
		fmt.Fprint(iw.w, "instructions,cycles,ipc")
		for _, s := range stats {
			fmt.Fprint(iw.w, ",", s.Name)
		}
		fmt.Fprintln(iw.w)
	}
	ipc := 0.0
	if cycles > iw.lastCycles {
		ipc = float64(instructions-iw.lastInstr) / float64(cycles-iw.lastCycles)
	}
	iw.lastInstr, iw.lastCycles = instructions, cycles
	fmt.Fprintf(iw.w, "%d,%d,%.4f", instructions, cycles, ipc)
	for _, s := range stats {
		fmt.Fprintf(iw.w, ",%d", s.Value)
	}
	_, iw.err = fmt.Fprintln(iw.w)
}

// close finishes the file and puts it in place (a reader never sees half
// a file).
func (iw *intervalWriter) close() error {
	err := iw.err
	if e := iw.w.Flush(); err == nil {
		err = e
	}
	if err != nil {
		iw.f.Abort()
		return err
	}
	return iw.f.Close()
}

// abort leaves no file if close was not reached (the run failed).
func (iw *intervalWriter) abort() { iw.f.Abort() }
