package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vmemu/vmemu/sim"
)

// intervalWriter writes --interval statistics as CSV: instructions, cycles,
// IPC over the interval, then every counter (cumulative since warmup).
type intervalWriter struct {
	f          *os.File
	w          *bufio.Writer
	path, tmp  string
	lastInstr  uint64
	lastCycles uint64
	header     bool
	err        error
}

func newIntervalWriter(path string) (*intervalWriter, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, err
	}
	return &intervalWriter{f: f, w: bufio.NewWriter(f), path: path, tmp: f.Name()}, nil
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

// close finishes the file and puts it in place (temp then rename: a reader
// never sees half a file).
func (iw *intervalWriter) close() error {
	err := iw.err
	if e := iw.w.Flush(); err == nil {
		err = e
	}
	if e := iw.f.Close(); err == nil {
		err = e
	}
	if err != nil {
		os.Remove(iw.tmp)
		return err
	}
	return os.Rename(iw.tmp, iw.path)
}
