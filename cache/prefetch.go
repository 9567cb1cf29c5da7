package cache

import (
	"fmt"

	"github.com/vmemu/vmemu/prefetch"
	"github.com/vmemu/vmemu/sim"
)

// PrefetchConfig is a level's prefetcher and how its prefetches go.
type PrefetchConfig struct {
	// Name is a prefetcher registered in package prefetch, or "" or
	// "none" for none.
	Name string
	// Where is what the level is to the prefetcher: prefetch.Data, or
	// prefetch.Instruction for the first level's instruction side.
	Where            prefetch.Where
	Degree, Distance int // 0: the prefetcher's own defaults
	// Below sends every prefetch into the level below (the prefetch_fill
	// key), whatever the prefetcher asks.
	Below bool
	// Walk lets a prefetch whose page the TLBs do not hold start a page
	// walk (virtual prefetchers only); otherwise it is dropped.
	Walk bool
	// Throttle turns on the accuracy throttle (prefetch_throttle.go).
	Throttle bool
	// PageShift is log2 of the page a physical prefetch may not leave.
	PageShift uint
	// Marks keeps the prefetched mark of every way even without a
	// prefetcher of its own: a level above prefetches into this one.
	Marks bool
}

func (p PrefetchConfig) on() bool { return p.Name != "" && p.Name != prefetch.None }

// Translator translates the virtual address a first level's prefetcher
// asks for (the MMU, through its TLBs, changing none of their state). It
// reports false when the TLBs miss and the walk was not allowed or could
// not finish at once; at is when the physical address is known.
type Translator interface {
	TranslatePrefetch(now sim.Cycle, va uint64, kind sim.Kind, walk bool) (pa uint64, at sim.Cycle, ok bool)
}

// Why a prefetch was not sent.
const (
	dropMSHR     = iota // no MSHR free at this level or the one below
	dropQueue           // the level below's prefetch queue was full
	dropTLB             // its page's translation was not in the TLBs
	dropPage            // a physical prefetch beyond the trigger's page
	dropThrottle        // held back by the accuracy throttle
	numDrops
)

var dropNames = [numDrops]string{"mshr", "queue", "tlb", "page", "throttle"}

// pfCounts are one prefetcher's statistics.
type pfCounts struct {
	Requested, Issued, Below, Redundant uint64
	Dropped                             uint64
	DroppedBy                           [numDrops]uint64
	Useful, UsefulHere, Late, Useless   uint64
}

// pfState is a level's prefetching: its prefetcher, if it has one, and the
// marks of the lines prefetched into it (by it, or by a level above).
type pfState struct {
	c   *Cache
	p   prefetch.Prefetcher // nil: marks only
	cfg PrefetchConfig
	// marks holds, per way, 0 or 1 + the index in by of the prefetcher
	// that brought the line and has not seen it used yet.
	marks    []uint8
	marked   int // ways whose mark is set: none, and a demand access need not look
	by       []*pfState
	markNext uint8 // the mark allocate gives the line it places
	own      uint8 // this level's own mark (0 without a prefetcher)
	// pending holds, per way, for the own prefetcher's Fill, what the
	// line placed there was allocated with, until its fill is timed. A
	// way is known at both ends: a map by line cost an insert and a
	// delete a miss, and kept the entry of a line that left before its
	// fill was timed until that line came back.
	pending []pendingFill
	tr      Translator // a first level's, for a virtual prefetcher
	kind    sim.Kind   // the side its translations are for
	// The access the prefetcher is being told of: Prefetch's context.
	now     sim.Cycle
	trigger uint64 // its physical address
	// vtrigger is its virtual address, for a virtual prefetcher (noVA
	// when unknown): a prefetch in its page needs no TLB.
	vtrigger      uint64
	ip            uint64
	anyPage       bool // the front end's own addresses: no page edge
	core          uint16
	proc          uint32
	req, aboveReq sim.Request
	// acc and fill are what Operate and Fill are given: a composite
	// literal passed to an interface's method would be allocated anew
	// on every access.
	acc      prefetch.Access
	fill     prefetch.Fill
	throttle throttle
	n        pfCounts
}

