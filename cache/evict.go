package cache

import (
	"math/bits"

	"github.com/vmemu/vmemu/replacement"
	"github.com/vmemu/vmemu/sim"
)

// emptyWay is the first way of the set at base that holds no line, or -1.
func (c *Cache) emptyWay(base int) int {
	for j := 0; j < c.ways; j += 8 {
		if m := matching(c.prints, base+j, c.ways-j, 0); m != 0 {
			return j + bits.TrailingZeros64(m)>>3
		}
	}
	return -1
}

// allocate makes room for line ln in its set, for req, and returns the
// way's index and the tag (line address plus one) of the valid line it
// evicted, or invalidTag. An invalid way is used first; otherwise the
// policy picks a victim.
func (c *Cache) allocate(now sim.Cycle, ln uint64, req *sim.Request) (int, uint64) {
	c.repl.Renumber() // fills also come from completions and prefetches, outside Access
	set := int(ln & c.setMask)
	base := set * c.ways
	way := c.emptyWay(base)
	evicted := uint64(invalidTag)
	if way < 0 {
		way = c.repl.Victim(set, max(req.Addr, ln<<c.lineShift), req.IP, req.Kind)
		evicted = c.tagOf(base + way) // its host line is written just below anyway
		c.evict(now, base+way)
	}
	i := base + way
	if c.pf != nil {
		c.pf.placing(now, i, ln, req, evicted)
	}
	c.arrays.touch(set)
	c.place(i, ln, now)
	c.last = i
	if c.coherent {
		c.joinLine(i, ln)
	}
	if !c.repl.TryFill(set, way) {
		c.tellFill(i, ln, req, evicted)
	}
	return i, evicted
}

// tellFill tells the replacement policy of the fill of way i with line ln
// for req, which evicted the line of tag evicted (or invalidTag), when
// TryFill could not.
//
//go:noinline
func (c *Cache) tellFill(i int, ln uint64, req *sim.Request, evicted uint64) {
	set := int(ln & c.setMask)
	a := replacement.Access{Set: set, Way: i - set*c.ways, Addr: max(req.Addr, ln<<c.lineShift), IP: req.IP, Kind: req.Kind}
	if evicted != invalidTag {
		a.Evicts, a.Evicted = true, (evicted-1)<<c.lineShift
	}
	c.repl.Update(&a)
}

// evict removes the line in way i, writing it down if it must.
func (c *Cache) evict(now sim.Cycle, i int) {
	dirty := c.dirty[i]
	c.n.Evictions++
	var ln uint64
	if dirty || c.cfg.Inclusion == Inclusive || c.lowerExclusive || c.coherent {
		ln = c.tagOf(i) - 1 // else unread: a clean line leaves no trace
	}
	if c.coh != nil {
		// A level below that places the line takes the grant it leaves with.
		c.coh.dir.leave(c.coh.core, ln, c.coh.grants[i])
	}
	if c.dir != nil {
		// Before the way is emptied: its tag may keep the entry.
		dirty = c.dir.evict(i, ln) || dirty // the directory knows the copies above
	}
	c.invalidate(i)
	if c.dir == nil && c.cfg.Inclusion == Inclusive {
		dirty = c.backInvalidate(ln<<c.lineShift, uint64(c.cfg.LineSize)) || dirty
	}
	switch {
	case dirty:
		c.n.Writebacks++
		c.post(now, sim.Writeback, ln<<c.lineShift, uint32(c.cfg.LineSize), true, 0)
	case c.lowerExclusive:
		c.post(now, sim.Victim, ln<<c.lineShift, uint32(c.cfg.LineSize), false, 0)
	}
	if c.coh != nil {
		c.coh.dir.left(c.coh.core)
	}
}

// backInvalidate removes the bytes [addr, addr+size) from every level above,
// and above those, reporting whether any copy was dirty.
func (c *Cache) backInvalidate(addr, size uint64) bool {
	dirty := false
	for _, u := range c.uppers {
		for a := addr; a < addr+size; a += uint64(u.cfg.LineSize) {
			if i := u.find(a >> u.lineShift); i >= 0 {
				dirty = dirty || u.dirty[i]
				if u.dir != nil {
					dirty = u.dir.evict(i, a>>u.lineShift) || dirty
				}
				u.invalidate(i)
				c.n.BackInvals++
			}
		}
		dirty = u.backInvalidate(addr, size) || dirty
	}
	return dirty
}

// acceptEviction takes a line evicted from the level above: a dirty
// writeback, or a clean victim for an exclusive level.
func (c *Cache) acceptEviction(now sim.Cycle, req *sim.Request) sim.Cycle {
	ln := req.Addr >> c.lineShift
	done := now + c.cfg.Latency
	if i := c.find(ln); i >= 0 {
		c.n.Hits[req.Kind]++
		set := int(ln & c.setMask)
		if way := i - set*c.ways; !c.repl.TryHit(set, way) {
			c.tellHit(set, way, ln, req)
		}
		if req.Dirty {
			c.write(now, i, req)
		}
		return done
	}
	c.n.Misses[req.Kind]++
	switch {
	case req.Kind == sim.Victim || (c.cfg.Write == WriteBack && c.cfg.WriteAllocate):
		// A whole line arrives: nothing to fetch.
		i, _ := c.allocate(now, ln, req)
		c.dirty[i] = req.Dirty && c.cfg.Write == WriteBack
		if req.Dirty && c.cfg.Write == WriteThrough {
			c.post(now, sim.Writeback, req.Addr, req.Size, true, 0)
		}
	case req.Dirty:
		c.post(now, sim.Writeback, req.Addr, req.Size, true, 0)
	}
	return done
}

// Connect makes lower the level below upper. A cache below learns of the
// one above, for back-invalidation and exclusion.
func Connect(upper *Cache, lower sim.Port) error {
	upper.next = lower
	lc, ok := lower.(*Cache)
	if !ok {
		return nil
	}
	switch {
	case lc.cfg.Inclusion == Exclusive && lc.cfg.LineSize != upper.cfg.LineSize:
		return errorf("%s: an exclusive level needs the line size of %s above (%d B, not %d B)",
			lc.cfg.Name, upper.cfg.Name, upper.cfg.LineSize, lc.cfg.LineSize)
	case lc.cfg.LineSize < upper.cfg.LineSize:
		return errorf("%s: line size %d B is smaller than %s's %d B above it",
			lc.cfg.Name, lc.cfg.LineSize, upper.cfg.Name, upper.cfg.LineSize)
	}
	upper.lowerExclusive = lc.cfg.Inclusion == Exclusive
	upper.below, upper.belowShift = lc, lc.lineShift-upper.lineShift
	lc.uppers = append(lc.uppers, upper)
	return nil
}
