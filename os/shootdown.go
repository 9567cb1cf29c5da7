package os

import (
	"slices"
	"strconv"

	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

// TLB shootdowns, as Linux's x86 flush_tlb_mm_range and
// native_flush_tlb_multi do them. A kernel path that changes or removes
// translations queues the pages (invalidate) or whole address spaces
// (flushAddressSpace); when the path ends (leave), its own core
// invalidates them (INVLPG one by one up to Config.ShootdownLimit pages,
// else a flush of each address space), and every other core that may
// hold them (the address space's mask, Linux's mm_cpumask) is dealt with:
//
//   - a core running a thread of that address space gets an IPI: the
//     initiator sends one IPI per such core (Costs.IPISend each, in core
//     order), does its own invalidations, then waits until the last
//     target has acknowledged (Costs.IPILatency to arrive, the target's
//     Costs.IRQEntry and its flush, Costs.IPILatency back); each target is
//     charged its interrupt (IRQEntry, the flush, Costs.IRQExit) from the
//     IPI's arrival, through a queue the machine drains (TakeInterrupts);
//   - a core running another address space is skipped (Linux's lazy TLB
//     rule, should_flush_tlb): it leaves the mask and flushes that
//     address space's entries when it next switches to it (SwitchTo).
//
// The targets' flushes are carried out at once, when the IPIs are sent
// (see TakeInterrupts for why).

// ShootdownCounts count the shootdowns across cores.
type ShootdownCounts struct {
	Shootdowns      uint64 // kernel paths that interrupted other cores
	IPIs            uint64 // IPIs sent: cores interrupted, once per path
	LazySkips       uint64 // cores skipped as running another address space (lazy TLB)
	LazyFlushes     uint64 // flushes on a switch back to an address space a skip left stale
	RemoteInvlpgs   uint64 // pages interrupted cores invalidated one by one
	RemoteFlushes   uint64 // address spaces interrupted cores flushed whole
	InitiatorCycles uint64 // cycles initiators spent sending IPIs and waiting for acknowledgments
	TargetCycles    uint64 // cycles interrupted cores spent in the interrupt: entry, flush, exit
}

// RegisterShootdowns adds the shootdown counts to s, over all cores
// (os.shootdown.NAME) and per core (os.shootdown.coreN.NAME), for the
// cores SetCores made: call it after. A machine of one core leaves them
// out: they would always read 0, and its report stays as it was.
func (k *Kernel) RegisterShootdowns(s *sim.Stats) {
	d := &k.SD
	s.RegisterTable("os.shootdown", []sim.Counter{
		{Name: "paths", P: &d.Shootdowns, Doc: "kernel paths that interrupted other cores to invalidate their TLBs"},
		{Name: "ipis", P: &d.IPIs, Doc: "shootdown IPIs sent (cores interrupted, once per path)"},
		{Name: "lazy_skips", P: &d.LazySkips, Doc: "cores a shootdown skipped as running another address space (lazy TLB)"},
		{Name: "lazy_flushes", P: &d.LazyFlushes, Doc: "flushes on a switch back to an address space a skip left stale"},
		{Name: "remote_invlpgs", P: &d.RemoteInvlpgs, Doc: "pages interrupted cores invalidated one by one"},
		{Name: "remote_flushes", P: &d.RemoteFlushes, Doc: "address spaces interrupted cores flushed whole"},
		{Name: "initiator_cycles", P: &d.InitiatorCycles, Unit: "cycles",
			Doc: "cycles initiators spent sending IPIs and waiting for acknowledgments"},
		{Name: "target_cycles", P: &d.TargetCycles, Unit: "cycles",
			Doc: "cycles interrupted cores spent in the interrupt: entry, flush, exit"},
	})
	for i, c := range k.cores {
		s.RegisterTable("os.shootdown.core"+strconv.Itoa(i), []sim.Counter{
			{Name: "ipis", P: &c.n.IPIs, Doc: "shootdown IPIs this core received"},
			{Name: "irq_cycles", P: &c.n.IRQCycles, Unit: "cycles", Doc: "cycles this core spent in shootdown interrupts"},
			{Name: "lazy_flushes", P: &c.n.LazyFlushes, Doc: "flushes this core made on switching back to an address space a skip left stale"},
		})
	}
}

// invalidate queues va of p for a TLB shootdown when the path ends. No
// core may hold it when p's translations left this core's TLB at a switch
// and no other core holds any of p's.
func (k *Kernel) invalidate(p *Process, va uint64) {
	if !k.local(p) && p.cpus&^bit(k.on) == 0 {
		return
	}
	k.pending = append(k.pending, pteRef{p, va})
}

// local reports whether the path's own core invalidates p's entries: with
// PCIDs always (INVPCID reaches an address space not loaded), without them
// only for the process it runs (a switch flushed the others').
func (k *Kernel) local(p *Process) bool { return k.cfg.PCID || p == k.here().proc() }

// flushAddressSpace drops every translation of p (exit): at once on this
// core and on every other core not running it, on the others when the path
// ends.
func (k *Kernel) flushAddressSpace(p *Process) {
	k.pending = slices.DeleteFunc(k.pending, func(r pteRef) bool { return r.p == p })
	if c := k.here(); c.mmu != nil && k.local(p) {
		c.mmu.InvalidatePCID(k.pcidOf(p))
		k.N.Flushes++
		k.t += k.cfg.Costs.Flush
	}
	// Cores that kept p's entries while running something else (its mask,
	// lazy TLB: a shootdown skips them) or that a shootdown skipped
	// (stale) would flush them on switching back; it never runs again:
	// they go now, so that its PCID, if ever given again, finds none.
	for _, i := range coresIn(p.stale | p.cpus&^bit(k.on)) {
		c := k.cores[i]
		if p.cpus&bit(i) != 0 {
			if c.proc() == p {
				continue // a sibling thread's core: it takes an IPI
			}
			p.cpus &^= bit(i)
			k.SD.LazySkips++
		}
		if c.mmu != nil {
			c.mmu.InvalidatePCID(k.pcidOf(p))
		}
	}
	p.stale = 0
	if p.cpus&^bit(k.on) != 0 {
		k.flushMM = append(k.flushMM, p)
	}
}

// target is what a shootdown asks of another core.
type target struct {
	core  int
	pages int  // pages to invalidate one by one
	flush bool // or its address space whole
}

// shootdown carries out the queued invalidations: the other cores' first
// (their IPIs go out before the initiator flushes its own TLB, as
// native_flush_tlb_multi sends them), then this core's, then the wait.
func (k *Kernel) shootdown() {
	k.gatherSpaces()
	targets := k.remoteWork()
	if len(targets) == 0 {
		k.localFlush()
		k.endShootdown()
		return
	}
	c := k.cfg.Costs
	t0 := k.t
	k.t += sim.Cycle(len(targets)) * c.IPISend
	before := k.t
	k.localFlush()
	local := k.t - before
	last := k.t
	for i, tg := range targets {
		work := sim.Cycle(tg.pages) * c.Invlpg
		if tg.flush {
			work = c.Flush
			k.SD.RemoteFlushes++
		} else {
			k.SD.RemoteInvlpgs += uint64(tg.pages)
		}
		arrive := t0 + sim.Cycle(i+1)*c.IPISend + c.IPILatency
		last = max(last, arrive+c.IRQEntry+work+c.IPILatency)
		k.interrupt(tg.core, Interrupt{At: arrive, Cycles: c.IRQEntry + work + c.IRQExit, From: k.on})
	}
	k.SD.Shootdowns++
	k.SD.InitiatorCycles += uint64(last - t0 - local)
	k.t = last
	k.endShootdown()
}

// endShootdown empties the queues and the scratch lists, keeping their
// room for the next path.
func (k *Kernel) endShootdown() {
	k.pending, k.flushMM = k.pending[:0], k.flushMM[:0]
	k.spaces, k.targets = k.spaces[:0], k.targets[:0]
}

// interrupt queues q for core i, in order of arrival.
func (k *Kernel) interrupt(i int, q Interrupt) {
	c := k.cores[i]
	at, _ := slices.BinarySearchFunc(c.irqs, q.At, func(e Interrupt, t sim.Cycle) int {
		if e.At <= t {
			return -1 // after those arriving at the same cycle: first sent, first taken
		}
		return 1
	})
	c.irqs = slices.Insert(c.irqs, at, q)
	c.n.IPIs++
	c.n.IRQCycles += uint64(q.Cycles)
	k.SD.IPIs++
	k.SD.TargetCycles += uint64(q.Cycles)
}

// space is an address space with invalidations queued: pages of it, or
// all of it (whole: it exited, and a core still runs one of its threads).
type space struct {
	p     *Process
	pages int
	whole bool
}

// gatherSpaces groups the queued invalidations by address space into
// k.spaces, the exited ones first, the others in the order their first
// page was queued.
func (k *Kernel) gatherSpaces() {
	for _, p := range k.flushMM {
		k.spaces = append(k.spaces, space{p: p, whole: true})
	}
	for _, r := range k.pending {
		i := k.spaceOf(r.p)
		if i < 0 {
			i = len(k.spaces)
			k.spaces = append(k.spaces, space{p: r.p})
		}
		k.spaces[i].pages++
	}
}

// spaceOf is p's place in k.spaces, or -1. It looks from the end: a path
// queues the pages of one address space one after another.
func (k *Kernel) spaceOf(p *Process) int {
	for i := len(k.spaces) - 1; i >= 0; i-- {
		if k.spaces[i].p == p {
			return i
		}
	}
	return -1
}

// localFlush invalidates what this core holds of the queued pages: INVLPG
// for each page up to the limit, else a flush of each address space
// concerned. (An exited address space left this core's TLBs when it was
// queued.)
func (k *Kernel) localFlush() {
	m := k.here().mmu
	if m == nil {
		return
	}
	n := 0
	for _, s := range k.spaces {
		if k.local(s.p) {
			n += s.pages
		}
	}
	whole := n > k.cfg.ShootdownLimit
	for _, s := range k.spaces {
		if s.pages == 0 || !k.local(s.p) {
			continue
		}
		k.flushCore(m, s.p, whole)
		if whole {
			k.N.Flushes++
			k.t += k.cfg.Costs.Flush
		} else {
			k.N.Invlpgs += uint64(s.pages)
			k.t += sim.Cycle(s.pages) * k.cfg.Costs.Invlpg
		}
	}
}

// flushCore invalidates p's queued pages on the TLBs of one core (m):
// INVLPG each, or a flush of p's address space whole.
func (k *Kernel) flushCore(m *mmu.MMU, p *Process, whole bool) {
	pcid := k.pcidOf(p)
	if whole {
		m.InvalidatePCID(pcid)
		return
	}
	for _, r := range k.pending {
		if r.p == p {
			m.InvalidatePageFor(r.va, pcid)
		}
	}
}

// remoteWork decides, for every other core, what the queued invalidations
// ask of it, and carries its flushes out: the cores to interrupt, in core
// order, in k.targets. Cores running another address space are skipped
// (lazy TLB).
func (k *Kernel) remoteWork() []target {
	if len(k.cores) == 1 {
		return nil
	}
	for i, c := range k.cores {
		if i == k.on {
			continue
		}
		tg := target{core: i}
		for _, s := range k.spaces {
			switch {
			case s.p.cpus&bit(i) == 0:
			case s.p != c.proc():
				k.skip(s.p, i)
			case s.whole:
				tg.flush = true
			default:
				tg.pages += s.pages
			}
		}
		if tg.pages == 0 && !tg.flush {
			continue
		}
		tg.flush = tg.flush || tg.pages > k.cfg.ShootdownLimit
		if c.mmu != nil {
			k.flushCore(c.mmu, c.proc(), tg.flush)
		}
		k.targets = append(k.targets, tg)
	}
	return k.targets
}

// skip leaves core i out of a shootdown of p: it runs another address
// space. It leaves p's mask; it flushes p's entries when it next switches
// to p. (An exited p never reaches here: flushAddressSpace dropped its
// entries on such cores at once.)
func (k *Kernel) skip(p *Process, i int) {
	p.cpus &^= bit(i)
	p.stale |= bit(i)
	k.SD.LazySkips++
}
