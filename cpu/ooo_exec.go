package cpu

import (
	"github.com/vmemu/vmemu/memside"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// loads is the load queue: one entry per load reference, allocated at
// dispatch and freed at retirement, in program order, so a ring; each entry
// owns the Access it presents, reused from one load to the next.
type loads struct {
	lq             []loadEntry
	lqMask         uint64
	lqHead, lqTail uint64
	sqUsed         int // store queue entries in use (stores are not presented before retirement)

	inflight       int // loads counted against MaxInflightLoads
	throttled      []uint64
	thHead, thTail uint64
}

type loadEntry struct {
	a            memside.Access
	owner        uint64 // the instruction
	issued, done sim.Cycle
}

func (l *loads) init(lq, rob int) {
	n := ringSize(lq + traces.MaxMem) // an oversized instruction may overfill an empty queue
	l.lq, l.lqMask = make([]loadEntry, n), n-1
	l.throttled = make([]uint64, ringSize(rob))
}

// enter dispatches instruction seq at t: it takes its queue entries, reads
// its sources (renaming: it waits for the producers of the moment) and
// names itself the producer of its destinations.
func (c *ooo) enter(seq uint64, s *slot, t sim.Cycle) {
	in := c.instr(seq)
	s.dispatchAt, s.ready, s.done, s.arrive = t, t, sim.Never, 0
	s.nprods, s.waitIdx, s.pending, s.waiters, s.nextWaiter = 0, 0, 0, 0, 0
	s.lq0 = c.lqTail
	for i := uint8(0); i < s.nloads; i++ {
		c.lq[c.lqTail&c.lqMask].owner = seq
		c.lqTail++
	}
	c.sqUsed += int(s.nstores)
	if in.HasRegs {
		for _, r := range in.SrcRegs {
			if r == 0 {
				continue
			}
			if at := c.regReady[r]; at == sim.Never {
				s.prods[s.nprods] = c.regProd[r]
				s.nprods++
			} else if at > s.ready {
				s.ready = at
			}
		}
		for _, r := range in.DstRegs {
			if r != 0 {
				c.regReady[r], c.regProd[r] = sim.Never, seq
			}
		}
	}
	c.dispatched++
	c.waitOrGo(seq, s)
}

// waitOrGo puts s on the waiting list of the first of its producers whose
// result time is unknown, or, when all are known, readies it.
func (c *ooo) waitOrGo(seq uint64, s *slot) {
	for ; s.waitIdx < s.nprods; s.waitIdx++ {
		p := s.prods[s.waitIdx]
		if p < c.retired {
			continue // retired: its value was there before now
		}
		ps := c.slot(p)
		if ps.done == sim.Never {
			s.nextWaiter, ps.waiters = ps.waiters, seq+1
			return
		}
		s.ready = max(s.ready, ps.done)
	}
	c.sourcesReady(seq, s)
}

// setDone records when instruction seq's result is there and wakes the
// instructions waiting for it.
func (c *ooo) setDone(seq uint64, d sim.Cycle) {
	s := c.slot(seq)
	s.done = d
	if in := c.instr(seq); in.HasRegs {
		for _, r := range in.DstRegs {
			if r != 0 && c.regProd[r] == seq && c.regReady[r] == sim.Never {
				c.regReady[r] = d
			}
		}
	}
	w := s.waiters
	s.waiters = 0
	for w != 0 {
		ws := c.slot(w - 1)
		next := ws.nextWaiter
		ws.ready = max(ws.ready, d)
		ws.waitIdx++
		c.waitOrGo(w-1, ws)
		w = next
	}
}

// sourcesReady is called once the time s's sources are ready is known.
// A non-load is done ExecLatency later. Loads are presented at that time:
// now, or from an engine event, so that the memory side sees accesses in
// time order and is never called from within its own callback.
func (c *ooo) sourcesReady(seq uint64, s *slot) {
	x := max(s.ready, s.dispatchAt)
	if s.nloads == 0 {
		c.setDone(seq, x+c.exec)
		return
	}
	if x > c.eng.Now() || c.inCallback {
		c.eng.Schedule(x, c, evIssue<<tagShift|seq)
		return
	}
	c.tryIssue(seq, s, x)
}

// tryIssue presents s's loads at x unless MaxInflightLoads holds them back.
func (c *ooo) tryIssue(seq uint64, s *slot, x sim.Cycle) {
	if c.limit > 0 && (c.thHead != c.thTail || !c.fits(s)) {
		c.throttled[c.thTail&uint64(len(c.throttled)-1)] = seq
		c.thTail++
		return
	}
	c.issue(seq, s, x)
}

func (c *ooo) fits(s *slot) bool {
	return c.inflight == 0 || c.inflight+int(s.nloads) <= c.limit
}

// issue presents the loads of instruction seq at x, all at once.
func (c *ooo) issue(seq uint64, s *slot, x sim.Cycle) {
	in := c.instr(seq)
	k := s.lq0
	for i := range in.Refs() {
		ref := &in.Mem[i]
		if ref.Store {
			continue
		}
		e := &c.lq[k&c.lqMask]
		a := &e.a
		a.VA, a.IP, a.Size, a.Kind, a.Done, a.ID = ref.Addr, in.IP, ref.Size, sim.Load, c, tagLoad<<tagShift|k
		e.issued = x
		if done, ok := c.mem.Access(x, a); ok {
			c.loadArrived(s, k, e, done)
			if c.limit > 0 && done > x {
				c.inflight++
				c.eng.Schedule(done, c, evLoadDone<<tagShift)
			}
		} else {
			s.pending++
			if c.limit > 0 {
				c.inflight++
			}
		}
		k++
	}
	if s.pending == 0 {
		c.setDone(seq, s.arrive)
	}
}

func (c *ooo) loadArrived(s *slot, k uint64, e *loadEntry, at sim.Cycle) {
	at = max(at, e.issued)
	e.done = at
	c.t.record(sim.Load, &e.a, e.issued, at)
	if at >= s.arrive {
		s.arrive, s.crit = at, k
	}
}

func (c *ooo) loadCallback(k uint64, at sim.Cycle) {
	e := &c.lq[k&c.lqMask]
	seq := e.owner
	s := c.slot(seq)
	c.loadArrived(s, k, e, at)
	s.pending--
	if c.limit > 0 {
		c.inflight--
		if c.thHead != c.thTail {
			c.eng.Schedule(at, c, evUnthrottle<<tagShift)
		}
	}
	if s.pending == 0 {
		c.setDone(seq, s.arrive)
	}
}

// AccessDone is told by the memory side when an access that had to wait
// has its data.
func (c *ooo) AccessDone(a *memside.Access, at sim.Cycle) {
	c.nextKnown = false
	c.inCallback = true
	switch id := a.ID & tagMask; a.ID >> tagShift {
	case tagLoad:
		c.loadCallback(id, at)
	case tagStore:
		c.storeCallback(id, at)
	case tagFetch:
		c.fetchCallback(id, at)
	}
	c.inCallback = false
}

// Handle runs the core's own engine events.
func (c *ooo) Handle(now sim.Cycle, arg uint64) {
	c.nextKnown = false
	switch arg >> tagShift {
	case evIssue:
		seq := arg & tagMask
		c.tryIssue(seq, c.slot(seq), now)
	case evLoadDone:
		c.inflight--
		c.unthrottle(now)
	case evUnthrottle:
		c.unthrottle(now)
	}
}

// unthrottle presents held-back loads, oldest held first, while they fit.
func (c *ooo) unthrottle(now sim.Cycle) {
	for c.thHead != c.thTail {
		seq := c.throttled[c.thHead&uint64(len(c.throttled)-1)]
		s := c.slot(seq)
		if !c.fits(s) {
			return
		}
		c.thHead++
		c.issue(seq, s, now)
	}
}
