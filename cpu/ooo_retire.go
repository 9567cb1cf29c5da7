package cpu

import (
	"github.com/vmemu/vmemu/memside"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// stores is the store buffer. A store is written to the memory side when
// it retires; its entry is freed, in order, when that write is done, so the
// writes of several stores overlap like independent loads do.
type stores struct {
	sb             []storeEntry
	sbMask         uint64
	sbHead, sbTail uint64
	sbLastDone     sim.Cycle // when the last write known so far is done
	sbLastIP       uint64    // the store whose write that is
}

type storeEntry struct {
	a            memside.Access
	issued, done sim.Cycle
}

func (b *stores) init(entries int) {
	n := ringSize(entries + traces.MaxMem) // an oversized instruction may overfill an empty buffer
	b.sb, b.sbMask = make([]storeEntry, n), n-1
}

// sbFree frees the oldest entries whose writes are done by t.
func (c *ooo) sbFree(t sim.Cycle) {
	for c.sbHead != c.sbTail && c.sb[c.sbHead&c.sbMask].done <= t {
		c.sbHead++
	}
}

// sbOldest is when the oldest entry's write is done (Never if not known).
func (c *ooo) sbOldest() sim.Cycle {
	if c.sbHead == c.sbTail {
		return sim.Never
	}
	return c.sb[c.sbHead&c.sbMask].done
}

// sbRoom reports whether n more stores fit; any number enter an empty buffer.
func (c *ooo) sbRoom(n uint8) bool {
	used := c.sbTail - c.sbHead
	return used == 0 || used+uint64(n) <= uint64(c.cfg.StoreBuffer)
}

// retire retires up to Width instructions, in order, at cycle t. An
// instruction retires the cycle after it entered the ROB at the earliest,
// when its result is there and, for stores, the store buffer has room.
func (c *ooo) retire(t sim.Cycle) {
	for c.cycRetired < c.width && c.retired < c.dispatched {
		seq := c.retired
		s := c.slot(seq)
		if s.done > t || s.dispatchAt >= t || (s.nstores > 0 && !c.sbRoom(s.nstores)) {
			return
		}
		if c.cycRetired == 0 {
			c.chargeHead(s, t)
		}
		if s.nstores > 0 {
			c.writeStores(seq, t)
		}
		c.lqHead += uint64(s.nloads)
		c.sqUsed -= int(s.nstores)
		c.retired++
		c.cycRetired++
		c.m.retire(t+1, s.cont)
		if c.m.byIP {
			c.t.close(c.instr(seq).IP)
		}
	}
}

// chargeHead charges the cycles since the last retirement to why the
// instruction retiring at t, the ROB head all that time, could not retire
// before (commit-stall accounting), and cycle t itself to base.
func (c *ooo) chargeHead(s *slot, t sim.Cycle) {
	if from := c.stallFrom; from < t {
		rr := max(s.done, s.dispatchAt+1) // ready to retire, had there been room
		if s.nloads > 0 {
			e := &c.lq[s.crit&c.lqMask]
			c.t.chargeSpan(from, min(rr, t), spanOf(&e.a, e.issued, e.done), compBase)
		} else {
			c.t.charge(from, min(rr, t), compBase)
		}
		c.t.charge(max(from, rr), t, compStoreBuffer)
	}
	c.t.stack[compBase]++
	c.stallFrom = t + 1
}

// writeStores puts the stores of instruction seq in the store buffer and
// presents their writes at t.
func (c *ooo) writeStores(seq uint64, t sim.Cycle) {
	in := c.instr(seq)
	for i := range in.Refs() {
		ref := &in.Mem[i]
		if !ref.Store {
			continue
		}
		k := c.sbTail
		c.sbTail++
		e := &c.sb[k&c.sbMask]
		a := &e.a
		a.VA, a.IP, a.Size, a.Kind, a.Done, a.ID = ref.Addr, in.IP, ref.Size, sim.Store, c, tagStore<<tagShift|k
		e.issued, e.done = t, sim.Never
		if done, ok := c.mem.Access(t, a); ok {
			c.storeArrived(e, done)
		}
	}
}

func (c *ooo) storeArrived(e *storeEntry, at sim.Cycle) {
	e.done = max(at, e.issued)
	c.t.record(sim.Store, &e.a, e.issued, e.done)
	if e.done >= c.sbLastDone {
		c.sbLastDone, c.sbLastIP = e.done, e.a.IP
	}
}

func (c *ooo) storeCallback(k uint64, at sim.Cycle) {
	c.storeArrived(&c.sb[k&c.sbMask], at)
}

// switchProcess makes the next process with instructions current once the
// core has drained at t. It reads that process's first instructions before
// the switch, so a process whose trace has just ended costs no switch. The
// drain and the switch's cost are charged to "switch".
func (c *ooo) switchProcess(t sim.Cycle) {
	from := c.feed.cur
	for c.switching {
		c.switching = false
		c.feed.start(c.feed.next())
		c.fill() // sets switching again if this process has nothing left
	}
	if c.feedDone || c.err != nil || c.feed.cur == from {
		return
	}
	resume := t
	if c.opt.Switch != nil {
		resume += c.opt.Switch(t, c.feed.cur)
	}
	end := max(resume, c.stallFrom) // an instruction may have retired at t
	c.t.charge(c.stallFrom, end, compSwitch)
	c.t.closeFor(0)
	c.stallFrom, c.fetchResume = end, resume
	c.haveLine = false
}

// drainEnd is when the run ends: when the last store is written. The wait
// for it is charged to the store buffer, and to that store.
func (c *ooo) drainEnd() sim.Cycle {
	end := max(c.stallFrom, c.sbLastDone)
	c.t.charge(c.stallFrom, end, compStoreBuffer)
	c.t.closeFor(c.sbLastIP)
	c.stallFrom = end
	return end
}
