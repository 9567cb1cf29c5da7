package mmu

import (
	"github.com/vmemu/vmemu/prefetch"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/tlb"
)

// PrefetchConfig is the MMU's share of prefetching: a TLB prefetcher with
// its prefetch buffer beside the last TLB level, and whether the caches'
// prefetchers may walk for a translation their TLBs lack.
type PrefetchConfig struct {
	// Name is a prefetcher registered for prefetch.TLB, or "" or "none".
	Name string
	// Buffer is the prefetch buffer's entries (fully associative, FIFO);
	// it holds the page sizes of the last TLB level.
	Buffer int
	Degree int // 0: the prefetcher's own default
	// CacheWalks says a cache's prefetcher may walk (its walks are
	// counted with the prefetch walks).
	CacheWalks bool
}

func (c PrefetchConfig) on() bool { return c.Name != "" && c.Name != prefetch.None }

// prefetching is the MMU's prefetch state: the TLB prefetcher (nil
// without), its buffer, and the walks prefetches have in flight.
type prefetching struct {
	m     *MMU
	p     prefetch.Prefetcher
	buf   *tlb.TLB
	ready []sim.Cycle // by the buffer's way: when its translation arrived
	walks []*pfWalk   // in flight
	spare []*pfWalk
	// The miss the prefetcher is told of: Prefetch's context.
	now  sim.Cycle
	ip   uint64
	user bool
	acc  prefetch.Access // what Operate is given (not a literal: it would escape)
	n    pfCounts
}

// pfCounts are the TLB prefetcher's statistics.
type pfCounts struct {
	Requested, Issued, Redundant, Dropped, Unmapped, Unheld uint64
	Useful, Late, Useless                                   uint64
}

// pfWalk is one prefetch walk in flight: for the prefetch buffer (a TLB
// prefetch) or for the TLBs (a cache prefetcher's translation).
type pfWalk struct {
	p        *prefetching
	q        Query
	page     uint64 // va >> the base page shift
	toBuffer bool
	kind     sim.Kind
	// waiters are the demand translations that missed every TLB while
	// this walk was on its way, and wait for its answer (late prefetches).
	waiters []*Translation
}

// newPrefetching builds the MMU's prefetch state, nil if it needs none.
func newPrefetching(m *MMU, c PrefetchConfig, last tlb.Config) (*prefetching, error) {
	if !c.on() && !c.CacheWalks {
		return nil, nil
	}
	p := &prefetching{m: m}
	if !c.on() {
		return p, nil
	}
	shift := m.Walker.geo.PageShift
	pf, err := prefetch.New(c.Name, prefetch.TLB, prefetch.Config{Level: "stlb", LineShift: shift, PageShift: shift, Degree: c.Degree})
	if err != nil {
		return nil, err
	}
	bc := tlb.Config{Name: "stlb_prefetch_buffer", Entries: c.Buffer, Ways: c.Buffer, PageShifts: last.PageShifts,
		Replacement: "fifo"}
	if len(bc.PageShifts) == 0 {
		bc.PageShifts = []uint{shift}
	}
	if p.buf, err = tlb.New(bc); err != nil {
		return nil, err
	}
	p.p, p.ready = pf, make([]sim.Cycle, c.Buffer)
	return p, nil
}

