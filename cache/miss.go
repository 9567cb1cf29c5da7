package cache

import (
	"slices"

	"github.com/vmemu/vmemu/sim"
)

// An mshr tracks one miss from the moment it is known until its data is
// back: the lines it covers, the request it sent down, and the requests
// waiting for it whose completion the level below could not tell at once.
type mshr struct {
	c           *Cache
	first, last uint64    // lines covered
	issued      bool      // the request below has left (it may be done)
	start       sim.Cycle // when it left
	freeAt      sim.Cycle // when the fill arrives; Never while unknown
	slot        int       // index in c.active once issued
	way         int       // where line first was placed (-1: none); setReady checks it still is
	lower       sim.Request
	waiters     []*sim.Request
}

// busyAt reports whether the entry holds an MSHR at cycle t.
func (m *mshr) busyAt(t sim.Cycle) bool { return m.issued && m.start <= t && t < m.freeAt }

// pendingAt reports whether the entry's data is still to come at cycle t.
func (m *mshr) pendingAt(t sim.Cycle) bool { return !m.issued || t < m.freeAt }

// miss handles the lines [first, last] of req that were not found.
func (c *Cache) miss(now sim.Cycle, first, last uint64, req *sim.Request, write bool) {
	if write && !c.cfg.WriteAllocate {
		c.post(now, sim.Store, req.Addr, req.Size, true, req.IP)
		return
	}
	c.warmBelow(first)
	keep := !(c.cfg.Inclusion == Exclusive && req.Fills)
	way := -1 // line first's
	if keep {
		for ln := range span(first, last) {
			i := c.find(ln)
			if i < 0 { // the whole-access case passes lines that hit too
				var evicted uint64
				i, evicted = c.allocate(now, ln, req)
				if evicted != invalidTag {
					req.Evicted = evicted
				}
				c.lines[i].ready = sim.Never
				if write {
					c.write(now, i, req)
				}
			}
			if ln == first {
				way = i
			}
		}
	}
	m := c.inflight(now, first)
	// A coherent level's line that left while its fill was on the way
	// (invalidated, evicted) is asked for again: the old fill's request
	// no longer stands for it at the directory.
	if m == nil || m.last < last || c.coh != nil {
		m = c.startMiss(now, first, last, req)
	} else {
		c.n.Merged++
	}
	if keep {
		m.way = way
		c.setReady(m)
	}
	c.wait(m, req)
}

// setReady gives the lines m brings that are still waiting their arrival time.
func (c *Cache) setReady(m *mshr) {
	if m.freeAt == sim.Never {
		return
	}
	for ln := range span(m.first, m.last) {
		if i := c.wayOf(m, ln); i >= 0 && c.lines[i].ready == sim.Never {
			c.lines[i].ready = m.freeAt
			c.dirty[i] = c.dirty[i] || m.lower.Dirty
			if c.pf != nil {
				c.pf.filled(i, ln, m)
			}
		}
	}
}

// wayOf is find(ln) for a line of m: the way m's first line was placed
// in, if it still holds that line (a search of the set, of a level of
// megabytes whose tags the host's caches do not keep, at each fill
// otherwise), else the search.
func (c *Cache) wayOf(m *mshr, ln uint64) int {
	if i := m.way; ln == m.first && i >= 0 && c.prints[i] == fingerprint(ln) && c.tagOf(i) == ln+1 {
		return i
	}
	return c.find(ln)
}

// inflight returns the entry whose data for line ln is still to come, or nil.
func (c *Cache) inflight(now sim.Cycle, ln uint64) *mshr {
	if m := c.byLine.get(ln); m != nil && m.pendingAt(now) {
		return m
	}
	return nil
}

// wait makes req wait for m's data: at once if its arrival is known,
// else as a waiter (posted writes never wait).
func (c *Cache) wait(m *mshr, req *sim.Request) {
	if m.issued && m.freeAt != sim.Never {
		req.Ready = sim.Max(req.Ready, m.freeAt)
		req.Served = sim.Deeper(req.Served, m.lower.Served)
		return
	}
	if req.Done == nil {
		return
	}
	req.Waits++
	m.waiters = append(m.waiters, req)
}

// startMiss takes an MSHR entry for lines [first, last] and sends the
// request down when an MSHR is free, at once or later.
func (c *Cache) startMiss(now sim.Cycle, first, last uint64, req *sim.Request) *mshr {
	m := c.entry(now)
	m.first, m.last = first, last
	m.issued, m.freeAt, m.way = false, sim.Never, -1
	m.waiters = m.waiters[:0]
	m.lower = sim.Request{
		Addr: first << c.lineShift, Size: uint32(c.cfg.LineSize),
		Kind: req.Kind, Fills: true, Done: m, IP: req.IP, Core: req.Core, Proc: req.Proc, Trace: req.Trace,
	}
	if c.cfg.Straddle == StraddleWhole {
		m.lower.Addr, m.lower.Size = req.Addr, req.Size
	}
	if c.coh != nil {
		m.lower.Core = uint16(c.coh.core) // the directory knows a core by its levels' requests
	}
	for ln := range span(first, last) {
		c.byLine.put(ln, m)
	}
	start := sim.Never
	if c.queued.Len() == 0 {
		start = c.slot(now + c.cfg.Latency)
	}
	if start != now+c.cfg.Latency {
		c.n.MSHRWaits++
	}
	if start == sim.Never {
		c.queued.Push(m)
	} else {
		if start > now+c.cfg.Latency {
			req.Trace.Add(c.level, "mshr wait", now+c.cfg.Latency, start)
		}
		c.issue(start, m)
	}
	return m
}

