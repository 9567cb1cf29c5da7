package os

import (
	"fmt"

	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/tlb"
)

// threads checks that each process's faults are its threads' (getrusage's
// RUSAGE_SELF adds them up), and that cores and threads agree on who runs
// where.
func (c *checker) threads() error {
	k := c.k
	for _, p := range k.procs {
		var sum Faults
		for i, t := range p.Threads {
			switch {
			case t.Proc != p:
				return fmt.Errorf("pid %d lists thread %d of pid %d", p.PID, t.TID, t.Proc.PID)
			case i == 0 && t.TID != p.PID:
				return fmt.Errorf("pid %d: its main thread is %d", p.PID, t.TID)
			case t.core >= 0 && (t.core >= len(k.cores) || k.cores[t.core].cur != t):
				return fmt.Errorf("thread %d says core %d runs it, which runs another", t.TID, t.core)
			}
			sum.add(t.Faults)
		}
		if sum != p.Faults {
			return fmt.Errorf("pid %d: its threads' faults %+v do not add up to its own %+v", p.PID, sum, p.Faults)
		}
	}
	for i, co := range k.cores {
		if co.cur != nil && co.cur.core != i {
			return fmt.Errorf("core %d runs thread %d, which says core %d", i, co.cur.TID, co.cur.core)
		}
	}
	return nil
}

// masks checks each address space's cores: a core running it is in its
// mask, none is both in the mask and stale, and without PCIDs a core is
// in no mask but its own process's (a switch flushed the rest).
func (c *checker) masks() error {
	k := c.k
	for _, p := range k.procs {
		if p.cpus&p.stale != 0 {
			return fmt.Errorf("pid %d: cores %v both hold its entries and must flush them", p.PID, coresIn(p.cpus&p.stale))
		}
		for _, i := range coresIn(p.cpus | p.stale) {
			switch {
			case i >= len(k.cores):
				return fmt.Errorf("pid %d: core %d in its mask, of %d cores", p.PID, i, len(k.cores))
			case !k.cfg.PCID && (p.stale != 0 || k.cores[i].proc() != p):
				return fmt.Errorf("pid %d: core %d in its masks, running another process, without PCIDs", p.PID, i)
			}
		}
	}
	for i, co := range k.cores {
		if p := co.proc(); p != nil && p.cpus&bit(i) == 0 {
			return fmt.Errorf("core %d runs pid %d but is not in its mask", i, p.PID)
		}
	}
	return nil
}

// tlbs checks every entry of every core's TLBs, and of its TLB
// prefetcher's buffer, against the page tables:
// an entry of a live process on a core in its mask translates as the
// tables do now, with no right they withdrew (write, execute, user, a
// Dirty bit they cleared); one on a core a shootdown skipped will go at
// the core's next switch; any other (an exited process's, or one of a
// process the core holds none of) is stale.
func (c *checker) tlbs() error {
	k := c.k
	byPCID := map[uint16]*Process{}
	if k.cfg.PCID {
		for _, p := range k.procs {
			byPCID[p.PCID] = p
		}
	}
	for i, co := range k.cores {
		if co.mmu == nil {
			continue
		}
		for _, t := range co.mmu.Buffers() {
			for _, s := range t.Entries() {
				if s.Entry.Global {
					continue
				}
				p := co.proc()
				if k.cfg.PCID {
					p = byPCID[s.Entry.PCID]
				}
				if err := c.tlbEntry(i, t, p, s.Entry); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (c *checker) tlbEntry(i int, t *tlb.TLB, p *Process, e tlb.Entry) error {
	va := e.VPN << e.PageShift
	switch {
	case p == nil || p.Exited:
		return fmt.Errorf("core %d %s holds %#x (PCID %d) of no live process", i, t.Config().Name, va, e.PCID)
	case p.stale&bit(i) != 0:
		return nil
	case p.cpus&bit(i) == 0:
		return fmt.Errorf("core %d %s holds %#x of pid %d, whose mask leaves the core out", i, t.Config().Name, va, p.PID)
	}
	size := uint64(1) << e.PageShift
	for off := uint64(0); off < size; {
		step, err := c.k.agrees(p, va+off, e)
		if err != nil {
			return fmt.Errorf("core %d %s: stale entry for pid %d: %v", i, t.Config().Name, p.PID, err)
		}
		off += step
	}
	return nil
}

// agrees checks a TLB entry against the tables at va, a page of it, and
// returns the size of the table's page there.
func (k *Kernel) agrees(p *Process, va uint64, e tlb.Entry) (uint64, error) {
	pte, _, level := k.lookup(p, va)
	if pte&mmu.Present == 0 {
		return 0, fmt.Errorf("%#x is not present in the tables", va)
	}
	pa, step := k.frameOf(pte)<<k.pageShift()|va&(k.pageSize()-1), k.pageSize()
	if level > 1 {
		pa, step = k.hugePhys(pte, va, level), uint64(1)<<k.hugeShift(level)
		step -= va & (step - 1)
	}
	switch {
	case e.Translate(va) != pa:
		return 0, fmt.Errorf("%#x maps %#x, the tables %#x", va, e.Translate(va), pa)
	case e.Writable && pte&mmu.Writable == 0:
		return 0, fmt.Errorf("%#x writable, the tables read-only", va)
	case e.Dirty && pte&mmu.Dirty == 0:
		return 0, fmt.Errorf("%#x dirty, the tables clean", va)
	case !e.NX && pte&mmu.NoExec != 0:
		return 0, fmt.Errorf("%#x executable, the tables NX", va)
	case e.User && pte&mmu.User == 0:
		return 0, fmt.Errorf("%#x a user page, the tables supervisor", va)
	}
	return step, nil
}
