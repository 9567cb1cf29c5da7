package os

import (
	"fmt"

	"github.com/vmemu/vmemu/disk"
	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

// Costs are the cycles each kernel path charges on top of the disk time and
// memory traffic it causes.
type Costs struct {
	Fault     sim.Cycle // a page fault's entry, handler and exit
	Zero      sim.Cycle // zeroing a page
	Copy      sim.Cycle // copying a page (copy-on-write, swap-in)
	Syscall   sim.Cycle // a system call's entry and exit
	Switch    sim.Cycle // a context switch (CR3 write included)
	ForkBase  sim.Cycle // fork's fixed work (task struct, mm)
	ForkEntry sim.Cycle // copying one page-table entry in fork
	Invlpg    sim.Cycle // invalidating one page (INVLPG)
	Flush     sim.Cycle // flushing the TLB of an address space
	PerByte   sim.Cycle // read/write system calls, per 64 bytes copied
	Clone     sim.Cycle // clone() of a thread beyond the system call: a task, no address space to copy

	// A TLB shootdown across cores (shootdown.go): the initiator sends an
	// IPI to each core it must interrupt, flushes its own TLB, then waits
	// for every acknowledgment; each target takes the interrupt, flushes,
	// acknowledges and returns. Zero, as every cost here, until the
	// machine's configuration sets them; os/doc.go gives values and their
	// sources.
	IPISend    sim.Cycle // the initiator's work to send one IPI (an x2APIC ICR write, the call's data)
	IPILatency sim.Cycle // one way between cores: an IPI's delivery, and an acknowledgment's return
	IRQEntry   sim.Cycle // a target's interrupt entry, up to its flush
	IRQExit    sim.Cycle // a target's return from the interrupt, after its flush and acknowledgment
}

// Config is the kernel's part of a machine.
type Config struct {
	Geometry     mmu.Geometry
	MemoryBytes  uint64 // physical memory; frames of Geometry's page size
	RandomFrames bool   // hand out frames at seeded random, not in order
	Seed         uint64
	Costs        Costs
	// PCID gives each process its own PCID, so a context switch keeps the
	// TLB entries of the others; without it a switch flushes the TLB.
	PCID bool
	// ShootdownLimit is the most pages one kernel path invalidates one by
	// one (INVLPG); beyond it the TLB of the address space is flushed.
	ShootdownLimit int
	// StopOnSegv ends the run at the first SIGSEGV instead of counting it.
	StopOnSegv bool

	// What Linux does beyond CS:APP's textbook kernel. The zero value of
	// each is the textbook: one fault per page, one disk read per page, no
	// huge pages.

	// ZeroPage maps the one shared zero page, read-only, on a read fault
	// of private anonymous memory (Linux's do_anonymous_page); a later
	// write faults again and gets a fresh page. With THP it is the huge
	// zero page. Off, every first touch gets its own zeroed page.
	ZeroPage bool
	// FaultAround is the window, in bytes, a read fault on a file mapping
	// maps from the page cache around the faulting page (Linux's
	// fault_around_bytes, 64 KiB): 0 or a power of two from two pages to a
	// page table's span (2 MiB). 0: the faulting page only.
	FaultAround uint64
	// Readahead is the readahead window in bytes (Linux's read_ahead_kb,
	// 128 KiB): a page-cache miss reads a window in one disk request, and
	// a sequential reader's window grows up to it. 0: a miss reads its page
	// alone.
	Readahead uint64
	// THP is the transparent-huge-page mode (Linux's
	// /sys/kernel/mm/transparent_hugepage/enabled): never, madvise (areas
	// advised MADV_HUGEPAGE) or always.
	THP THPMode
	// HugeTLB2M and HugeTLB1G are the 2 MiB and 1 GiB pages set aside at
	// boot for MAP_HUGETLB (Linux's nr_hugepages), taken from the top of
	// physical memory.
	HugeTLB2M, HugeTLB1G uint64
}

// Kernel is the operating system of one machine.
type Kernel struct {
	cfg    Config
	mem    *dram.PhysMem
	frames *frameTable
	fs     *disk.FS
	swap   *disk.Swap
	files  map[string]*File

	procs   map[int]*Process
	threads map[int]*Thread // every thread not yet reaped, by TID
	nextPID int             // the next PID or TID (one space, as Linux's)
	nextTab uint64          // where the next table too big for a frame goes
	err     error

	swapRefs  map[int]int    // swap slot -> entries that name it
	swapCache map[int]uint64 // swap slot -> frame it was read into

	// cores are the processors (core.go); on is the one whose kernel path
	// runs (Linux's smp_processor_id): RunOn sets it, a fault sets it for
	// its path.
	cores []*core
	on    int

	t       sim.Cycle       // the clock of the kernel path running
	pending []pteRef        // pages whose translations must be invalidated
	flushMM []*Process      // address spaces whose every translation must go (exit)
	pinned  map[uint64]bool // frames the running path works on: not reclaimable
	posted  sim.Request

	// spaces and targets are a shootdown's scratch (shootdown.go), kept
	// so that one allocates nothing once they have grown.
	spaces  []space
	targets []target

	// waited is set when the running path waited for a disk read: the
	// fault it mends is a major one.
	waited bool
	// inReclaim is set while reclaim splits a huge page: the page tables
	// it needs come from the reserve, not from reclaiming more.
	inReclaim bool
	zero      uint64               // the zero page's frame, 0 until first used
	huge      map[uint64]*hugePage // pages larger than a frame, by first frame
	// hugeZero is the huge zero page, nil until first used.
	hugeZero *hugePage
	pools    [2]*hugePool // MAP_HUGETLB pages: [0] 2 MiB, [1] 1 GiB
	// objects are the shared anonymous objects (shmem) some area maps.
	objects map[*File]bool
	// stdoutBytes is what every process wrote to its standard output.
	stdoutBytes uint64

	// DemandZero maps a zeroed page on a not-present fault (first touch).
	// Off, such a fault abandons the access as a page fault, which is what
	// an explanation of an exercise wants to show.
	DemandZero bool

	N Counts
	// SD counts the shootdowns across cores; with one core they stay 0.
	SD ShootdownCounts
	// byIP, when set, is told what each page fault counted
	// (CountFaultsByIP).
	byIP        sim.ByIP
	faultEvents FaultEvents
}

// Counts are the kernel's statistics, over every process.
type Counts struct {
	MinorFaults    uint64 // faults mended without the disk
	MajorFaults    uint64 // faults that read the disk
	COWFaults      uint64 // copy-on-write faults (copies and reuses)
	COWCopies      uint64 // pages copied
	Segv           uint64 // accesses abandoned with SIGSEGV
	Sigbus         uint64 // accesses abandoned with SIGBUS
	SwapOuts       uint64 // pages written to swap
	SwapIns        uint64 // pages read from swap
	Writebacks     uint64 // file pages written back
	PageCacheReads uint64 // file pages read into the page cache
	Evictions      uint64 // frames reclaimed
	Invlpgs        uint64 // pages invalidated one by one
	Flushes        uint64 // whole address spaces flushed
	Switches       uint64 // context switches
	Syscalls       uint64
	TableFrames    uint64 // frames holding page tables now
	FaultCycles    uint64 // cycles spent in the fault handler
	SegvBy         [mmu.OutOfRange + 1]uint64
	// Faults counts faults as getrusage does, with their breakdown, over
	// every process (each Process has its own).
	Faults Faults
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
	if cfg.ShootdownLimit <= 0 {
		cfg.ShootdownLimit = 32
	}
	if err := linuxConfig(&cfg); err != nil {
		return nil, err
	}
	k := &Kernel{
		cfg: cfg, mem: mem,
		files:      map[string]*File{},
		procs:      map[int]*Process{},
		threads:    map[int]*Thread{},
		cores:      []*core{newCore()},
		nextPID:    1,
		nextTab:    cfg.MemoryBytes,
		swapRefs:   map[int]int{},
		swapCache:  map[int]uint64{},
		huge:       map[uint64]*hugePage{},
		objects:    map[*File]bool{},
		DemandZero: true,
	}
	usable, err := k.layoutPools(frames)
	if err != nil {
		return nil, err
	}
	if usable < 2 {
		return nil, fmt.Errorf("the MAP_HUGETLB pools leave fewer than two frames of physical memory")
	}
	k.frames = newFrameTable(newFrameAllocator(usable, cfg.RandomFrames, cfg.Seed, uint(cfg.Geometry.BitsPerLevel)))
	return k, nil
}

// SetMMU gives the kernel the MMU of core 0, whose TLBs it must keep
// right (SetCores gives every core's).
func (k *Kernel) SetMMU(m *mmu.MMU) { k.cores[0].mmu = m }

// SetDisk gives the kernel a file system and a swap area (either may be nil).
func (k *Kernel) SetDisk(fs *disk.FS, swap *disk.Swap) { k.fs, k.swap = fs, swap }

// SetTraffic sends the zeroing and copying of kernel paths on core 0
// through port as memory traffic (SetTrafficOn, another core's).
func (k *Kernel) SetTraffic(port sim.Port) { k.cores[0].traffic = port }

// Err is the first error that stopped the kernel from mending a fault (out
// of memory), or nil.
func (k *Kernel) Err() error { return k.err }

// Current is the process running on the core the kernel runs on (RunOn;
// core 0 unless told), or nil.
func (k *Kernel) Current() *Process { return k.here().proc() }

// Process returns the process with a PID, or nil.
func (k *Kernel) Process(pid int) *Process { return k.procs[pid] }

// Register adds the kernel's counters to s.
func (k *Kernel) Register(s *sim.Stats) {
	s.RegisterTable("os", []sim.Counter{
		{Name: "minor_faults", P: &k.N.MinorFaults, Doc: "faults mended without the disk (a COW fault is not one)"},
		{Name: "major_faults", P: &k.N.MajorFaults, Doc: "faults that read the disk"},
		{Name: "cow_faults", P: &k.N.COWFaults, Doc: "copy-on-write faults (copies and reuses)"},
		{Name: "cow_copies", P: &k.N.COWCopies, Doc: "pages copied for copy-on-write"},
		{Name: "segv", P: &k.N.Segv, Doc: "accesses abandoned with SIGSEGV"},
		{Name: "swap_outs", P: &k.N.SwapOuts, Doc: "pages written to swap"},
		{Name: "swap_ins", P: &k.N.SwapIns, Doc: "pages read from swap"},
		{Name: "writebacks", P: &k.N.Writebacks, Doc: "file pages written back"},
		{Name: "page_cache_reads", P: &k.N.PageCacheReads, Doc: "file pages read into the page cache"},
		{Name: "evictions", P: &k.N.Evictions, Doc: "frames reclaimed"},
		{Name: "invlpgs", P: &k.N.Invlpgs, Doc: "pages invalidated in the TLBs one by one"},
		{Name: "flushes", P: &k.N.Flushes, Doc: "whole address spaces flushed from the TLBs"},
		{Name: "switches", P: &k.N.Switches, Doc: "context switches"},
		{Name: "syscalls", P: &k.N.Syscalls, Doc: "system calls"},
		{Name: "table_frames", P: &k.N.TableFrames, Unit: "frames",
			Doc: "frames holding page tables now (less those there at the last reset)"},
		{Name: "fault_cycles", P: &k.N.FaultCycles, Unit: "cycles", Doc: "cycles spent in the fault handler"},
	})
	for c := range k.N.SegvBy {
		cause := mmu.Cause(c)
		s.Register("os.segv."+cause.Key(), &k.N.SegvBy[c], "SIGSEGVs of faults of this cause: "+cause.String(), sim.Detail)
	}
	s.Register("os.sigbus", &k.N.Sigbus, "accesses abandoned with SIGBUS (a page past a file's end, an empty MAP_HUGETLB pool)",
		sim.Detail)
}

// RegisterFaults adds the getrusage counts over every process
// (Counts.Faults) to s as os.faults.NAME (Faults.Counts names them).
func (k *Kernel) RegisterFaults(s *sim.Stats) {
	for _, c := range k.N.Faults.Counts() {
		s.Register("os.faults."+c.Name, c.N, c.Doc)
	}
}

// enter starts a kernel path at cycle now.
func (k *Kernel) enter(now sim.Cycle, cost sim.Cycle) { k.t = now + cost }

// leave ends a kernel path: pending invalidations are carried out, and the
// cycle it ends is returned.
func (k *Kernel) leave() sim.Cycle {
	k.shootdown()
	clear(k.pinned)
	return k.t
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
	f, err := k.allocFrame()
	if err != nil {
		return 0, err
	}
	k.N.TableFrames++
	pa := f << g.PageShift
	k.mem.Zero(pa, 1<<g.PageShift)
	return pa, nil
}

// allocFrame returns a free frame, reclaiming if memory is full (with
// transparent huge pages on, if only the reserve reclaim needs is left).
func (k *Kernel) allocFrame() (uint64, error) {
	if k.inReclaim {
		return k.frames.alloc()
	}
	for k.frames.spare() <= k.reserve() {
		if err := k.reclaim(); err != nil {
			return 0, err
		}
	}
	return k.frames.alloc()
}

// freeFrame gives a frame back. A page still cached for a swap slot leaves
// the swap cache: the slot keeps the data, unchanged.
func (k *Kernel) freeFrame(f uint64) {
	if fi := k.frames.infos[f]; fi != nil && fi.swapped >= 0 {
		delete(k.swapCache, fi.swapped)
	}
	k.frames.leaveRing(f)
	delete(k.frames.infos, f)
	k.frames.release(f)
}

// ReadPTE and WritePTE give the walker the entries in physical memory
// (8 bytes, little-endian).
func (k *Kernel) ReadPTE(pa uint64) mmu.PTE     { return mmu.PTE(k.mem.Uint64(pa)) }
func (k *Kernel) WritePTE(pa uint64, v mmu.PTE) { k.mem.SetUint64(pa, uint64(v)) }