// entry returns an unused entry (recycling those whose fill is home by
// now, the cycle of a new miss: never a completion's cycle, which may lie
// ahead of misses still to come), or a new one.
func (c *Cache) entry(now sim.Cycle) *mshr {
	if len(c.spare) == 0 || len(c.active) > 2*c.cfg.MSHRs {
		c.recycle(now) // keeps the list slot scans short
	}
	if n := len(c.spare); n > 0 {
		m := c.spare[n-1]
		c.spare = c.spare[:n-1]
		return m
	}
	return &mshr{c: c}
}

// recycle moves the issued entries whose fill has arrived by now to the
// spare list, forgetting their lines. They are the first of the ordered
// fill times, whose entries sit beside them: recycle reads those alone
// (a scan of the whole list for them, though it stopped at the last one
// home, was a twelfth of a run of four cores on random loads). An entry
// that leaves the list takes the last one into its place: the others are
// not written (shifting them all down, once a miss, was a tenth of a
// memory-bound run), and the order of the list matters to nothing.
func (c *Cache) recycle(now sim.Cycle) {
	home := c.fills.after(now)
	kept := 0 // entries home whose waiters are still being told stay, in order
	for j, m := range c.fillOwners[:home] {
		if len(m.waiters) > 0 {
			c.fills[kept], c.fillOwners[kept] = c.fills[j], m
			kept++
			continue
		}
		for ln := range span(m.first, m.last) {
			c.byLine.deleteIf(ln, m)
		}
		c.spare = append(c.spare, m)
		last := len(c.active) - 1
		moved := c.active[last]
		c.active[m.slot] = moved
		moved.slot = m.slot
		c.active[last] = nil
		c.active = c.active[:last]
	}
	c.fills = slices.Delete(c.fills, kept, home)
	c.fillOwners = slices.Delete(c.fillOwners, kept, home)
}

// slot returns the first cycle from t on when fewer than MSHRs entries are
// busy, or Never if that depends on fills not yet known.
func (c *Cache) slot(t sim.Cycle) sim.Cycle {
	if len(c.active) < c.cfg.MSHRs {
		return t // fewer entries than MSHRs: one is free, whatever their times
	}
	if c.untimed >= c.cfg.MSHRs {
		// As many MSHRs wait on fills not timed yet: whatever the others
		// do, the one to free first is among those.
		return sim.Never
	}
	busy, i := c.busyAt(t)
	if busy < c.cfg.MSHRs {
		return t
	}
	// Enough of them must end for one to be free: the (busy-MSHRs+1)th
	// earliest fill after t. There are enough, since untimed < MSHRs;
	// a fill time of Never among them (none known) says so.
	return c.fills[i+busy-c.cfg.MSHRs]
}

// busyAt returns how many issued entries hold an MSHR at cycle t, and
// the index in fills of the first fill after t. An entry holds its MSHR
// from its start to its fill; one that starts after t (a miss that
// waited) holds it from t on too, as far as a later miss is concerned. The
// busy ones are those not timed yet and those whose fill is after t.
func (c *Cache) busyAt(t sim.Cycle) (busy, after int) {
	after = c.fills.after(t)
	return c.untimed + len(c.fills) - after, after
}

// issue sends m's request down at cycle t.
func (c *Cache) issue(t sim.Cycle, m *mshr) {
	m.issued, m.start = true, t
	m.slot = len(c.active)
	c.active = append(c.active, m)
	c.untimed++ // a fresh entry's fill time is unknown until Complete
	if done, ok := c.next.Access(t, &m.lower); ok {
		m.Complete(&m.lower, done)
	}
}

// Complete is called by the level below when a fill it could not time at
// once has arrived.
func (m *mshr) Complete(_ *sim.Request, at sim.Cycle) {
	c := m.c
	if c.bw != nil {
		at = c.bw.fill(at)
	}
	m.freeAt = at
	c.untimed--
	c.fillOwners = slices.Insert(c.fillOwners, c.fills.add(at), m)
	c.setReady(m)
	for _, w := range m.waiters {
		w.Ready = sim.Max(w.Ready, at)
		w.Served = sim.Deeper(w.Served, m.lower.Served)
		w.Waits--
		if w.Waits == 0 {
			w.Done.Complete(w, w.Ready)
		}
	}
	m.waiters = m.waiters[:0]
	c.drainQueue(at)
}

// drainQueue sends queued misses down, oldest first, while MSHRs are free.
// The first miss it leaves goes down at a later fill: the level below's
// set for it is warmed again now (its miss warmed it long ago; warm.go).
func (c *Cache) drainQueue(now sim.Cycle) {
	for c.queued.Len() > 0 {
		start := c.slot(now)
		if start == sim.Never {
			c.warmBelow((*c.queued.Front()).first)
			return
		}
		c.issue(start, c.queued.Pop())
	}
}
