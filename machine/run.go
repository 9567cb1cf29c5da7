package machine

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/vmemu/vmemu/cpu"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/memside"
	kernel "github.com/vmemu/vmemu/os"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// RunOptions change how a trace is replayed.
type RunOptions struct {
	// Warmup is instructions whose statistics are discarded, with the
	// caches, TLBs and page tables left warm.
	Warmup uint64
	// Max stops the run after this many instructions, warmup included (0:
	// all of them).
	Max uint64
	// Measure stops the run after this many instructions after warmup
	// (ChampSim's -i; 0: all of them). With Max too, the run stops at
	// whichever limit comes first.
	Measure uint64
	// Interval calls OnInterval every Interval instructions after warmup
	// with the statistics so far (for plots over time).
	Interval   uint64
	OnInterval func(instructions, cycles uint64, stats sim.Snapshot)
	// Quantum is how many instructions of one trace run before the next
	// one's turn, when several run at once (0: each to its end).
	Quantum uint64
	// Progress, when set, is told the instructions measured so far (after
	// warmup; on a machine of several cores, summed over the cores, each
	// counted to the end of its measured part, not as it replays on), and
	// how many the run measures (0 while that is not known: a run without
	// Max or Measure learns a trace's length at its end), every Interval
	// instructions (or every 2^20 without an Interval).
	Progress func(measured, total uint64)
	// Timeline, when set, receives accesses TimelineFirst to
	// TimelineFirst+TimelineCount-1 as a Chrome trace-event JSON file.
	Timeline                     io.Writer
	TimelineFirst, TimelineCount uint64
	// ByIP, when set, counts the run's events by instruction, each under
	// the report's name for it (see countByIP), after warmup as the report
	// does: emu annotate's table.
	ByIP EventCounter
	// Reopen opens trace i again from its start (as Run is given it),
	// for a machine of several cores: a core whose trace ends before the
	// others are done replays it (see runCores). Nil, or a nil reader: it
	// stops.
	Reopen func(i int) (traces.Reader, error)
	// Replay makes a machine of one core running one trace replay it
	// through Reopen, as a core of a machine of several does: the trace
	// alone (emu run --alone) warms up as long as its core did beside
	// the others, its registers and branches kept.
	Replay bool
	// Names are the traces' names (as Run is given them), for errors and
	// the report's per-core traces on a machine of several cores.
	Names []string
}

// progressInterval is how often RunOptions.Progress is told, without an
// Interval: rarely enough to cost nothing.
var progressInterval uint64 = 1 << 20

// Limit is the instructions after which the run stops, warmup included
// (0: none).
func (o *RunOptions) Limit() uint64 {
	if o.Measure == 0 {
		return o.Max
	}
	if n := o.Warmup + o.Measure; o.Max == 0 || n < o.Max {
		return n
	}
	return o.Max
}

// Run replays a trace on the machine's core and returns its report.
func (m *Machine) Run(r traces.Reader, opt RunOptions) (*report.Report, error) {
	return m.RunMany([]traces.Reader{r}, opt)
}

// RunMany replays several traces, one process each: on a machine of one
// core, taking turns by opt.Quantum instructions; on one of several, a
// trace a core (see runCores), the traces that carry process ids as
// threads of one process per id, a trace that carries threads split into
// one stream per thread (threads.go). It reads each trace as the configuration
// says (access.fetch: ignore drops its fetch records, as Cache Lab's csim
// does; access.modify says what a modify is).
func (m *Machine) RunMany(rs []traces.Reader, opt RunOptions) (*report.Report, error) {
	irs := make([]traces.InstrReader, len(rs))
	carries := make([]traces.Carries, len(rs))
	for i, r := range rs {
		irs[i] = traces.Instructions(m.input(r), !m.modifyStore)
		carries[i] = traces.CarriesOf(r)
	}
	var reopen func(int) (traces.InstrReader, error)
	if opt.Reopen != nil {
		reopen = func(i int) (traces.InstrReader, error) {
			r, err := opt.Reopen(i)
			if r == nil || err != nil {
				return nil, err
			}
			return traces.Instructions(m.input(r), !m.modifyStore), nil
		}
	}
	return m.runInstrs(irs, reopen, carries, opt)
}

// RunInstrs replays instruction streams (with registers, where the trace
// has them), one process each, as RunMany does but as they are:
// access.fetch and access.modify apply to a trace's records, which
// RunMany groups. A core of a machine of several does not replay its
// stream.
func (m *Machine) RunInstrs(irs []traces.InstrReader, opt RunOptions) (*report.Report, error) {
	return m.runInstrs(irs, nil, nil, opt)
}

// runInstrs runs instruction streams; carries[i] says what trace i's
// records hold (nil: nothing beyond references), which on a machine of
// several cores groups traces into processes and splits them by thread.
func (m *Machine) runInstrs(irs []traces.InstrReader, reopen func(int) (traces.InstrReader, error), carries []traces.Carries, opt RunOptions) (*report.Report, error) {
	if err := m.once(); err != nil {
		return nil, err
	}
	if len(m.Cores) > 1 {
		return m.runCores(irs, reopen, carries, opt)
	}
	if opt.Replay && reopen != nil && len(irs) == 1 {
		again := keepSmall(reopen)
		irs = []traces.InstrReader{&replaying{r: irs[0], reopen: func(pass uint64) (traces.InstrReader, error) { return again(0, pass) },
			passEnd: func(uint64) {}}}
		defer irs[0].(*replaying).Close()
	}
	side := m.NewSide()
	var tl *Timeline
	if opt.Timeline != nil {
		tl = m.newTimeline(opt.TimelineFirst, max(opt.TimelineCount, 1))
		side.Tracer = tl
	}
	copt, err := m.coreOptions(side, len(irs), opt)
	if err != nil {
		return nil, err
	}
	if t := opt.ByIP; t != nil {
		defer m.countByIP(t, &copt)() // the core resets t at warmup's end
	}
	core, err := cpu.New(m.coreCfg, m.Engine, side, irs, copt)
	if err != nil {
		return nil, err
	}
	if err := m.loop(core); err != nil {
		return nil, err
	}
	if opt.Warmup > 0 && core.Retired() <= opt.Warmup {
		return nil, &WarmupError{Warmup: opt.Warmup, Retired: core.Retired()}
	}
	res := core.Result()
	m.Engine.Run() // write-backs still in flight
	if tl != nil {
		if err := tl.write(opt.Timeline); err != nil {
			return nil, err
		}
	}
	return m.reportCPU(res, irs[0].Format()), nil
}

