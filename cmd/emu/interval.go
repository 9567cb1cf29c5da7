package main

import (
	"bufio"
	"fmt"

	"github.com/vmemu/vmemu/outfile"
	"github.com/vmemu/vmemu/sim"
)

// intervalWriter writes --interval statistics as CSV, one row per
// interval: the running totals instructions and cycles, the interval's
// own instructions, cycles and IPC (interval_*), then every counter of
// the registry but its details (sim.Info.Detail) twice, its value since
// warmup under its name and its change over the interval under interval_
// and its name, then the same of every figure made from counters (a
// prefetcher's accuracy and coverage), over the run and the interval.
type intervalWriter struct {
	f          *outfile.File
	w          *bufio.Writer
	lastInstr  uint64
	lastCycles uint64
	last       sim.Snapshot
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

func (iw *intervalWriter) row(instructions, cycles uint64, snap sim.Snapshot) {
	if iw.err != nil {
		return
	}
	diff := snap.Sub(iw.last)
	stats, change := snap.List(false), diff.List(false)
	iw.last = snap
	if !iw.header {
		iw.header = true
		fmt.Fprint(iw.w, "instructions,cycles,interval_instructions,interval_cycles,interval_ipc")
		for _, s := range stats {
			fmt.Fprint(iw.w, ",", s.Name)
		}
		for _, s := range stats {
			fmt.Fprint(iw.w, ",interval_", s.Name)
		}
		for _, d := range snap.Derived() {
			fmt.Fprint(iw.w, ",", d.Name, ",interval_", d.Name)
		}
		fmt.Fprintln(iw.w)
	}
	di, dc := instructions-iw.lastInstr, cycles-iw.lastCycles
	ipc := 0.0
	if dc > 0 {
		ipc = float64(di) / float64(dc)
	}
	iw.lastInstr, iw.lastCycles = instructions, cycles
	fmt.Fprintf(iw.w, "%d,%d,%d,%d,%.4f", instructions, cycles, di, dc, ipc)
	for _, s := range stats {
		fmt.Fprintf(iw.w, ",%d", s.Value)
	}
	for _, s := range change {
		// Signed: a gauge (os.table_frames, frames holding page tables
		// now) may go down over an interval.
		fmt.Fprintf(iw.w, ",%d", int64(s.Value))
	}
	for _, d := range snap.Derived() {
		fmt.Fprintf(iw.w, ",%.4f,%.4f", snap.Figure(d), diff.Figure(d))
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
