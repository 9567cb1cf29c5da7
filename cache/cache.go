package cache

import (
	"encoding/binary"
	"iter"
	"math/bits"

	"github.com/vmemu/vmemu/replacement"
	"github.com/vmemu/vmemu/sim"
)

// invalidTag marks an empty way. A tag is the whole line address (the byte
// address shifted by the line size) plus one, so that a new level, fresh
// zeroed memory, is all empty without a pass over its arrays: building a
// 32 MiB level then touches only the pages its accesses reach.
const invalidTag = 0

// Cache is one set-associative level. Its functional state (tags,
// replacement, dirty bits) changes in the order accesses are presented, at
// once, as in a sequential reference simulator; its timing says when each
// access has its data. A line whose fill is still on its way is already in
// the tag array, with the cycle its data arrives (ready), so a later hit to
// it waits for the fill: that is how misses to a line in flight merge.
type Cache struct {
	level     sim.Level
	ways      int
	lineShift uint
	setMask   uint64

	lines   []wayState        // per way, set by set
	tagBits uint64            // the bits of a tag that hold the line (the directory's entries may be above)
	last    int               // the way of the line lookup found or allocate placed last (wayOfLast)
	held    int               // valid ways (warm.go)
	prints  []uint8           // per way: a byte of the line's hash, 0 when the way is empty
	dirty   []bool            // per way
	repl    replacement.State // moved here from arrays while the level lives
	arrays  *wayArrays        // the above, to hand back on Release

	next           sim.Port
	below          *Cache   // next, if a cache (through the directory too): warmBelow's
	belowShift     uint     // how much wider below's lines are, as a shift
	lowerExclusive bool     // next is a cache that keeps what this level evicts
	uppers         []*Cache // levels whose misses come here, for back-invalidation

	// Coherence (Share): a private level's state, or the shared level's
	// directory; coherent is set with either.
	coh      *member
	dir      *Directory
	coherent bool
	// byCore counts each core's hits and misses apart, at a level the
	// cores share (CountByCore); nil elsewhere.
	byCore []coreCounts

	// MSHR entries: issued ones until their fill is home (active), misses
	// waiting for an MSHR (queued, oldest first), and entries to reuse.
	// Entries never move: the level below holds pointers to them.
	active     []*mshr
	untimed    int       // active entries whose fill time is not known yet
	fills      fillTimes // the others' fill times, in order
	fillOwners []*mshr   // fills[i]'s entry, so recycle reads only the entries home
	queued     sim.Queue[*mshr]
	spare      []*mshr
	byLine     lineTable // lines whose fill an entry brings
	posted     sim.Request

	pf *pfState   // prefetching (prefetch.go); nil without
	bw *bandwidth // limits per cycle (bandwidth.go); nil without
	// hooked says the level has either: Access then goes through
	// accessHooked (the one test a level without them pays).
	hooked bool

	n Counts
	// byIP, when set, is told each demand miss, as missEvent.
	byIP      sim.ByIP
	missEvent sim.Event

	// cfg comes last: its prefetch and bandwidth parts, which the hot
	// paths do not read, would otherwise push the fields above out of the
	// short offsets their loads encode in.
	cfg Config

	host hostSets // where the arrays above lie, for warmSet
}

// Counts are a level's statistics. Demand kinds are counted once per access,
// whatever number of lines the access covers.
type Counts struct {
	Hits, Misses [sim.NumKinds]uint64
	Evictions    uint64 // valid lines replaced
	Writebacks   uint64 // dirty lines sent down
	Merged       uint64 // hits to a line whose fill was still in flight
	BackInvals   uint64 // lines invalidated above to keep inclusion
	MSHRWaits    uint64 // misses that found every MSHR busy
}