// noVA marks a virtual trigger address as unknown.
const noVA = ^uint64(0)

// pendingFill is what the Fill of a line still on its way will say.
type pendingFill struct {
	tag     uint64 // the line's tag (line address plus one); invalidTag: none
	va, ip  uint64
	evicted uint64 // the tag of the line it evicted, or invalidTag
	missed  sim.Cycle
}

// newPrefetch builds the level's prefetching state, nil if it needs none.
func newPrefetch(c *Cache) (*pfState, error) {
	cfg := c.cfg.Prefetch
	if !cfg.on() && !cfg.Marks {
		return nil, nil
	}
	p := &pfState{c: c, cfg: cfg, marks: make([]uint8, len(c.lines)), kind: sim.Load}
	if cfg.Where == prefetch.Instruction {
		p.kind = sim.Fetch
	}
	if !cfg.on() {
		return p, nil
	}
	pf, err := prefetch.New(cfg.Name, cfg.where(), prefetch.Config{Level: c.cfg.Name, LineShift: c.lineShift,
		PageShift: cfg.pageShift(), Degree: cfg.Degree, Distance: cfg.Distance, Seed: c.cfg.Seed})
	if err != nil {
		return nil, err
	}
	p.p, p.by, p.own = pf, []*pfState{p}, 1
	p.pending = make([]pendingFill, len(c.lines))
	p.throttle.on = cfg.Throttle
	return p, nil
}

// SetTranslator makes the level's prefetcher work on virtual addresses,
// translated by t: a first level's, in a machine that translates.
func (c *Cache) SetTranslator(t Translator) {
	if c.pf != nil && c.pf.p != nil {
		c.pf.tr = t
	}
}

// Prefetcher returns the level's prefetcher (nil if none), for a front
// end that tells it of branches (prefetch.Brancher).
func (c *Cache) Prefetcher() prefetch.Prefetcher {
	if c.pf == nil {
		return nil
	}
	return c.pf.p
}

// activates reports whether an access of kind k runs the prefetcher: loads,
// stores, fetches, and prefetches from above (a virtual prefetcher sees
// only the core's own accesses, the others having no virtual address).
func (p *pfState) activates(k sim.Kind) bool {
	return p.p != nil && (k <= sim.Store || k == sim.Prefetch && p.tr == nil)
}

// after follows a demand or prefetch access, just done: it counts the
// first uses of prefetched lines among the access's lines, then tells the
// prefetcher. The access has just found or placed its (last) line, so
// wayOfLast finds it without a search of the set; a line the access
// itself evicted is found nowhere, as it should be (placing counted it
// useless if it was marked).
func (p *pfState) after(now sim.Cycle, req *sim.Request) {
	used := false
	if req.Kind != sim.Prefetch && p.marked > 0 {
		first, last := p.c.lineRange(req)
		for ln := range span(first, last) {
			if i := p.c.wayOfLast(ln); i >= 0 && p.marks[i] != 0 {
				used = p.use(i, now) || used
			}
		}
	}
	if !p.activates(req.Kind) {
		return
	}
	addr := req.Addr
	p.vtrigger = noVA
	if p.tr != nil {
		addr, p.vtrigger = req.VA, req.VA
	}
	p.now, p.trigger, p.ip, p.core, p.proc = now, req.Addr, req.IP, req.Core, req.Proc
	p.acc = prefetch.Access{Addr: addr, IP: req.IP, Kind: req.Kind, Hit: !req.Missed, UsedPrefetch: used, Now: now}
	p.p.Operate(&p.acc, p)
}

// use counts the first demand use of the prefetched line in way i, and
// reports whether it was this level's own prefetcher's.
func (p *pfState) use(i int, now sim.Cycle) bool {
	by := p.by[p.marks[i]-1]
	p.marks[i] = 0
	p.marked--
	by.n.Useful++
	by.throttle.used()
	if p.c.lines[i].ready > now {
		by.n.Late++
	}
	if by != p {
		return false
	}
	p.n.UsefulHere++
	return true
}

