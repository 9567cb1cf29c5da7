package cpu

import (
	"errors"
	"fmt"

	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// Options change how a run goes.
type Options struct {
	// Levels names the cache levels by depth (["l1i+l1d", "l2", "llc"]),
	// for the CPI stack; depth len(Levels) is memory.
	Levels []string
	// Switch makes process p current (a context switch between the traces
	// of a multi-trace run) and returns its cost in cycles; nil: free.
	Switch func(now sim.Cycle, p int) sim.Cycle
	// Quantum is how many instructions of one trace run before the next
	// one's turn (0: each to its end).
	Quantum uint64
	// Warmup is the instructions whose statistics are discarded: the run
	// goes on with warm caches and TLBs, and counting starts after them.
	// Its end resets Stats, every counter in it.
	Warmup uint64
	// Stats is the registry the core's counters join, as core.* (the
	// machine's, which warmup then resets whole); nil: a registry of the
	// core's own.
	Stats *sim.Stats
	// Max stops the run after this many instructions, warmup included
	// (0: the whole trace).
	Max uint64
	// Interval calls OnInterval every Interval instructions after warmup
	// with the instructions and cycles counted so far.
	Interval   uint64
	OnInterval func(instructions, cycles uint64)
	// ByIP, when set, counts the run's instructions and CPI stack by
	// instruction: each instruction counted (after warmup, whose end
	// resets ByIP) as InstrEvent, each cycle charged to the stack as
	// StackEvents[i], i its component's place in StackNames with kernel
	// last; each with the IP of the instruction the cycle is charged to.
	// That is the ROB head's (or, with the ROB empty, the instruction
	// waiting to enter it) in the out-of-order core, the running
	// instruction's in the in-order one, the last store's for the store
	// buffer's drain at the end of a run, and 0 (no instruction) for
	// context switches and a program's kernel operations. The cycles of an
	// instruction are told at its retirement.
	ByIP        sim.ByIP
	InstrEvent  sim.Event
	StackEvents []sim.Event
}

// Core is one core, a component the machine steps (sim.Component) until it
// is done; then Result says what it measured, and its registry the rest. A
// second core is a second Core (whose counters will need another prefix
// than "core").
type Core struct {
	run
	model model
}

// run is what every model shares: where instructions come from, where
// accesses go, and the counting.
type run struct {
	cfg  Config
	eng  *sim.Engine
	mem  Memory
	opt  Options
	feed *feed   // a trace run's instructions
	prog Program // or a program's operations (in-order only)
	m    *meter  // retirements: warmup and intervals
	t    *tally  // the CPI stack and the accesses
	// stats is where t is registered (Options.Stats, or the core's own).
	stats *sim.Stats
	done  bool // the run is over
	end   sim.Cycle
	err   error
}

// New returns a core of configuration cfg that runs the traces rs (one
// process each, taking turns by opt.Quantum instructions) on engine eng,
// asking mem for its accesses. Process 0 is taken to be current when the
// run starts.
func New(cfg Config, eng *sim.Engine, mem Memory, rs []traces.InstrReader, opt Options) (*Core, error) {
	if len(rs) == 0 {
		return nil, errors.New("cpu: no trace to run")
	}
	for i, r := range rs {
		if r == nil {
			return nil, fmt.Errorf("cpu: trace %d is nil", i)
		}
	}
	c, err := newCore(cfg, eng, mem, opt)
	if err != nil {
		return nil, err
	}
	c.feed = newFeed(rs, opt.Quantum, opt.Max)
	c.model = models[cfg.Model].build(&c.run)
	return c, nil
}

// NewProgram returns an in-order core that runs a program (a scenario's
// lines) instead of a trace.
func NewProgram(cfg Config, eng *sim.Engine, mem Memory, p Program, opt Options) (*Core, error) {
	if cfg.Model != InOrder {
		return nil, fmt.Errorf("cpu: a program runs on the in-order core, not %s", cfg.Model)
	}
	if p == nil {
		return nil, errors.New("cpu: no program to run")
	}
	c, err := newCore(cfg, eng, mem, opt)
	if err != nil {
		return nil, err
	}
	c.prog = p
	c.model = newInOrder(&c.run)
	return c, nil
}

func newCore(cfg Config, eng *sim.Engine, mem Memory, opt Options) (*Core, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if eng == nil || mem == nil {
		return nil, errors.New("cpu: a core needs an engine and a memory side")
	}
	opt.Levels = append([]string(nil), opt.Levels...)
	t := newTally(len(opt.Levels), eng.Now())
	stats := opt.Stats
	if stats == nil {
		stats = &sim.Stats{}
	}
	t.register(stats, "core", opt.Levels)
	if opt.ByIP != nil {
		if err := t.countByIP(opt.ByIP, opt.InstrEvent, opt.StackEvents); err != nil {
			return nil, err
		}
	}
	c := &Core{run: run{cfg: cfg, eng: eng, mem: mem, opt: opt, t: t, stats: stats}}
	c.m = &meter{opt: &c.opt, t: t, stats: stats, byIP: opt.ByIP != nil}
	return c, nil
}

// Config returns the core's configuration.
func (c *Core) Config() Config { return c.cfg }

// Next is the earliest cycle the core can work at (sim.Component).
func (c *Core) Next() sim.Cycle { return c.model.next() }

// Step does the core's work from cycle now (sim.Component).
func (c *Core) Step(now, limit sim.Cycle) { c.model.step(now, limit) }

// Done reports that the run is over (sim.Component).
func (c *Core) Done() bool { return c.done }

// Err is what ended the run early, if anything: a trace reader's error is
// returned as it is.
func (c *Core) Err() error { return c.err }

// Retired is how many instructions the run retired, warmup included.
func (c *Core) Retired() uint64 { return c.m.seen }

// Result is what the run measured, warmup excluded. A run that never left
// warmup measured nothing: its end ends warmup, and resets the registry.
func (c *Core) Result() Result {
	if c.m.seen < c.opt.Warmup {
		c.m.endWarmup(c.end)
	}
	return c.t.result(c.end)
}

// Run steps the core alone on its engine until it is done, and returns its
// result and what stopped it early, if anything.
func (c *Core) Run() (Result, error) {
	err := sim.Loop(c.eng, []sim.Component{c})
	if errors.Is(err, sim.ErrStuck) {
		c.err = errStuck(c.eng.Now())
	}
	return c.Result(), c.err
}

// finish ends the run at cycle end; the engine's present becomes end,
// unless the run stopped on an error.
func (r *run) finish(end sim.Cycle, err error) {
	r.done, r.end, r.err = true, end, err
	r.t.closeFor(0) // nothing is left to close, but the totals must hold
	if err == nil {
		r.eng.RunUntil(end)
	}
}

// meter counts retirements: it ends warmup and calls the interval hook.
type meter struct {
	opt   *Options
	t     *tally
	stats *sim.Stats
	seen  uint64 // instructions retired, warmup included
	byIP  bool   // the tally tells a ByIP of each instruction
}

// retire counts one instruction, retired by cycle end (the first cycle
// after it); a continuation (traces.Instr.Cont) is part of the one before.
// A model that retires an instruction then closes it (tally.closeFor)
// when byIP says the tally counts by instruction.
func (m *meter) retire(end sim.Cycle, cont bool) {
	if cont {
		return
	}
	m.seen++
	if m.seen <= m.opt.Warmup {
		if m.seen == m.opt.Warmup {
			m.endWarmup(end)
		}
		return
	}
	m.t.instructions++
	if iv := m.opt.Interval; iv > 0 && m.opt.OnInterval != nil && m.t.instructions%iv == 0 {
		m.opt.OnInterval(m.t.instructions, uint64(end-m.t.start))
	}
}

// endWarmup ends warmup at cycle end: the registry is reset, every counter
// in it, and the run's cycles count from end.
func (m *meter) endWarmup(end sim.Cycle) {
	m.seen = max(m.seen, m.opt.Warmup)
	m.stats.Reset()
	m.t.resetByIP()
	m.t.start = end
}

func errStuck(at sim.Cycle) error {
	return fmt.Errorf("cpu: at cycle %d the core waits for an access the memory side never completes (no event left)", at)
}

func errTooManyRefs(n uint8) error {
	return fmt.Errorf("cpu: an instruction with %d memory references (at most %d)", n, traces.MaxMem)
}