// register adds the prefetch counters to s: the TLB prefetcher's, and the
// walker's prefetch walks.
func (p *prefetching) register(s *sim.Stats) {
	w := &p.m.Walker.n
	s.Register("walker.prefetch_walks", &w.PrefetchWalks, "walks a prefetcher started (the TLB's, or a cache's for a translation), apart from walker.walks")
	s.Register("walker.prefetch_reads", &w.PrefetchReads, "page-table entries prefetch walks read, apart from walker.reads", sim.Detail)
	if p.p == nil {
		return
	}
	const name = "stlb.prefetch."
	n := &p.n
	s.Register(name+"requested", &n.Requested, "pages the TLB prefetcher asked for", sim.Detail)
	s.Register(name+"issued", &n.Issued, "prefetch walks started for the prefetch buffer")
	s.Register(name+"redundant", &n.Redundant, "asked for pages the TLBs or the buffer hold, or being walked", sim.Detail)
	s.Register(name+"dropped", &n.Dropped, "asked for but not walked: every walker busy (demand's come first)")
	s.Register(name+"unmapped", &n.Unmapped, "prefetch walks that found the page not mapped (no fault is taken)", sim.Detail)
	s.Register(name+"unheld", &n.Unheld, "prefetch walks that found a page of a size the buffer does not hold (those of the last TLB): the translation is dropped", sim.Detail)
	s.Register(name+"useful", &n.Useful, "misses of the last TLB that the prefetch buffer, or a prefetch walk on its way, answered: demand walks it removed")
	s.Register(name+"late", &n.Late, "useful prefetches whose walk was still on its way (the demand waited for it)")
	s.Register(name+"useless", &n.Useless, "prefetched translations pushed out of the buffer unused")
	s.RegisterDerived(sim.Derived{Name: name + "accuracy", Doc: "useful over issued TLB prefetches",
		Num: []string{name + "useful"}, Den: []string{name + "issued"}})
	s.RegisterDerived(sim.Derived{Name: name + "coverage", Doc: "demand walks it removed over the walks there would have been (useful over useful plus mmu.walks)",
		Num: []string{name + "useful"}, Den: []string{name + "useful", "mmu.walks"}})
}

// miss handles a miss of every TLB: the prefetch buffer may answer it, or
// a prefetch walk on its way to the page (the demand waits for it: a late
// prefetch); if not, the demand walk starts, then the prefetcher is told
// (so that its walks take only walkers demand left free).
func (p *prefetching) miss(at sim.Cycle, t *Translation) (sim.Cycle, bool) {
	m := p.m
	if w := p.inFlight(t.VA); w != nil && t.Done != nil {
		w.waiters = append(w.waiters, t)
		if p.p != nil {
			p.operate(at, t, true)
		}
		return 0, false
	}
	if p.p == nil {
		return m.walk(at, t)
	}
	if s, ok := p.buf.Probe(t.VA, m.PCID); ok && allows(s.Entry, t) {
		p.n.Useful++
		if r := p.ready[s.Way]; r > at {
			p.n.Late++
			at = r
		}
		e := s.Entry
		p.buf.InvalidatePage(t.VA, m.PCID)
		m.fill(e, t.IP, t.Kind)
		t.PA, t.Faulted, t.Walked = e.Translate(t.VA), false, false
		p.operate(at, t, true)
		return at, true
	}
	done, ok := m.walk(at, t)
	p.operate(at, t, false)
	return done, ok
}

// operate tells the prefetcher of a miss at cycle at.
func (p *prefetching) operate(at sim.Cycle, t *Translation, used bool) {
	p.now, p.ip, p.user = at, t.IP, t.User
	p.acc = prefetch.Access{Addr: t.VA, IP: t.IP, Kind: t.Kind, UsedPrefetch: used, Now: at}
	p.p.Operate(&p.acc, p)
}

// Prefetch starts a walk for the page of va, into the prefetch buffer.
func (p *prefetching) Prefetch(va uint64, _ bool) bool {
	p.n.Requested++
	if p.holds(va) {
		p.n.Redundant++
		return false
	}
	if !p.m.Walker.idle() {
		p.n.Dropped++
		return false
	}
	p.n.Issued++
	p.start(p.now, va, sim.Load, p.user, true)
	return true
}

// MSHRs says how many walkers are busy, of how many.
func (p *prefetching) MSHRs() (busy, size int) { return p.m.Walker.busy, p.m.Walker.max }

// holds reports whether a translation of va is in the TLBs or the buffer,
// or on its way.
func (p *prefetching) holds(va uint64) bool {
	m := p.m
	for _, t := range []*tlb.TLB{m.stlb, m.dtlb, p.buf} {
		if t != nil {
			if _, ok := t.Probe(va, m.PCID); ok {
				return true
			}
		}
	}
	return p.inFlight(va) != nil
}

// inFlight returns the prefetch walk on its way to the page of va, if one is.
func (p *prefetching) inFlight(va uint64) *pfWalk {
	page := va >> p.m.Walker.geo.PageShift
	for _, w := range p.walks {
		if w.page == page && w.q.PCID == p.m.PCID {
			return w
		}
	}
	return nil
}

