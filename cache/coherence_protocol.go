package cache

import (
	"math/bits"

	"github.com/vmemu/vmemu/sim"
)

// The directory's side of MESI. Its state changes at once, when a request
// reaches it (a private level's miss presented to the shared level, or an
// upgrade presented at the level that found its line Shared), as every
// cache's state does; the time a request waits for transfers and
// invalidations rides on top, added to the request's ready time. Nothing
// here schedules an event: every message is a fixed latency, known when
// the request arrives.

// Access presents req to the shared level, then to the directory: the
// shared level's lookup places every line the request covers, and the
// directory makes the request wait for the messages it sends. A request
// the shared level could not time at once gets the wait when its fill
// arrives (the fill's waiters keep the later of the two times).
func (d *Directory) Access(now sim.Cycle, req *sim.Request) (sim.Cycle, bool) {
	done, ok := d.shared.Access(now, req)
	if req.Kind == sim.Writeback || req.Kind == sim.Victim {
		return done, ok
	}
	first, last := d.shared.lineRange(req)
	d.serve(now, req, first, last)
	if !ok {
		return 0, false
	}
	return req.Ready, true
}

// serve applies req, just presented to the shared level, to the directory.
func (d *Directory) serve(now sim.Cycle, req *sim.Request, first, last uint64) {
	c := d.shared
	var extra sim.Cycle
	for ln := range span(first, last) {
		if i := c.wayOfLast(ln); i >= 0 {
			extra = max(extra, d.request(i, ln, req))
		}
	}
	start := now + c.cfg.Latency
	done := start + d.cfg.Lookup + extra
	if extra > 0 {
		req.Trace.Add(c.level, "coherence", start, done)
	}
	req.Ready = max(req.Ready, done)
}

// request applies req to the entry of line ln (way i) and returns the
// cycles its messages take.
func (d *Directory) request(i int, ln uint64, req *sim.Request) sim.Cycle {
	k := int(req.Core)
	if !req.Fills || k >= len(d.cores) {
		return d.outside(i, ln, req)
	}
	if d.gather(k, ln); len(d.held) == 0 {
		return 0 // the line left the core before its request came here
	}
	if req.Kind == sim.Store || req.Kind == sim.PTEWrite {
		return d.own(i, ln, k)
	}
	return d.share(i, ln, k)
}

// share gives core k the line to read (GetS): E if no other core holds
// it, else S, downgrading an owner to S (its data forwarded, written back
// here if Modified).
func (d *Directory) share(i int, ln uint64, k int) sim.Cycle {
	bit := uint64(1) << k
	s, o := d.sharers(i, ln, k)
	switch {
	case o == k || s&bit != 0:
		return 0 // core k holds it already; its new copies took its state
	case s == 0:
		d.entries.set(i, bit, k)
		d.grant(grantOwned)
		return 0
	case d.heldDirty():
		// A store merged with this fill while it waited for an MSHR,
		// before the directory knew of it: the core asks to own the line.
		return d.own(i, ln, k)
	}
	d.entries.set(i, s|bit, -1) // an owner, if any, is one no more
	d.grant(grantShared)
	if o < 0 {
		return 0
	}
	d.byCore[k].Transfers++
	return d.forward(i, ln, o)
}

// forward has the owner o of line ln (way i), whose entry no longer names
// it, send its copy to a reader: o's copies become Shared, and a Modified
// one's data is written back here.
func (d *Directory) forward(i int, ln uint64, o int) sim.Cycle {
	if d.downgrade(o, ln) {
		d.shared.dirty[i] = true
		d.n.Writebacks++
		d.byCore[o].Writebacks++
	}
	d.n.Transfers++
	return d.cfg.Transfer
}

// own gives core k the line to write (GetM, or an upgrade from S):
// every other copy is invalidated; an owner's comes to k. Core k's copies
// are gathered (d.held).
func (d *Directory) own(i int, ln uint64, k int) sim.Cycle {
	bit := uint64(1) << k
	var cost sim.Cycle
	switch s, o := d.sharers(i, ln, k); {
	case o == k:
		return 0
	case o >= 0:
		// A Modified copy's data moves to k with the ownership: it is
		// not written back here, and k's copy becomes dirty as it is
		// written.
		d.invalidate(o, ln)
		d.n.Transfers++
		d.byCore[k].Transfers++
		cost = d.cfg.Transfer
	default:
		cost = d.invalidateAll(s&^bit, ln)
	}
	d.entries.set(i, bit, k)
	d.grant(grantOwned)
	return cost
}

// outside applies a request that no core's private levels will keep: a
// read or posted write presented to the shared level directly (the
// kernel's traffic, a page walk that starts there). A read downgrades an
// owner; a write invalidates every copy.
func (d *Directory) outside(i int, ln uint64, req *sim.Request) sim.Cycle {
	s, o := d.sharers(i, ln, -1)
	if req.Kind.IsWrite() {
		cost := d.invalidateAll(s, ln)
		d.entries.set(i, 0, -1)
		return cost
	}
	if o >= 0 {
		d.entries.set(i, s, -1)
		return d.forward(i, ln, o)
	}
	return 0
}

