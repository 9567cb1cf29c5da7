package machine

import (
	"errors"
	"fmt"
	"io"

	"github.com/vmemu/vmemu/cache"
	"github.com/vmemu/vmemu/cpu"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// core is the in-order, blocking core of the coursework model: each access
// is presented when the one before it has its data, so the run's cycles are
// the sum of the access latencies.
type core struct {
	m       *Machine
	now     sim.Cycle
	req     sim.Request
	tr      mmu.Translation
	waiting bool
	doneAt  sim.Cycle

	translation uint64 // cycles from issue to physical address, faults aside
	faults      uint64 // cycles in the kernel's fault handler
	kernel      uint64 // cycles in system calls and context switches
	segv        uint64 // accesses abandoned after a fault

	records  uint64
	accesses [sim.NumKinds]uint64
	cycles   [sim.NumKinds]uint64
	byDepth  []uint64 // cycles of accesses by the depth that served them
}

// Complete is called when an access the hierarchy could not time at once
// has its data.
func (c *core) Complete(_ *sim.Request, at sim.Cycle) {
	c.waiting, c.doneAt = false, at
}

// TranslationDone is called when a translation that had to wait ends.
func (c *core) TranslationDone(_ *mmu.Translation, at sim.Cycle) {
	c.waiting, c.doneAt = false, at
}

// wait runs events until the core's outstanding operation is done.
func (c *core) wait() (sim.Cycle, error) {
	c.waiting = true
	for c.waiting && c.m.Engine.Step() {
	}
	if c.waiting {
		return 0, errStuck
	}
	return c.doneAt, nil
}

// translate turns addr into a physical address, charging the time to
// translation and to the kernel. ok is false when the access was abandoned.
func (c *core) translate(kind sim.Kind, addr uint64) (pa uint64, ok bool, err error) {
	m := c.m
	side := 0
	if kind == sim.Fetch {
		side = 1
	}
	if pa, lat, ok := m.MMU.Fast(addr, side, kind == sim.Store); ok {
		c.translation += uint64(lat)
		c.now += lat
		return pa, true, nil
	}
	t := &c.tr
	t.VA, t.Kind, t.User = addr, kind, true
	faultsBefore := m.Kernel.N.FaultCycles
	at, done := m.MMU.Translate(c.now, t)
	if !done {
		if at, err = c.wait(); err != nil {
			return 0, false, err
		}
	}
	inKernel := m.Kernel.N.FaultCycles - faultsBefore
	c.faults += inKernel
	c.translation += uint64(at-c.now) - inKernel
	c.now = at
	if t.Faulted {
		c.segv++
		if err := m.Kernel.Err(); err != nil {
			return 0, false, fmt.Errorf("at %#x: %v (os.memory is %s, disk.swap %s)",
				addr, err, m.Config.Get("os.memory"), m.Config.Get("disk.swap"))
		}
		return 0, false, nil
	}
	return t.PA, true, nil
}

var errStuck = errors.New("internal error: an access never completed (no event left)")

// cacheAccess presents a physical access to the first level.
func (c *core) cacheAccess(port *cache.Cache, kind sim.Kind, addr uint64, size uint32) error {
	if e := c.m.Engine; e.Next() <= c.now {
		e.RunUntil(c.now) // translation may have moved time on
	}
	// Set the fields one by one: copying a whole Request costs more than
	// the cache lookup that follows.
	r := &c.req
	r.Addr, r.Size, r.Kind, r.Issued = addr, size, kind, c.now
	done, ok := port.Access(c.now, r)
	if !ok {
		var err error
		if done, err = c.wait(); err != nil {
			return err
		}
	}
	lat := uint64(done - c.now)
	c.accesses[kind]++
	c.cycles[kind] += lat
	c.byDepth[c.req.Depth] += lat
	c.now = done
	return nil
}

func (m *Machine) newCore() *core {
	c := &core{m: m, byDepth: make([]uint64, len(m.Config.Levels())+1)}
	c.req.Done = c
	c.tr.Done = c
	return c
}

// dataAccess is one access with its data (scenarios): translated page by
// page, timed through the caches, and carried out on physical memory. A
// store writes value's low size bytes (little-endian); a load returns them.
// ok is false after a SIGSEGV.
func (c *core) dataAccess(port *cache.Cache, kind sim.Kind, va uint64, size uint32, value uint64) (uint64, bool, error) {
	page := uint64(1) << c.m.Geometry.PageShift
	var got uint64
	for off := uint32(0); off < size; {
		a := va + uint64(off)
		n := min(size-off, uint32(page-a&(page-1)))
		if e := c.m.Engine; e.Next() <= c.now {
			e.RunUntil(c.now)
		}
		pa, ok, err := c.translate(kind, a)
		if err != nil || !ok {
			return 0, false, err
		}
		if err := c.cacheAccess(port, kind, pa, n); err != nil {
			return 0, false, err
		}
		if kind == sim.Store {
			c.m.Phys.Store(pa, n, value>>(8*off))
		} else {
			got |= c.m.Phys.Load(pa, n) << (8 * off)
		}
		off += n
	}
	if kind == sim.Store {
		return value, true, nil
	}
	return got, true, nil
}

// RunOptions change how a trace is replayed.
type RunOptions struct {
	// Warmup is instructions whose statistics are discarded, with the
	// caches, TLBs and page tables left warm.
	Warmup uint64
	// Max stops the run after this many instructions, warmup included (0:
	// all of them).
	Max uint64
	// Interval calls OnInterval every Interval instructions after warmup
	// with the statistics so far (for plots over time).
	Interval   uint64
	OnInterval func(instructions, cycles uint64, stats []sim.Stat)
	// Quantum is how many instructions of one trace run before the next
	// one's turn, when several run at once (0: each to its end).
	Quantum uint64
	// Progress, when set, is told the instructions done so far, every
	// Interval instructions (or every 2^20 without an Interval).
	Progress func(instructions uint64)
	// Timeline, when set, receives accesses TimelineFirst to
	// TimelineFirst+TimelineCount-1 as a Chrome trace-event JSON file.
	Timeline                     io.Writer
	TimelineFirst, TimelineCount uint64
}

// Run replays a trace on the machine's core and returns its report.
func (m *Machine) Run(r traces.Reader, opt RunOptions) (*report.Report, error) {
	return m.RunMany([]traces.Reader{r}, opt)
}

// RunMany replays several traces on one core, one process each, taking
// turns by opt.Quantum instructions.
func (m *Machine) RunMany(rs []traces.Reader, opt RunOptions) (*report.Report, error) {
	irs := make([]traces.InstrReader, len(rs))
	for i, r := range rs {
		irs[i] = traces.Instructions(r, !m.modifyStore)
	}
	return m.RunInstrs(irs, opt)
}

// RunInstrs replays instruction streams (with registers, where the trace
// has them) on one core, one process each.
func (m *Machine) RunInstrs(irs []traces.InstrReader, opt RunOptions) (*report.Report, error) {
	side := newMemSide(m)
	if opt.Timeline != nil {
		side.tl = m.newTimeline(opt.TimelineFirst, max(opt.TimelineCount, 1))
	}
	if m.Kernel != nil {
		side.procs = append(side.procs, m.Process)
		for range irs[1:] {
			p, err := m.Kernel.NewProcess()
			if err != nil {
				return nil, err
			}
			m.Kernel.MapEverything(p)
			side.procs = append(side.procs, p)
		}
	}
	core, err := cpu.New(m.coreCfg, m.Engine, side)
	if err != nil {
		return nil, err
	}
	copt := cpu.Options{Warmup: opt.Warmup, OnWarmupEnd: m.ResetCounts, Max: opt.Max, Interval: opt.Interval}
	if opt.Progress != nil && copt.Interval == 0 {
		copt.Interval = 1 << 20
	}
	if opt.OnInterval != nil || opt.Progress != nil {
		copt.OnInterval = func(n, cycles uint64) {
			if opt.OnInterval != nil && opt.Interval > 0 {
				opt.OnInterval(n, cycles, m.Stats.All())
			}
			if opt.Progress != nil {
				opt.Progress(n)
			}
		}
	}
	res, err := core.RunMany(irs, opt.Quantum, copt)
	if err != nil {
		return nil, err
	}
	m.Engine.Run() // write-backs still in flight
	if side.tl != nil {
		if err := side.tl.write(opt.Timeline); err != nil {
			return nil, err
		}
	}
	format := irs[0].Format()
	return m.reportCPU(res, format), nil
}

// ResetCounts zeroes every statistic and keeps every state (the end of a
// warmup).
func (m *Machine) ResetCounts() {
	m.Stats.Reset()
	if m.MMU != nil {
		m.MMU.Walker.ResetCounts()
	}
}