// once refuses a second run: the machine's core, and its counters in the
// registry, are made for one.
func (m *Machine) once() error {
	if m.ran {
		return errors.New("machine: a machine runs once; build another")
	}
	m.ran = true
	return nil
}

// NewSide returns a memory side of the machine's core (core 0): the one
// path an access takes (explain makes its own).
func (m *Machine) NewSide() *memside.Side { return m.sideOf(m.Cores[0]) }

// coreOptions are the options of a core that runs n traces, one process
// each (the first is the machine's process; the others are made here).
func (m *Machine) coreOptions(side *memside.Side, n int, opt RunOptions) (cpu.Options, error) {
	copt := cpu.Options{Levels: m.levelNames(), Quantum: opt.Quantum,
		Warmup: opt.Warmup, Stats: &m.Stats, Max: opt.Limit(), Interval: opt.Interval}
	if m.Kernel != nil && n > 1 {
		procs := []*kernel.Process{m.Process}
		for range n - 1 {
			p, err := m.Kernel.NewProcess()
			if err != nil {
				return copt, err
			}
			m.Kernel.MapEverything(p)
			procs = append(procs, p)
		}
		copt.Switch = func(now sim.Cycle, p int) sim.Cycle {
			side.Proc = uint32(procs[p].PID)
			return m.Kernel.Switch(now, procs[p]) - now
		}
	}
	if opt.Progress != nil && copt.Interval == 0 {
		copt.Interval = progressInterval
	}
	if opt.OnInterval != nil || opt.Progress != nil {
		copt.OnInterval = func(n, cycles uint64) {
			if opt.OnInterval != nil && opt.Interval > 0 {
				opt.OnInterval(n, cycles, m.Stats.Snapshot())
			}
			if opt.Progress != nil {
				limit := opt.Limit()
				opt.Progress(n, limit-min(limit, opt.Warmup))
			}
		}
	}
	return copt, nil
}

// loop steps the core until it is done. A run that stops making progress
// is an internal error that shows everything in flight.
func (m *Machine) loop(core *cpu.Core) error {
	return m.loopAll([]sim.Component{core}, []*cpu.Core{core})
}

// WarmupError is a run that ended within its warmup: its report would be
// all zeros, so there is none. On a machine of several cores, it is a
// core whose trace ended within its warmup (and could not be read again).
type WarmupError struct {
	Warmup  uint64 // instructions asked to be warmup
	Retired uint64 // instructions the trace had (or --max let run)
	Core    int    // the core (0 on a machine of one)
	Trace   string // what the core ran, as the report names it (several cores only)
}

func (e *WarmupError) Error() string {
	return fmt.Sprintf("warmup %d: the run ended after %d instructions, all of them warmup: nothing was measured", e.Warmup, e.Retired)
}

// ErrInternal marks an error that is the simulator's fault, not the input's.
var ErrInternal = errors.New("internal error")

// stuck reports a run that stopped making progress, with what every
// component holds in flight.
func (m *Machine) stuck(err error, cores ...*cpu.Core) error {
	var b bytes.Buffer
	var parts []any
	for _, c := range cores {
		parts = append(parts, c)
	}
	for _, c := range m.Caches {
		parts = append(parts, c)
	}
	for _, c := range m.Cores {
		if c.MMU != nil {
			parts = append(parts, c.MMU.Walker)
		}
	}
	if m.DRAM != nil {
		parts = append(parts, m.DRAM)
	}
	for _, p := range parts {
		if f, ok := p.(sim.InFlight); ok {
			f.InFlight(indent{&b})
		}
	}
	return fmt.Errorf("%w: %v at cycle %d; in flight:\n%s", ErrInternal, err, m.Engine.Now(), b.String())
}

// indent writes each line two spaces in.
type indent struct{ w io.Writer }

func (i indent) Write(p []byte) (int, error) {
	for _, line := range bytes.SplitAfter(p, []byte("\n")) {
		if len(line) > 0 {
			i.w.Write([]byte("  "))
			i.w.Write(line)
		}
	}
	return len(p), nil
}

// RunProgram runs a program (a scenario's lines) on the machine's in-order
// core, its accesses carrying their data, to its end, and returns the
// run's report (format names the input in it).
func (m *Machine) RunProgram(p cpu.Program, format string) (*report.Report, error) {
	if err := m.once(); err != nil {
		return nil, err
	}
	core, err := cpu.NewProgram(cpu.Config{Model: cpu.InOrder}, m.Engine, m.NewSide(), p,
		cpu.Options{Levels: m.levelNames(), Stats: &m.Stats})
	if err != nil {
		return nil, err
	}
	if err := m.loop(core); err != nil {
		return nil, err
	}
	m.Engine.Run()
	return m.reportProgram(core.Result(), format), nil
}