// invalidateAll invalidates line ln in the cores of the mask and returns
// how long the request waits for their acknowledgments.
func (d *Directory) invalidateAll(cores uint64, ln uint64) sim.Cycle {
	n := 0
	for ; cores != 0; cores &= cores - 1 {
		d.invalidate(bits.TrailingZeros64(cores), ln)
		n++
	}
	switch {
	case n == 0:
		return 0
	case d.cfg.Serial:
		return sim.Cycle(n) * d.cfg.Invalidate
	}
	return d.cfg.Invalidate
}

// upgrade is a store of core k that found line ln Shared in a private
// level, its request reaching the directory at cycle at. It returns when
// the core owns the line. A line the shared level does not hold is one
// whose fill has not reached the directory yet (it waits for an MSHR):
// the fill asks for ownership when it arrives (share sees the dirty copy).
func (d *Directory) upgrade(at sim.Cycle, k int, ln uint64) sim.Cycle {
	i := d.shared.find(ln)
	if i < 0 {
		return at
	}
	d.n.Upgrades++
	d.byCore[k].Upgrades++
	d.gather(k, ln)
	return at + d.cfg.Lookup + d.own(i, ln, k)
}

// evict invalidates every private copy of line ln, whose way i the shared
// level is evicting, and reports whether any was dirty (its data goes down
// with the line).
func (d *Directory) evict(i int, ln uint64) bool {
	s, _ := d.sharers(i, ln, -1)
	d.entries.set(i, 0, -1)
	if s == 0 {
		return false
	}
	d.evictions++
	dirty := false
	for ; s != 0; s &= s - 1 {
		k := bits.TrailingZeros64(s)
		for _, l := range d.cores[k] {
			if j := l.find(ln); j >= 0 {
				dirty = dirty || l.dirty[j]
				l.invalidate(j)
				d.shared.n.BackInvals++
			}
		}
		d.lose(k, ln, ungranted)
		d.n.BackInvals++
		d.byCore[k].BackInvals++
	}
	return dirty
}

// placed clears the entry of way i, where the shared level put a line.
func (d *Directory) placed(i int) { d.entries.set(i, 0, -1) }

// invalidate removes line ln from core k's private levels for another
// core's write.
func (d *Directory) invalidate(k int, ln uint64) {
	for _, l := range d.cores[k] {
		if j := l.find(ln); j >= 0 {
			l.invalidate(j)
		}
	}
	d.lose(k, ln, ungranted)
	d.n.Invalidations++
	d.byCore[k].Invalidations++
}

// downgrade makes core k's copies of line ln Shared and clean, reporting
// whether one was Modified.
func (d *Directory) downgrade(k int, ln uint64) bool {
	wrote := false
	for _, l := range d.cores[k] {
		if j := l.find(ln); j >= 0 {
			wrote = wrote || l.dirty[j]
			l.dirty[j], l.coh.grants[j] = false, grantShared
		}
	}
	d.lose(k, ln, grantShared)
	return wrote
}

// gather finds core k's copies of line ln (d.held), for a request of the
// core's that the directory then answers from the list: whether the core
// holds the line, whether dirty, and the grant of it. Each of those
// searched the core's levels again. The list stays true while the request
// is answered: nothing on the way changes core k's levels (own invalidates
// and forward downgrades another core's copies, and a private level's
// invalidate touches its own arrays only), and the next request gathers
// again.
func (d *Directory) gather(k int, ln uint64) {
	d.held = d.held[:0] // Share gave it room for every level of a core
	for _, l := range d.cores[k] {
		if j := l.wayOfLast(ln); j >= 0 {
			d.held = append(d.held, privateCopy{l, j})
		}
	}
}

// grant gives the gathered copies g (grantOwned: E, or M where dirty),
// the new ones its levels are filling included.
func (d *Directory) grant(g grant) {
	for _, c := range d.held {
		c.l.coh.grants[c.way] = g
	}
}

// heldDirty reports whether one of the gathered copies is dirty.
func (d *Directory) heldDirty() bool {
	for _, c := range d.held {
		if c.l.dirty[c.way] {
			return true
		}
	}
	return false
}

// claim is a store that found line ln Shared in way i of this private
// level: an upgrade to the directory, which the store, and every access
// to the line until the grant, waits for (as for a fill in flight). A
// line whose fill is itself still on its way keeps the fill's time.
func (c *Cache) claim(now sim.Cycle, i int, ln uint64, req *sim.Request) {
	done := c.coh.dir.upgrade(now+c.coh.toDir, c.coh.core, ln)
	req.Ready = max(req.Ready, done)
	if r := c.lines[i].ready; r != sim.Never && r < done {
		c.lines[i].ready = done
	}
	if done > now+c.coh.toDir {
		req.Trace.Add(c.level, "upgrade", now+c.cfg.Latency, done)
	}
}

// joinLine sets up the coherence state of line ln, just placed in way i:
// an empty directory entry at the shared level; at a private level, the
// core's state for the line (the directory's grant sets it again when the
// fill reaches it).
func (c *Cache) joinLine(i int, ln uint64) {
	if c.dir != nil {
		c.dir.placed(i)
		return
	}
	c.coh.grants[i] = c.coh.dir.granted(c.coh.core, ln, c)
}
