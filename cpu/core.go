package cpu

import (
	"errors"
	"fmt"

	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// Options change how a run goes.
type Options struct {
	// Warmup is the instructions whose statistics are discarded: the run
	// goes on with warm caches and TLBs, and counting starts after them.
	Warmup uint64
	// OnWarmupEnd is called when warmup ends, so the machine can reset its
	// own counters at the same point.
	OnWarmupEnd func()
	// Max stops the run after this many instructions, warmup included
	// (0: the whole trace).
	Max uint64
	// Interval calls OnInterval every Interval instructions after warmup
	// with the instructions and cycles counted so far.
	Interval   uint64
	OnInterval func(instructions, cycles uint64)
}

// Core replays instruction traces on a memory side and times them.
type Core struct {
	cfg Config
	eng *sim.Engine
	mem Memory
}

// New returns a core of configuration cfg that runs on engine eng and
// asks mem for its accesses.
func New(cfg Config, eng *sim.Engine, mem Memory) (*Core, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if eng == nil || mem == nil {
		return nil, errors.New("cpu: New needs an engine and a memory side")
	}
	return &Core{cfg: cfg, eng: eng, mem: mem}, nil
}

// Config returns the core's configuration.
func (c *Core) Config() Config { return c.cfg }

// Run replays one trace from the engine's present. An error of the reader
// stops the run and is returned as it is, with what was measured until then.
func (c *Core) Run(r traces.InstrReader, opt Options) (Result, error) {
	return c.RunMany([]traces.InstrReader{r}, 0, opt)
}

// RunMany replays several traces on the one core, one process each,
// round-robin: quantum instructions of process 0, then of process 1, and so
// on (quantum 0: each trace to its end). Every change of process drains the
// core and calls Memory.Switch; its cost is the CPI stack's "switch".
// Process 0 is taken to be current when the run starts.
func (c *Core) RunMany(rs []traces.InstrReader, quantum uint64, opt Options) (Result, error) {
	if len(rs) == 0 {
		return Result{}, errors.New("cpu: no trace to run")
	}
	for i, r := range rs {
		if r == nil {
			return Result{}, fmt.Errorf("cpu: trace %d is nil", i)
		}
	}
	levels := append([]string(nil), c.mem.LevelNames()...)
	t := newTally(len(levels), c.eng.Now())
	m := &meter{opt: &opt, t: t}
	f := newFeed(rs, quantum, opt.Max)
	var end sim.Cycle
	var err error
	if c.cfg.Model == InOrder {
		end, err = newInOrder(c, f, m).run()
	} else {
		end, err = newOOO(c, f, m).run()
	}
	if m.seen < opt.Warmup {
		t.reset(end) // the run never left warmup: nothing counts
	}
	return t.result(end, levels), err
}

// meter counts retirements: it ends warmup and calls the interval hook.
type meter struct {
	opt  *Options
	t    *tally
	seen uint64 // instructions retired, warmup included
}

// retire counts one instruction, retired by cycle end (the first cycle
// after it); a continuation (traces.Instr.Cont) is part of the one before.
func (m *meter) retire(end sim.Cycle, cont bool) {
	if cont {
		return
	}
	m.seen++
	if m.seen <= m.opt.Warmup {
		if m.seen == m.opt.Warmup {
			if m.opt.OnWarmupEnd != nil {
				m.opt.OnWarmupEnd()
			}
			m.t.reset(end)
		}
		return
	}
	m.t.instructions++
	if iv := m.opt.Interval; iv > 0 && m.opt.OnInterval != nil && m.t.instructions%iv == 0 {
		m.opt.OnInterval(m.t.instructions, uint64(end-m.t.start))
	}
}

func errStuck(at sim.Cycle) error {
	return fmt.Errorf("cpu: at cycle %d the core waits for an access the memory side never completes (no event left)", at)
}

func errTooManyRefs(n uint8) error {
	return fmt.Errorf("cpu: an instruction with %d memory references (at most %d)", n, traces.MaxMem)
}