// placing is told that way i is about to hold line ln for req, missed at
// cycle now, after the line of tag evicted (or invalidTag) left it.
func (p *pfState) placing(now sim.Cycle, i int, ln uint64, req *sim.Request, evicted uint64) {
	if m := p.marks[i]; m != 0 {
		p.by[m-1].n.Useless++ // left (evicted, or invalidated before) unused
		p.marked--
	}
	if p.marks[i] = p.markNext; p.markNext != 0 {
		p.marked++
	}
	if p.p == nil {
		return
	}
	f := &p.pending[i]
	if req.Kind == sim.Writeback || req.Kind == sim.Victim {
		f.tag = invalidTag // its data is here: no fill to tell of
		return
	}
	*f = pendingFill{tag: ln + 1, va: ln << p.c.lineShift, ip: req.IP, evicted: evicted, missed: now}
	if p.tr != nil && req.VA != 0 {
		page := uint64(1)<<p.cfg.pageShift() - 1 // accesses are split at base pages
		f.va = req.VA&^page | (ln<<p.c.lineShift)&page
	}
}

// filled tells the prefetcher of line ln's fill into way i, its arrival
// now known.
func (p *pfState) filled(i int, ln uint64, m *mshr) {
	if p.p == nil {
		return
	}
	f := &p.pending[i]
	if f.tag != ln+1 {
		return
	}
	f.tag = invalidTag
	set := int(ln & p.c.setMask)
	p.now, p.trigger, p.ip, p.vtrigger = m.freeAt, ln<<p.c.lineShift, f.ip, noVA
	p.fill = prefetch.Fill{Addr: f.va, Set: set, Way: i - set*p.c.ways, Prefetch: p.own != 0 && p.marks[i] == p.own,
		IP: f.ip, Missed: f.missed, At: m.freeAt}
	if f.evicted != invalidTag {
		p.fill.Evicts, p.fill.Evicted = true, (f.evicted-1)<<p.c.lineShift
	}
	p.p.Fill(&p.fill, p)
}

// MSHRs says how many of the level's MSHRs are busy at the access's cycle.
func (p *pfState) MSHRs() (busy, size int) {
	c := p.c
	busy, _ = c.busyAt(p.now)
	return min(busy+c.queued.Len(), c.cfg.MSHRs), c.cfg.MSHRs
}

// index returns the mark of lines from's prefetcher brings into this
// level, adding it to by on its first prefetch here.
func (p *pfState) index(from *pfState) uint8 {
	for i, b := range p.by {
		if b == from {
			return uint8(i + 1)
		}
	}
	p.by = append(p.by, from)
	return uint8(len(p.by))
}

// checkPrefetch reports a prefetcher the level cannot have.
func (c Config) checkPrefetch() error {
	p := c.Prefetch
	if !p.on() {
		return nil
	}
	if err := prefetch.Check(p.Name, p.where()); err != nil {
		return fmt.Errorf("%s: %v", c.Name, err)
	}
	if c.Inclusion == Exclusive {
		return fmt.Errorf("%s: an exclusive level holds only what the levels above evict: it cannot prefetch", c.Name)
	}
	return nil
}

func (p PrefetchConfig) where() prefetch.Where {
	if p.Where == 0 {
		return prefetch.Data
	}
	return p.Where
}

func (p PrefetchConfig) pageShift() uint {
	if p.PageShift == 0 {
		return 12
	}
	return p.PageShift
}