// New builds an empty level that answers as level (its place in the
// hierarchy). Connect it to the level below before use.
func New(cfg Config, level sim.Level) (*Cache, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a, err := newWayArrays(cfg)
	if err != nil {
		return nil, err
	}
	c := &Cache{
		cfg:       cfg,
		level:     level,
		ways:      cfg.Ways,
		lineShift: uint(bits.TrailingZeros(uint(cfg.LineSize))),
		setMask:   uint64(cfg.Sets() - 1),
		lines:     a.lines,
		tagBits:   ^uint64(0),
		prints:    a.prints,
		dirty:     a.dirty,
		repl:      a.repl,
		arrays:    a,
		byLine:    newLineTable(),
	}
	a.repl = replacement.State{} // one copy in use: a State must not be copied once used
	c.host = hostSetsOf(c)
	c.bw = newBandwidth(cfg.Bandwidth)
	if c.pf, err = newPrefetch(c); err != nil {
		return nil, err
	}
	c.hooked = c.bw != nil || c.pf != nil
	return c, nil
}

// Level is the level's place in the hierarchy.
func (c *Cache) Level() sim.Level { return c.level }

// Config returns the level's configuration.
func (c *Cache) Config() Config { return c.cfg }

// Register adds the level's counters to s under its name.
func (c *Cache) Register(s *sim.Stats) {
	p := c.cfg.Name + "."
	for k := sim.Kind(0); k < sim.NumKinds; k++ {
		s.Register(p+k.String()+".hits", &c.n.Hits[k], k.String()+" accesses that hit (a line still being filled counts: see merged)")
		s.Register(p+k.String()+".misses", &c.n.Misses[k], k.String()+" accesses that missed (in at least one of their lines)")
	}
	s.Register(p+"evictions", &c.n.Evictions, "valid lines replaced")
	s.Register(p+"writebacks", &c.n.Writebacks, "dirty lines sent down")
	s.Register(p+"merged", &c.n.Merged, "hits to a line whose fill was still in flight")
	s.Register(p+"back_invalidations", &c.n.BackInvals, "lines invalidated above to keep inclusion")
	s.Register(p+"mshr_waits", &c.n.MSHRWaits, "misses that found every MSHR busy")
	c.registerByCore(s)
	if c.pf != nil && c.pf.p != nil {
		c.pf.register(s)
	}
}

// CountMissesByIP makes the level tell b of every demand miss it counts
// (Counts.Misses of a fetch, load, store, page-table read or write, or
// prefetch), as event e at the IP the request carries: the instruction
// whose access, or whose access's page walk, it serves (0 for the
// kernel's traffic). A nil b stops it.
func (c *Cache) CountMissesByIP(b sim.ByIP, e sim.Event) { c.byIP, c.missEvent = b, e }

// Access presents a request to this level; see sim.Port.
func (c *Cache) Access(now sim.Cycle, req *sim.Request) (sim.Cycle, bool) {
	c.repl.Renumber()
	if c.hooked {
		return c.accessHooked(now, req)
	}
	if req.Kind == sim.Writeback || req.Kind == sim.Victim {
		return c.acceptEviction(now, req), true
	}
	write := (req.Kind == sim.Store || req.Kind == sim.PTEWrite) && c.cfg.Write != WriteAsRead
	first, last := c.lineRange(req)
	req.Ready = now + c.cfg.Latency
	req.Waits = 0
	req.Served = c.level
	req.Dirty, req.Missed, req.Merged, req.Evicted = false, false, false, 0
	missed := false
	var missFirst, missLast uint64
	for ln := range span(first, last) {
		if c.lookup(now, ln, req, write) {
			continue
		}
		if !missed {
			missFirst = ln
		}
		missed, missLast = true, ln
		if c.cfg.Straddle != StraddleWhole {
			c.miss(now, ln, ln, req, write)
		}
	}
	if missed {
		c.missed(now, missFirst, missLast, req, write)
	} else {
		c.n.Hits[req.Kind]++
	}
	if c.byCore != nil {
		c.countCore(req, missed)
	}
	if req.Trace != nil {
		c.traceAccess(now, req, missed)
	}
	if req.Waits > 0 && req.Done != nil {
		return 0, false
	}
	return req.Ready, true
}

