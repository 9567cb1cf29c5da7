package main

import (
	"errors"
	"fmt"
	"slices"

	"github.com/vmemu/vmemu/machine"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/traces"
)

// What emu run does on a machine of several cores beyond running the
// traces: the flags it refuses there, and --alone.

// checkCores refuses what a machine of several cores does not make.
func (rf *replayFlags) checkCores(cores int, inputs []string, scenario bool) error {
	switch {
	case rf.alone && scenario:
		return errors.New("--alone runs each trace alone against its core: a scenario's processes and threads are not traces (run it with cores: 1 to compare)")
	case rf.alone && slices.Contains(inputs, "-"):
		return errors.New("--alone: standard input cannot be read a second time: give the trace as a file")
	case cores == 1 && rf.alone:
		return fmt.Errorf("--alone compares a run of several cores with each trace alone: set cores (--set cores=N)")
	case cores == 1:
		return nil
	case rf.interval > 0 || rf.timelinePath != "":
		return fmt.Errorf("--interval and --timeline are made on a machine of one core (cores: 1, not %d)", cores)
	}
	return nil
}

// runAlone runs each trace of a run of several cores alone, on the same
// machine with one core (which is what the machine of several is with one
// trace: the others idle, having nothing of theirs), and adds the IPCs and
// speedups to rep. Each measures the instructions its core measured,
// after the instructions its core had run when measuring began: a core
// that warmed up before the others ran on while they did, and measured
// warmer than --warmup alone would leave it.
func runAlone(cf configFlags, paths []string, rep *report.Report) error {
	ipcs := make([]float64, len(rep.Cores))
	for i, c := range rep.Cores {
		if c.Core >= len(paths) || c.Trace != paths[c.Core] {
			return fmt.Errorf("--alone runs each trace alone against its core, but core %d runs %s, not a trace whole (a trace of several threads is split across cores)", c.Core, c.Trace)
		}
		cfg, err := cf.load()
		if err != nil {
			return err
		}
		if err := cfg.Set("cores", "1"); err != nil {
			return err
		}
		m, err := machine.Build(cfg)
		if err != nil {
			return err
		}
		r, err := reopen(paths[c.Core])
		if err != nil {
			return err
		}
		path := paths[c.Core]
		alone, err := m.Run(r, machine.RunOptions{Warmup: c.Warmup, Measure: c.Instructions, Replay: true,
			Reopen: func(int) (traces.Reader, error) { return reopen(path) }})
		r.Close()
		if err != nil {
			return fmt.Errorf("--alone: %s: %w", paths[c.Core], err)
		}
		ipcs[i] = alone.IPC
	}
	rep.SetAlone(ipcs)
	return nil
}

// reopen opens a trace again from its start, for a core of a machine of
// several that replays it; standard input cannot be (nil).
func reopen(path string) (traces.Reader, error) {
	if path == "-" {
		return nil, nil
	}
	return openTrace(path)
}