// start begins a prefetch walk for va at cycle now, and returns it when
// it ended at once (else nil: it ends through WalkDone).
func (p *prefetching) start(now sim.Cycle, va uint64, kind sim.Kind, user, toBuffer bool) (*pfWalk, sim.Cycle) {
	var w *pfWalk
	if n := len(p.spare); n > 0 {
		w, p.spare = p.spare[n-1], p.spare[:n-1]
	} else {
		w = &pfWalk{p: p}
	}
	m := p.m
	w.page, w.toBuffer, w.kind = va>>m.Walker.geo.PageShift, toBuffer, kind
	w.q = Query{VA: va, IP: p.ip, Kind: sim.Load, User: user, PCID: m.PCID, Root: m.Root, Done: w, Prefetch: true}
	p.walks = append(p.walks, w)
	done, ok := m.Walker.Walk(now, &w.q)
	if !ok {
		return nil, 0
	}
	p.walked(w, done)
	return w, done
}

// WalkDone ends a prefetch walk that had to wait.
func (w *pfWalk) WalkDone(_ *Query, at sim.Cycle) { w.p.walked(w, at) }

// walked puts a finished prefetch walk's translation where it was for.
func (p *prefetching) walked(w *pfWalk, at sim.Cycle) {
	for i, x := range p.walks {
		if x == w {
			p.walks = append(p.walks[:i], p.walks[i+1:]...)
			break
		}
	}
	p.spare = append(p.spare, w)
	q := &w.q
	if q.Faulted && w.toBuffer {
		p.n.Unmapped++
	}
	var e tlb.Entry
	if !q.Faulted {
		e = p.m.entryOf(q)
	}
	waiters := w.waiters
	w.waiters = w.waiters[:0]
	used := false
	for _, t := range waiters {
		used = used || !q.Faulted && allows(e, t)
	}
	switch {
	case q.Faulted:
	case !w.toBuffer || used:
		p.m.fill(e, q.IP, w.kind) // used: where the demand's walk would have put it
	case !p.buf.Holds(uint(e.PageShift)):
		p.n.Unheld++
	default:
		if _, evicted := p.buf.Insert(e); evicted {
			p.n.Useless++
		}
		if s, ok := p.buf.Probe(q.VA, e.PCID); ok {
			p.ready[s.Way] = at
		}
	}
	p.answer(waiters, e, !q.Faulted, at)
}

// answer ends the demand translations that waited for a prefetch walk
// ending at cycle at with entry e (if ok): those e allows are done (late
// prefetches, useful), the others walk on their own now.
func (p *prefetching) answer(waiters []*Translation, e tlb.Entry, ok bool, at sim.Cycle) {
	for _, t := range waiters {
		if ok && allows(e, t) {
			if p.p != nil {
				p.n.Useful++
				p.n.Late++
			}
			t.PA, t.Faulted, t.Walked, t.FaultCycles = e.Translate(t.VA), false, false, 0
			t.Done.TranslationDone(t, at)
			continue
		}
		if done, ok := p.m.walk(at, t); ok {
			t.Done.TranslationDone(t, done)
		}
	}
}

// TranslatePrefetch translates va for a cache's prefetcher (see
// cache.Translator): from the first-level TLB of its side or the
// second-level TLB, changing neither; failing that, with walk, a prefetch
// walk that fills the TLBs, whose answer counts only if it ended at once.
func (m *MMU) TranslatePrefetch(now sim.Cycle, va uint64, kind sim.Kind, walk bool) (uint64, sim.Cycle, bool) {
	first, lat := m.dtlb, m.dLat
	if kind == sim.Fetch {
		first, lat = m.itlb, m.iLat
	}
	if first != nil {
		if s, ok := first.Probe(va, m.PCID); ok {
			return s.Entry.Translate(va), now + lat, true
		}
	}
	if m.stlb != nil {
		if s, ok := m.stlb.Probe(va, m.PCID); ok {
			return s.Entry.Translate(va), now + lat + m.sLat, true
		}
	}
	p := m.pf
	if !walk || p == nil || !m.Walker.idle() || p.holds(va) {
		return 0, 0, false
	}
	p.ip = 0
	w, done := p.start(now+lat+m.sLat, va, kind, true, false)
	if w == nil || w.q.Faulted {
		return 0, 0, false
	}
	return w.q.PA, done, true
}