// missed counts a demand access that missed (lines first to last of it, a
// whole-access miss's), once, and starts its whole-access miss.
func (c *Cache) missed(now sim.Cycle, first, last uint64, req *sim.Request, write bool) {
	req.Missed = true
	c.n.Misses[req.Kind]++
	if c.byIP != nil {
		c.byIP.Count(req.IP, c.missEvent, 1)
	}
	if c.cfg.Straddle == StraddleWhole {
		c.miss(now, first, last, req, write)
	}
}

// traceAccess records what this level did with a traced request: a hit
// (until its data, if a fill it waits for is timed), or the lookup of a
// miss, whose wait the levels below record.
func (c *Cache) traceAccess(now sim.Cycle, req *sim.Request, missed bool) {
	what, end := "hit", now+c.cfg.Latency
	switch {
	case missed:
		what = "miss"
	case req.Merged:
		what = "merged"
		if req.Waits == 0 {
			end = req.Ready
		}
	}
	req.Trace.Add(c.level, what, now, end)
}

// span yields the lines first to last, none if last is below first. It
// ends at last even when last is 2^64-1 (1-byte lines, the top byte of the
// address space), which a loop on ln <= last would never pass.
func span(first, last uint64) iter.Seq[uint64] {
	return func(yield func(uint64) bool) {
		if first > last {
			return
		}
		for ln := first; yield(ln) && ln != last; ln++ {
		}
	}
}

func (c *Cache) lineRange(req *sim.Request) (first, last uint64) {
	first = req.Addr >> c.lineShift
	if c.cfg.Straddle == StraddleFirst || req.Size <= 1 {
		return first, first
	}
	return first, (req.Addr + uint64(req.Size) - 1) >> c.lineShift
}

// wayState is one way's state. The tag and the arrival time sit together since
// nearly every access that reads one reads or writes the other: in a last
// level of megabytes, each array apart cost a trip to the host's memory.
type wayState struct {
	tag   uint64    // the line address held plus one, or invalidTag
	ready sim.Cycle // when its data is there (Never while unknown)
}

// find returns the index of the way holding line ln, or -1. It reads the
// set's fingerprints, a byte a way, eight at a time, and a way's tag only
// where the byte matches: in a last level of megabytes most lookups miss,
// and a set's tags span four of the host's cache lines where its prints
// take part of one.
func (c *Cache) find(ln uint64) int {
	base := int(ln&c.setMask) * c.ways
	key, p := ln+1, fingerprint(ln)
	for j := 0; j < c.ways; j += 8 {
		for m := matching(c.prints, base+j, c.ways-j, p); m != 0; m &= m - 1 {
			i := base + j + bits.TrailingZeros64(m)>>3
			if c.lines[i].tag&c.tagBits == key {
				return i
			}
		}
	}
	return -1
}

// wayOfLast is find(ln) for a line an access just presented here found or
// placed: the way of the last such line, if it holds ln (it may not: the
// access covered two lines, or another access came between), else the
// search. The directory asks it for each line of a request right after
// the shared level's lookup, which has just read that way's tag.
func (c *Cache) wayOfLast(ln uint64) int {
	if i := c.last; c.tagOf(i) == ln+1 {
		return i
	}
	return c.find(ln)
}

// matching is a mask with the high bit of byte b set where prints[at+b]
// equals p, for b below min(n, 8). prints has 7 bytes of room past its
// end (padded), so the word may always be read whole.
func matching(prints []uint8, at, n int, p uint8) uint64 {
	const low7, ones = 0x7f7f7f7f7f7f7f7f, 0x0101010101010101
	x := binary.LittleEndian.Uint64(prints[at:at+8]) ^ (ones * uint64(p))
	// The high bit of each byte of x that is zero, exactly (no borrow
	// from a neighbour, as the shorter x-ones trick has).
	m := ^(((x & low7) + low7) | x | low7)
	if n < 8 {
		m &= 1<<(8*n) - 1
	}
	return m
}

