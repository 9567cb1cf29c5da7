package os

import (
	"github.com/vmemu/vmemu/mmu"
)

// Process is one process: its address space, open files, threads, and
// what it wrote to its standard output. Its threads share all of it.
type Process struct {
	PID    int
	PCID   uint16
	Root   uint64 // physical address of its root table (CR3)
	MM     MM
	Parent *Process
	Exited bool
	Status int
	// Threads are its threads, the first its main one (TID = PID); a
	// thread stays here after it exits, so that its counts do.
	Threads []*Thread

	// cpus are the cores that may hold its translations (Linux's
	// mm_cpumask): those that run it, and with PCIDs those that ran it
	// and kept its entries. stale are cores a shootdown skipped while
	// they ran another address space (lazy TLB): each flushes this one's
	// entries when it next switches to it. The two never share a core.
	cpus, stale uint64

	fds    map[int]*openFile
	nextFD int
	Stdout Pieces

	// LastSegv is the last fault that killed an access; Signals lists them,
	// SignalReasons says why each was not mended and SignalNames which
	// signal it delivered (SIGSEGV, SIGBUS).
	LastSegv      *mmu.Fault
	Signals       []mmu.Fault
	SignalReasons []string
	SignalNames   []string

	N ProcessCounts
	// Faults are the process's faults as getrusage counts them.
	Faults Faults
}

// ProcessCounts are one process's faults.
type ProcessCounts struct {
	Minor, Major, COW, Segv, Sigbus, SwapIns uint64
}

// openFile is an entry of a process's file table.
type openFile struct {
	f      *File // nil for standard output
	off    uint64
	flags  int
	stdout bool
}

// NewProcess makes a process with an empty address space and its root table.
func (k *Kernel) NewProcess() (*Process, error) {
	k.enter(0, 0)
	p, err := k.newProcess()
	k.leave()
	return p, err
}

func (k *Kernel) newProcess() (*Process, error) {
	root, err := k.newTable()
	if err != nil {
		return nil, err
	}
	p := &Process{PID: k.nextPID, Root: root, fds: map[int]*openFile{1: {stdout: true}, 2: {stdout: true}}, nextFD: 3,
		MM: k.emptyMM()}
	p.PCID = uint16(p.PID)
	k.procs[p.PID] = p
	main := k.newThread(p)
	if c := k.cores[0]; c.cur == nil {
		c.cur, main.core = main, 0
		p.cpus |= bit(0)
		k.loadMMU(c, p)
	}
	return p, nil
}

// MapEverything gives p one anonymous, writable and executable area over
// the whole virtual address space but the first page: the mode of traces,
// which touch memory no one mapped (lackey, Cache Lab).
func (k *Kernel) MapEverything(p *Process) {
	top := uint64(1) << k.cfg.Geometry.VABits
	if k.cfg.Geometry.VABits == 64 {
		top = ^uint64(0) &^ (k.pageSize() - 1)
	}
	p.MM.VMAs = []*VMA{{Start: k.pageSize(), End: top, Prot: ProtRead | ProtWrite | ProtExec, Name: "[anon]", Trace: true}}
}

// SetPTE writes a leaf entry as given into p's tables (a state file's page
// table), creating the tables on the way.
func (k *Kernel) SetPTE(p *Process, va uint64, e mmu.PTE) error {
	k.enter(0, 0)
	defer k.leave()
	addr, err := k.leafAddr(p, va, true)
	if err != nil {
		return err
	}
	k.WritePTE(addr, e)
	if e&mmu.Present != 0 {
		k.frames.reserve(k.frameOf(e))
	}
	return nil
}

// ClearAreas empties p's address space (a scenario's first process starts
// with nothing mapped).
func (k *Kernel) ClearAreas(p *Process) {
	k.enter(0, 0)
	for _, v := range append([]*VMA(nil), p.MM.VMAs...) {
		k.unmapRange(p, v.Start, v.End)
	}
	p.MM = k.emptyMM()
	k.leave()
}

// emptyMM is the address space of a process that never ran execve: no
// areas, and the break at heapStart, never at 0, so that even a heap it
// grows leaves the null page unmapped.
func (k *Kernel) emptyMM() MM { return MM{BrkStart: k.heapStart(), Brk: k.heapStart()} }

// Resolve translates va in p's tables as they are, taking no fault: the
// physical address, or false if the page is not present.
func (k *Kernel) Resolve(p *Process, va uint64) (uint64, bool) {
	e, _, level := k.lookup(p, va)
	switch {
	case e&mmu.Present == 0:
		return 0, false
	case level > 1:
		return k.hugePhys(e, va, level), true
	}
	return k.frameOf(e)<<k.pageShift() | va&(k.pageSize()-1), true
}
