package os

import (
	"fmt"
	"math/bits"

	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

// A kernel knows at most sim.MaxCores cores: each address space keeps the
// cores that may hold its translations in one 64-bit mask (Linux's
// mm_cpumask).

// core is one processor as the kernel sees it.
type core struct {
	mmu     *mmu.MMU // its TLBs and page-walk caches, or nil (tests of the kernel alone)
	cur     *Thread  // the thread it runs, or nil
	traffic sim.Port // where its kernel paths' zeroing and copying go, or nil
	// irqs are the interrupts sent to it and not yet taken, by arrival.
	irqs []Interrupt
	// irqEnd is when the last interrupt it took ends: one that arrives
	// while that one runs starts after it, though taken later.
	irqEnd sim.Cycle
	n      CoreCounts
}

// CoreCounts are what one core received of the shootdowns.
type CoreCounts struct {
	IPIs        uint64 // shootdown interrupts sent to it
	IRQCycles   uint64 // cycles those interrupts cost it (entry, flush, exit)
	LazyFlushes uint64 // flushes on switching back to an address space a shootdown skipped
}

// Interrupt is a shootdown IPI sent to a core: it reaches the core at At
// and costs it Cycles from then (the interrupt's entry, the flush, its
// exit), time in which the core runs nothing else. The flush itself was
// done when the IPI was sent (see TakeInterrupts).
type Interrupt struct {
	At     sim.Cycle
	Cycles sim.Cycle
	From   int // the core that sent it
}

func newCore() *core { return &core{} }

// proc is the process whose thread the core runs, or nil.
func (c *core) proc() *Process {
	if c.cur == nil {
		return nil
	}
	return c.cur.Proc
}

// here is the core the running kernel path runs on.
func (k *Kernel) here() *core { return k.cores[k.on] }

// bit is core i's place in an address space's masks.
func bit(i int) uint64 { return 1 << uint(i) }

// SetCores gives the kernel a machine of len(ms) cores, core i with MMU
// ms[i] (nil for a core without one). Core 0 keeps the thread it runs;
// the others run nothing until SwitchTo gives them a thread. It is made
// once, before anything runs on the other cores: it refuses fewer cores
// than threads already placed need, or more than sim.MaxCores.
func (k *Kernel) SetCores(ms []*mmu.MMU) error {
	if len(ms) < 1 || len(ms) > sim.MaxCores {
		return fmt.Errorf("%d cores: the kernel runs 1 to %d", len(ms), sim.MaxCores)
	}
	for i := len(ms); i < len(k.cores); i++ {
		if k.cores[i].cur != nil {
			return fmt.Errorf("core %d runs thread %d: it cannot be taken away", i, k.cores[i].cur.TID)
		}
	}
	for len(k.cores) < len(ms) {
		k.cores = append(k.cores, newCore())
	}
	k.cores = k.cores[:len(ms)]
	for i, m := range ms {
		k.cores[i].mmu = m
		if p := k.cores[i].proc(); p != nil {
			k.loadMMU(k.cores[i], p)
		}
	}
	k.on = min(k.on, len(ms)-1)
	return nil
}

// Cores is how many cores the kernel knows.
func (k *Kernel) Cores() int { return len(k.cores) }

// SetTrafficOn sends the zeroing and copying of kernel paths on core i
// through port (that core's first cache level below its L1, say).
func (k *Kernel) SetTrafficOn(i int, port sim.Port) { k.cores[i].traffic = port }

// RunOn makes core i the one the kernel's calls run on, until the next
// RunOn (Linux's current CPU): the machine says it before a core's system
// calls. The calls' fixed costs are charged to the caller's clock as ever;
// a shootdown they cause spares core i and interrupts the others. A fault
// runs on the core of its handler (FaultHandler) whatever RunOn said.
func (k *Kernel) RunOn(i int) {
	if i < 0 || i >= len(k.cores) {
		panic(fmt.Sprintf("kernel: RunOn(%d) of %d cores", i, len(k.cores)))
	}
	k.on = i
}

// On is the core the kernel's calls run on (RunOn).
func (k *Kernel) On() int { return k.on }

// CurrentThread is the thread core i runs, or nil.
func (k *Kernel) CurrentThread(i int) *Thread { return k.cores[i].cur }

// FaultHandler is core i's side of page faults, for its walker: the
// kernel's PageFault, run on core i. The kernel's own PageFault runs on
// the core RunOn names.
func (k *Kernel) FaultHandler(i int) mmu.FaultHandler { return coreFaults{k, i} }

type coreFaults struct {
	k    *Kernel
	core int
}

func (c coreFaults) PageFault(now sim.Cycle, f mmu.Fault) (sim.Cycle, bool) {
	k := c.k
	saved := k.on
	k.on = c.core
	defer func() { k.on = saved }()
	return k.PageFault(now, f)
}

// pcidOf is the PCID p's translations are tagged with: its own with PCIDs
// on, else 0 for all (a switch flushes).
func (k *Kernel) pcidOf(p *Process) uint16 {
	if k.cfg.PCID {
		return p.PCID
	}
	return 0
}

// loadMMU points c's MMU at p's tables (a CR3 write).
func (k *Kernel) loadMMU(c *core, p *Process) {
	if c.mmu != nil {
		c.mmu.Root, c.mmu.PCID = p.Root, k.pcidOf(p)
	}
}

// Switch makes p's main thread the one running on the core the kernel runs
// on (RunOn) at cycle now, and returns when it runs (see SwitchTo).
func (k *Kernel) Switch(now sim.Cycle, p *Process) sim.Cycle {
	return k.SwitchTo(k.on, now, p.Threads[0])
}

// SwitchTo makes t the thread core i runs at cycle now and returns when it
// runs. A switch to another address space writes CR3: without PCIDs the
// core's TLBs are flushed (global entries stay); with them its entries of
// the address space it leaves stay, and if a shootdown skipped this core
// while it ran something else (lazy TLB), the entries of the one it enters
// are flushed now, at the cost of a flush. A switch between threads of one
// process keeps the address space.
//
// A thread runs on one core at a time: switching a core to a thread that
// another core runs is the caller's mistake, and panics.
func (k *Kernel) SwitchTo(i int, now sim.Cycle, t *Thread) sim.Cycle {
	c := k.cores[i]
	if t == c.cur {
		return now
	}
	if t.core >= 0 {
		panic(fmt.Sprintf("kernel: SwitchTo(%d): thread %d runs on core %d", i, t.TID, t.core))
	}
	k.N.Switches++
	prev := c.proc()
	if c.cur != nil && c.cur.core == i {
		c.cur.core = -1
	}
	c.cur, t.core = t, i
	done := now + k.cfg.Costs.Switch
	if prev == t.Proc {
		return done
	}
	k.loadMMU(c, t.Proc)
	if !k.cfg.PCID {
		if c.mmu != nil {
			c.mmu.InvalidateAll(true)
		}
		if prev != nil {
			prev.cpus &^= bit(i) // its entries left with the flush
		}
	}
	p := t.Proc
	p.cpus |= bit(i)
	if p.stale&bit(i) != 0 {
		p.stale &^= bit(i)
		if c.mmu != nil {
			c.mmu.InvalidatePCID(k.pcidOf(p))
		}
		c.n.LazyFlushes++
		k.SD.LazyFlushes++
		done += k.cfg.Costs.Flush
	}
	return done
}

// TakeInterrupts is core i taking the shootdown interrupts that reached it
// by now, in the order they arrived; it returns the cycle from which the
// core runs its thread again (now, if none reached it). Each interrupt
// runs from its arrival, or from the end of the one before, for its
// Cycles; one that arrives while another runs waits for it, also when it
// is taken by a later call. A core that was waiting (on memory, say) when
// one arrived overlaps it with the wait.
// The machine calls it before each step of core i: the kernel cannot move
// another core's clock, so a target's cost reaches it here (NextInterrupt
// says when one will). The flush itself happened when the IPI was sent,
// so no access can find the stale entry in between: the time a real core
// still had it is not modelled.
func (k *Kernel) TakeInterrupts(i int, now sim.Cycle) sim.Cycle {
	c := k.cores[i]
	if len(c.irqs) == 0 || c.irqs[0].At > now {
		return now
	}
	end := c.irqEnd
	taken := 0
	for _, q := range c.irqs {
		if q.At > max(now, end) {
			break
		}
		end = max(end, q.At) + q.Cycles
		taken++
	}
	c.irqs = append(c.irqs[:0], c.irqs[taken:]...)
	c.irqEnd = end
	return max(now, end)
}

// NextInterrupt is when the next interrupt not yet taken reaches core i,
// or sim.Never.
func (k *Kernel) NextInterrupt(i int) sim.Cycle {
	if q := k.cores[i].irqs; len(q) > 0 {
		return q[0].At
	}
	return sim.Never
}

// PendingInterrupts lists the interrupts sent to core i and not yet taken.
func (k *Kernel) PendingInterrupts(i int) []Interrupt {
	return append([]Interrupt(nil), k.cores[i].irqs...)
}

// CoreCounts returns what core i received of the shootdowns.
func (k *Kernel) CoreCounts(i int) CoreCounts { return k.cores[i].n }

// coresIn lists the cores of mask m, lowest first.
func coresIn(m uint64) []int {
	var out []int
	for m != 0 {
		i := bits.TrailingZeros64(m)
		out = append(out, i)
		m &^= bit(i)
	}
	return out
}