// fingerprint is a byte of a hash of line ln, never 0 (an empty way).
func fingerprint(ln uint64) uint8 {
	p := uint8((ln * 0x9E3779B97F4A7C15) >> 56)
	if p == 0 {
		p = 1
	}
	return p
}

// place puts line ln in way i, its data there at ready, clean (and, at a
// shared level whose tags keep the directory's entries, with an empty
// entry).
func (c *Cache) place(i int, ln uint64, ready sim.Cycle) {
	if ln >= c.tagBits && c.dir != nil {
		c.dir.entries.unpack() // a line too wide to leave the entries room
	}
	c.lines[i] = wayState{tag: ln + 1, ready: ready}
	c.prints[i], c.dirty[i] = fingerprint(ln), false
	c.held++
}

// tagOf is way i's tag: its line plus one, or invalidTag.
func (c *Cache) tagOf(i int) uint64 { return c.lines[i].tag & c.tagBits }

// invalidate empties way i.
func (c *Cache) invalidate(i int) {
	if c.prints[i] != 0 {
		c.held--
	}
	c.lines[i].tag, c.prints[i], c.dirty[i] = invalidTag, 0, false
}

// lookup handles one line of a demand access. It reports a hit.
func (c *Cache) lookup(now sim.Cycle, ln uint64, req *sim.Request, write bool) bool {
	i := c.find(ln)
	if i < 0 {
		return false
	}
	c.last = i
	set := int(ln & c.setMask)
	if way := i - set*c.ways; !c.repl.TryHit(set, way) {
		c.tellHit(set, way, ln, req)
	}
	if r := c.lines[i].ready; r > now {
		c.n.Merged++
		req.Merged = true
		if m := c.inflight(now, ln); m != nil {
			c.wait(m, req)
			if c.coh != nil && r != sim.Never {
				req.Ready = sim.Max(req.Ready, r) // an upgrade's grant, after its fill
			}
		} else if r != sim.Never {
			req.Ready = sim.Max(req.Ready, r)
		}
	}
	if write {
		if c.coh != nil && c.coh.grants[i] != grantOwned {
			c.claim(now, i, ln, req)
		}
		c.write(now, i, req)
	}
	if c.cfg.Inclusion == Exclusive && req.Fills {
		// The line moves up: the level above now holds it, dirty or not.
		req.Dirty = req.Dirty || c.dirty[i]
		c.invalidate(i)
	}
	return true
}

// tellHit tells the replacement policy of a hit on line ln for req when
// TryHit could not. The address is the access's own for its first line,
// the line's for the lines after. It is a call of its own so that the
// Access it builds does not weigh on its callers' hit paths.
//
//go:noinline
func (c *Cache) tellHit(set, way int, ln uint64, req *sim.Request) {
	c.repl.Update(&replacement.Access{Set: set, Way: way, Addr: max(req.Addr, ln<<c.lineShift), IP: req.IP, Kind: req.Kind, Hit: true})
}

// write applies a write to the line in way i.
func (c *Cache) write(now sim.Cycle, i int, req *sim.Request) {
	switch c.cfg.Write {
	case WriteBack:
		c.dirty[i] = true
	case WriteThrough:
		c.post(now, sim.Store, req.Addr, req.Size, true, req.IP)
	}
}

// post sends a write down that nobody waits for, for the instruction at
// ip (0: none, an eviction). It leaves after this level's own lookup.
func (c *Cache) post(now sim.Cycle, kind sim.Kind, addr uint64, size uint32, dirty bool, ip uint64) {
	c.posted = sim.Request{Addr: addr, Size: size, Kind: kind, Dirty: dirty, Issued: now, IP: ip}
	c.next.Access(now+c.cfg.Latency, &c.posted)
}