// register adds the prefetcher's counters, and its accuracy and coverage,
// to s under the level's name.
func (p *pfState) register(s *sim.Stats) {
	name := p.c.cfg.Name + ".prefetch."
	n := &p.n
	s.Register(name+"requested", &n.Requested, "prefetches the prefetcher asked for", sim.Detail)
	s.Register(name+"issued", &n.Issued, "prefetches sent: each took an MSHR, here or in the level below")
	s.Register(name+"below", &n.Below, "issued prefetches that fill the level below rather than this one", sim.Detail)
	s.Register(name+"redundant", &n.Redundant, "asked for lines already here (or, for one below, there), or on their way", sim.Detail)
	s.Register(name+"dropped", &n.Dropped, "asked for but not sent: no MSHR or queue slot left free by demand, no translation, the page's edge, or the throttle")
	for i, why := range dropNames {
		s.Register(name+"dropped."+why, &n.DroppedBy[i], dropDocs[i], sim.Detail)
	}
	s.Register(name+"useful", &n.Useful, "first demand uses of lines it prefetched, here or below")
	s.Register(name+"useful_here", &n.UsefulHere, "useful prefetches into this level (the misses it removed here)", sim.Detail)
	s.Register(name+"late", &n.Late, "useful prefetches whose data was still on its way (the demand merged with them)")
	s.Register(name+"useless", &n.Useless, "lines it prefetched that left unused (evicted or invalidated)")
	demand := []string{name + "useful_here"}
	for k := range sim.NumKinds {
		if k.IsDemand() {
			demand = append(demand, p.c.cfg.Name+"."+k.String()+".misses")
		}
	}
	s.RegisterDerived(sim.Derived{Name: name + "accuracy", Doc: "useful over issued prefetches",
		Num: []string{name + "useful"}, Den: []string{name + "issued"}})
	s.RegisterDerived(sim.Derived{Name: name + "coverage", Doc: "demand misses it removed here over the misses there would have been (useful_here over useful_here plus demand misses)",
		Num: []string{name + "useful_here"}, Den: demand})
}

var dropDocs = [numDrops]string{
	"prefetches dropped for want of an MSHR left free by demand, here or below",
	"prefetches dropped for want of a place in the prefetch queue below",
	"prefetches dropped for want of a translation in the TLBs (a virtual prefetcher that may not walk)",
	"physical prefetches dropped at the edge of the page of the access that triggered them",
	"prefetches held back by the accuracy throttle",
}

// BranchLookahead is how far ahead of fetch the level's prefetcher wants
// to be told of branches (prefetch.Brancher), 0 if it does not.
func (c *Cache) BranchLookahead() int {
	if c.pf == nil {
		return 0
	}
	if b, ok := c.pf.p.(prefetch.Brancher); ok {
		return b.Lookahead()
	}
	return 0
}

// Branch tells the level's prefetcher, if it follows branches, of a
// branch on the path the front end predicts, at cycle now. Its prefetches
// may go to any page: they are the front end's own addresses.
func (c *Cache) Branch(now sim.Cycle, ip uint64, taken bool, target uint64) {
	p := c.pf
	if p == nil {
		return
	}
	if b, ok := p.p.(prefetch.Brancher); ok {
		p.now, p.trigger, p.ip, p.vtrigger, p.anyPage = now, ip, ip, noVA, true
		b.Branch(ip, taken, target, p)
		p.anyPage = false
	}
}

// accessHooked is Access for a level with a prefetcher or limits: the
// lookup waits for a port, then Access does its work as for a level
// without them (hooked is off meanwhile), then the prefetcher is told.
// Requests go down, so Access is not called again for this level before
// it returns, with one exception: a miss whose fill is timed at once may
// free an MSHR that queued misses wait for, and complete them, and one of
// those may be the first page of an access that straddles two, whose
// second page the memory side then presents here, within this call: that
// second piece is looked up without waiting for a port and not shown to
// the prefetcher. (Making Access a test and a call to its work instead,
// which would take that piece too, cost every access of a machine without
// prefetching 6 instructions: 0.4% of a run.)
func (c *Cache) accessHooked(now sim.Cycle, req *sim.Request) (sim.Cycle, bool) {
	if c.bw != nil {
		now = c.bw.lookup(now, req.Kind)
	}
	c.hooked = false
	done, ok := c.Access(now, req)
	c.hooked = true
	if c.pf != nil && req.Kind != sim.Writeback && req.Kind != sim.Victim {
		c.pf.after(now, req)
	}
	return done, ok
}
