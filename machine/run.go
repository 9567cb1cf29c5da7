package machine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/vmemu/vmemu/cache"
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
			return 0, false, fmt.Errorf("at %#x: %v (os.memory is %s; frames are not yet reclaimed, so raise it)",
				addr, err, m.Config.Get("os.memory"))
		}
		return 0, false, nil
	}
	return t.PA, true, nil
}

var errStuck = errors.New("internal error: an access never completed (no event left)")

func (c *core) access(port *cache.Cache, kind sim.Kind, addr uint64, size uint32) error {
	e := c.m.Engine
	if e.Next() <= c.now {
		e.RunUntil(c.now)
	}
	if u := c.m.MMU; u != nil {
		side := 0
		if kind == sim.Fetch {
			side = 1
		}
		if (addr+uint64(size)-1)^addr < 1<<c.m.Geometry.PageShift {
			if pa, lat, ok := u.Fast(addr, side, kind == sim.Store); ok {
				// Another access to the page of the last hit.
				c.translation += uint64(lat)
				c.now += lat
				return c.cacheAccess(port, kind, pa, size)
			}
		}
		// An access over a page boundary is two accesses, one per page.
		g := c.m.Geometry
		if end := addr + uint64(size) - 1; size > 1 && end>>g.PageShift != addr>>g.PageShift {
			first := uint32((addr | (1<<g.PageShift - 1)) + 1 - addr)
			if err := c.access(port, kind, addr, first); err != nil {
				return err
			}
			return c.access(port, kind, addr+uint64(first), size-first)
		}
		pa, ok, err := c.translate(kind, addr)
		if !ok {
			return err
		}
		addr = pa
	}
	return c.cacheAccess(port, kind, addr, size)
}

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

func (c *core) record(r *traces.Record) error {
	m := c.m
	switch r.Op {
	case traces.Fetch:
		return c.access(m.Fetch, sim.Fetch, r.Addr, r.Size)
	case traces.Load:
		return c.access(m.Data, sim.Load, r.Addr, r.Size)
	case traces.Store:
		return c.access(m.Data, sim.Store, r.Addr, r.Size)
	case traces.Modify:
		if err := c.access(m.Data, sim.Load, r.Addr, r.Size); err != nil || !m.modifyStore {
			return err
		}
		return c.access(m.Data, sim.Store, r.Addr, r.Size)
	}
	return fmt.Errorf("record with unknown op %d", r.Op)
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
	var buf [8]byte
	binary.LittleEndian.PutUint64(buf[:], value)
	page := uint64(1) << c.m.Geometry.PageShift
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
			c.m.Phys.Write(pa, buf[off:off+n])
		} else {
			c.m.Phys.Read(pa, buf[off:off+n])
		}
		off += n
	}
	if kind == sim.Store {
		return value, true, nil
	}
	v := binary.LittleEndian.Uint64(buf[:])
	if size < 8 {
		v &= 1<<(8*size) - 1
	}
	return v, true, nil
}

// RunOptions change how a trace is replayed.
type RunOptions struct {
	Max uint64 // stop after this many records; 0 means all
}

// Run replays a trace on the machine and returns its report.
func (m *Machine) Run(r traces.Reader, opt RunOptions) (*Report, error) {
	c := m.newCore()
	buf := make([]traces.Record, 4096)
	for opt.Max == 0 || c.records < opt.Max {
		n, err := r.Read(buf)
		if opt.Max > 0 && uint64(n) > opt.Max-c.records {
			n = int(opt.Max - c.records)
		}
		for i := 0; i < n; i++ {
			if err := c.record(&buf[i]); err != nil {
				return nil, err
			}
		}
		c.records += uint64(n)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	m.Engine.Run() // posted writes still in flight
	return m.report(c, r.Format()), nil
}
