package cache

import "github.com/vmemu/vmemu/sim"

// Prefetch sends a prefetch for the line of addr (an address as the
// prefetcher sees them) into this level or the one below; see
// prefetch.Issuer. A prefetch that fills this level is a miss of its own:
// it takes a way and an MSHR at once, as a demand miss does, and sends a
// prefetch request down; one that fills the level below takes a way and
// an MSHR there. Either needs an MSHR free at the cycle it would take one,
// with no miss waiting for one, and room in the prefetch queue of the
// level it asks: demand is never made to wait for a prefetch.
func (p *pfState) Prefetch(addr uint64, here bool) bool {
	p.n.Requested++
	c := p.c
	pa, at := addr, p.now
	if p.tr != nil {
		var ok bool
		if pa, at, ok = p.translate(addr); !ok {
			return p.drop(dropTLB)
		}
	} else if addr>>p.cfg.pageShift() != p.trigger>>p.cfg.pageShift() && !p.anyPage {
		return p.drop(dropPage)
	}
	target := c
	if lower := c.lowerCache(); lower != nil && (!here || p.cfg.Below) {
		target = lower
	}
	if p.holds(c, pa, at) || target != c && p.holds(target, pa, at) {
		p.n.Redundant++
		return false
	}
	if !p.throttle.pass() {
		return p.drop(dropThrottle)
	}
	t := at + c.cfg.Latency // when it would leave this level
	if target == c && !c.mshrFree(t) || target != c && !target.mshrFree(t+target.cfg.Latency) {
		return p.drop(dropMSHR)
	}
	if lower := c.lowerCache(); lower != nil && !lower.bw.room(queuePrefetch, t) {
		return p.drop(dropQueue)
	}
	p.n.Issued++
	p.throttle.issued()
	if target != c {
		p.n.Below++
		target.prefetchFromAbove(t, pa, p)
		return true
	}
	r := &p.req
	*r = sim.Request{Addr: pa &^ uint64(c.cfg.LineSize-1), Size: uint32(c.cfg.LineSize), Kind: sim.Prefetch,
		IP: p.ip, Core: p.core, Proc: p.proc, Issued: at}
	if p.tr != nil {
		r.VA = addr
	}
	p.markNext = p.own
	c.miss(at, pa>>c.lineShift, pa>>c.lineShift, r, false)
	p.markNext = 0
	return true
}

// translate translates a virtual prefetch address: within the trigger's
// base page from the trigger's own physical address, else through the
// TLBs.
func (p *pfState) translate(va uint64) (uint64, sim.Cycle, bool) {
	page := uint64(1)<<p.cfg.pageShift() - 1 // accesses are split at base pages
	if p.vtrigger != noVA && va&^page == p.vtrigger&^page {
		return p.trigger&^page | va&page, p.now, true
	}
	pa, at, ok := p.tr.TranslatePrefetch(p.now, va, p.kind, p.cfg.Walk)
	return pa, max(at, p.now), ok
}

// holds reports whether level l has the line of pa, or has it on its way.
func (p *pfState) holds(l *Cache, pa uint64, at sim.Cycle) bool {
	ln := pa >> l.lineShift
	return l.find(ln) >= 0 || l.inflight(at, ln) != nil
}

func (p *pfState) drop(why int) bool {
	p.n.Dropped++
	p.n.DroppedBy[why]++
	return false
}

// lowerCache is the cache level below, if it is one that a prefetch may
// fill (an exclusive level takes only what the level above evicts).
func (c *Cache) lowerCache() *Cache {
	l, _ := c.next.(*Cache)
	if d, ok := c.next.(*Directory); ok {
		l = d.shared // a coherent private level reaches the shared one through its directory
	}
	if l != nil && !c.lowerExclusive && l.pf != nil {
		return l
	}
	return nil
}

// mshrFree reports whether an MSHR is free at cycle t with no miss
// waiting for one.
func (c *Cache) mshrFree(t sim.Cycle) bool {
	return c.queued.Len() == 0 && c.slot(t) == t
}

// prefetchFromAbove takes a prefetch that the level above's prefetcher
// sends into this level: a miss here (the sender checked), counted as a
// prefetch access, whose line is marked as the sender's.
func (c *Cache) prefetchFromAbove(now sim.Cycle, pa uint64, from *pfState) {
	p := c.pf
	if c.bw != nil {
		now = c.bw.lookup(now, sim.Prefetch)
	}
	ln := pa >> c.lineShift
	c.n.Misses[sim.Prefetch]++
	r := &p.aboveReq
	*r = sim.Request{Addr: ln << c.lineShift, Size: uint32(c.cfg.LineSize), Kind: sim.Prefetch,
		IP: from.ip, Core: from.core, Proc: from.proc, Issued: now, Missed: true}
	if c.byCore != nil {
		c.countCore(r, true) // as Access counts, so the cores' misses add up to the level's
	}
	p.markNext = p.index(from)
	c.miss(now, ln, ln, r, false)
	p.markNext = 0
	p.after(now, r)
}
