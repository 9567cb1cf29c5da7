package os

import (
	"fmt"

	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

// Config is the kernel's part of a machine.
type Config struct {
	Geometry     mmu.Geometry
	MemoryBytes  uint64 // physical memory; frames of Geometry's page size
	RandomFrames bool   // hand out frames at seeded random, not in order
	Seed         uint64
	FaultCycles  sim.Cycle // a page fault's entry, handler and exit
	ZeroCycles   sim.Cycle // zeroing a page
}

// Kernel is the operating system of one machine.
type Kernel struct {
	cfg     Config
	mem     *dram.PhysMem
	frames  *frameAllocator
	procs   []*Process
	nextTab uint64 // where the next table too big for a frame goes
	err     error

	// DemandZero maps a zeroed page on a not-present fault (first touch).
	// Off, such a fault abandons the access as a page fault, which is what
	// an explanation of an exercise wants to show.
	DemandZero bool

	N Counts
}

// Counts are the kernel's statistics.
type Counts struct {
	MinorFaults uint64 // demand-zero pages mapped
	Segv        uint64 // accesses abandoned with SIGSEGV
	TableFrames uint64 // frames holding page tables
	FaultCycles uint64 // cycles spent in the fault handler
	SegvBy      [mmu.OutOfRange + 1]uint64
}

// Process is one address space.
type Process struct {
	PID  int
	PCID uint16
	Root uint64 // physical address of its root table (CR3)
	// LastSegv is the last fault that killed an access.
	LastSegv *mmu.Fault
}

// New returns a kernel for physical memory mem.
func New(cfg Config, mem *dram.PhysMem) (*Kernel, error) {
	if err := cfg.Geometry.Validate(); err != nil {
		return nil, err
	}
	frames := cfg.MemoryBytes >> cfg.Geometry.PageShift
	if frames < 2 {
		return nil, fmt.Errorf("physical memory of %d B holds fewer than two %d-byte frames", cfg.MemoryBytes, 1<<cfg.Geometry.PageShift)
	}
	return &Kernel{
		cfg: cfg, mem: mem,
		frames:     newFrameAllocator(frames, cfg.RandomFrames, cfg.Seed),
		nextTab:    cfg.MemoryBytes,
		DemandZero: true,
	}, nil
}

// Err is the first error that stopped the kernel from mending a fault (out
// of memory), or nil.
func (k *Kernel) Err() error { return k.err }

// Register adds the kernel's counters to s.
func (k *Kernel) Register(s *sim.Stats) {
	s.Register("os.minor_faults", &k.N.MinorFaults)
	s.Register("os.segv", &k.N.Segv)
	s.Register("os.table_frames", &k.N.TableFrames)
	s.Register("os.fault_cycles", &k.N.FaultCycles)
}

// NewProcess makes an empty address space with its root table.
func (k *Kernel) NewProcess() (*Process, error) {
	root, err := k.newTable()
	if err != nil {
		return nil, err
	}
	p := &Process{PID: len(k.procs) + 1, PCID: uint16(len(k.procs) + 1), Root: root}
	k.procs = append(k.procs, p)
	return p, nil
}

// newTable returns the physical address of a zeroed table. A table larger
// than a frame (the CS:APP small system's 256-entry table with 64-byte
// pages) goes past the end of physical memory, as the book keeps its page
// table out of the 4 KiB it shows.
func (k *Kernel) newTable() (uint64, error) {
	g := k.cfg.Geometry
	if g.TableBytes() > 1<<g.PageShift {
		pa := k.nextTab
		k.nextTab += g.TableBytes()
		return pa, nil
	}
	f, err := k.frames.alloc()
	if err != nil {
		return 0, err
	}
	k.N.TableFrames++
	pa := f << g.PageShift
	k.mem.Zero(pa, 1<<g.PageShift)
	return pa, nil
}

// ReadPTE and WritePTE give the walker the entries in physical memory
// (8 bytes, little-endian).
func (k *Kernel) ReadPTE(pa uint64) mmu.PTE     { return mmu.PTE(k.mem.Uint64(pa)) }
func (k *Kernel) WritePTE(pa uint64, v mmu.PTE) { k.mem.SetUint64(pa, uint64(v)) }

// Map makes va's page (of the smallest size) point at frame with flags in
// p's tables, creating the tables on the way.
func (k *Kernel) Map(p *Process, va, frame uint64, flags mmu.PTE) error {
	g := k.cfg.Geometry
	table := p.Root
	for l := g.Levels; l > 1; l-- {
		addr := table + g.Index(va, l)*uint64(g.EntryBytes)
		e := k.ReadPTE(addr)
		if e&mmu.Present == 0 {
			next, err := k.newTable()
			if err != nil {
				return err
			}
			e = mmu.MakePTE(next>>g.PageShift, mmu.Present|mmu.Writable|mmu.User)
			k.WritePTE(addr, e)
		}
		table = e.Frame(g.PABits, g.PageShift) << g.PageShift
	}
	k.WritePTE(table+g.Index(va, 1)*uint64(g.EntryBytes), mmu.MakePTE(frame, flags))
	if flags&mmu.Present != 0 {
		k.frames.reserve(frame)
	}
	return nil
}

// SetPTE writes a leaf entry as given (a state file's page table), creating
// the tables on the way.
func (k *Kernel) SetPTE(p *Process, va uint64, e mmu.PTE) error {
	g := k.cfg.Geometry
	if err := k.Map(p, va, 0, 0); err != nil {
		return err
	}
	table := p.Root
	for l := g.Levels; l > 1; l-- {
		table = k.ReadPTE(table+g.Index(va, l)*uint64(g.EntryBytes)).Frame(g.PABits, g.PageShift) << g.PageShift
	}
	k.WritePTE(table+g.Index(va, 1)*uint64(g.EntryBytes), e)
	if e&mmu.Present != 0 {
		k.frames.reserve(e.Frame(g.PABits, g.PageShift))
	}
	return nil
}
