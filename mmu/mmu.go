package mmu

import (
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/tlb"
)

// Config is the translation hardware: first-level instruction and data
// TLBs, a second-level TLB behind both, and the walker. A TLB with no
// entries is left out.
type Config struct {
	ITLB, DTLB, STLB tlb.Config
	Walker           WalkerConfig
	Prefetch         PrefetchConfig
}

// MMU translates virtual addresses: the first-level TLB of the access's
// side, then the second-level TLB, then a page walk.
type MMU struct {
	itlb, dtlb, stlb *tlb.TLB
	iLat, dLat, sLat sim.Cycle // their lookup latencies
	Walker           *Walker
	// memo remembers the last first-level hit of each side (data,
	// fetch) while its TLB's Gen stands still; see tlb.TLB.Gen.
	memo [2]hitMemo
	PCID uint16
	Root uint64 // physical address of the root table (CR3)
	// slowOnly turns the fast path off (tests compare the two).
	slowOnly bool
	pf       *prefetching // prefetch.go; nil without prefetching
	// buffers hold every translation the MMU keeps, so every
	// invalidation reaches each: the TLBs (the first nTLBs, as TLBs
	// gives them), then the prefetch buffer if there is one. Built once,
	// since the kernel's shootdowns invalidate page by page on each core.
	buffers []*tlb.TLB
	nTLBs   int

	n counts
	// byIP, when set, is told every TLB miss and walk (CountByIP).
	byIP     sim.ByIP
	byIPEvts Events
}

// Events are the events the MMU counts by instruction: a miss of each TLB
// (the TLB's own misses) and a walk.
type Events struct {
	ITLBMiss, DTLBMiss, STLBMiss, Walk sim.Event
}

// CountByIP makes the MMU tell b of every TLB miss and every walk, as the
// events ev, at the IP of the translation's access. A nil b stops it.
func (m *MMU) CountByIP(b sim.ByIP, ev Events) { m.byIP, m.byIPEvts = b, ev }

// counts are the MMU's own statistics (each TLB and the walker keep theirs).
type counts struct {
	Translations uint64
	L1Hits       uint64 // answered by the first-level TLB
	L2Hits       uint64 // answered by the second-level TLB
	Walks        uint64 // needed a walk
	Rechecks     uint64 // TLB hits that lacked a right (or the Dirty bit) and walked again
	Faults       uint64 // accesses abandoned after a fault
	WalkCycles   uint64 // cycles from the end of the TLB lookups to the end of walks, fault handling aside
}

// Translation is one address to translate and, once done, its answer.
type Translation struct {
	VA   uint64
	IP   uint64 // the instruction that translates (its walk's reads carry it, and the TLBs' replacement sees it)
	Kind sim.Kind
	User bool
	Done TranslationDone // told when a translation that had to wait ends

	PA      uint64
	Faulted bool  // abandoned: Fault says why
	Fault   Fault // the last fault taken
	Walked  bool  // a page walk was needed
	// FaultCycles is the part of the translation spent in the kernel's
	// fault handler.
	FaultCycles sim.Cycle
	Steps       *[]Step
	Trace       *sim.Trace // the timeline's, for the walk's reads

	m     *MMU
	start sim.Cycle // when the walk began
	q     Query
}

// TranslationDone is told when a pending translation ends.
type TranslationDone interface {
	TranslationDone(t *Translation, at sim.Cycle)
}

// New builds the TLBs; the walker is given, since it needs memory, a port
// and the fault handler.
func New(cfg Config, w *Walker) (*MMU, error) {
	m := &MMU{Walker: w}
	for _, p := range []struct {
		cfg tlb.Config
		dst **tlb.TLB
	}{{cfg.ITLB, &m.itlb}, {cfg.DTLB, &m.dtlb}, {cfg.STLB, &m.stlb}} {
		if p.cfg.Entries == 0 {
			continue
		}
		t, err := tlb.New(p.cfg)
		if err != nil {
			return nil, err
		}
		*p.dst = t
	}
	m.iLat, m.dLat, m.sLat = cfg.ITLB.Latency, cfg.DTLB.Latency, cfg.STLB.Latency
	last := cfg.STLB
	if last.Entries == 0 {
		last = cfg.DTLB
	}
	var err error
	if m.pf, err = newPrefetching(m, cfg.Prefetch, last); err != nil {
		return nil, err
	}
	for _, t := range []*tlb.TLB{m.itlb, m.dtlb, m.stlb} {
		if t != nil {
			m.buffers = append(m.buffers, t)
		}
	}
	m.nTLBs = len(m.buffers)
	if m.pf != nil && m.pf.buf != nil {
		m.buffers = append(m.buffers, m.pf.buf)
	}
	return m, nil
}

// TLBs returns the TLBs that exist: first-level instruction, data, then
// the second level. The slice is the MMU's own: read it, do not change it.
func (m *MMU) TLBs() []*tlb.TLB { return m.buffers[:m.nTLBs:m.nTLBs] }

// Buffers returns every buffer of translations: the TLBs, then the TLB
// prefetcher's buffer if there is one. The slice is the MMU's own: read
// it, do not change it.
func (m *MMU) Buffers() []*tlb.TLB { return m.buffers }

// DTLB is the first-level data TLB (nil if none).
func (m *MMU) DTLB() *tlb.TLB { return m.dtlb }

// ITLB is the first-level instruction TLB (nil if none).
func (m *MMU) ITLB() *tlb.TLB { return m.itlb }

// STLB is the second-level TLB (nil if none).
func (m *MMU) STLB() *tlb.TLB { return m.stlb }

// Register adds the MMU's, the TLBs' and the walker's counters to s.
func (m *MMU) Register(s *sim.Stats) {
	for _, t := range m.TLBs() {
		t.Register(s)
	}
	s.Register("mmu.translations", &m.n.Translations, "addresses translated")
	s.Register("mmu.l1_tlb_hits", &m.n.L1Hits, "translations the first-level TLB answered")
	s.Register("mmu.l2_tlb_hits", &m.n.L2Hits, "translations the second-level TLB answered")
	s.Register("mmu.walks", &m.n.Walks, "translations that needed a walk")
	s.Register("mmu.rechecks", &m.n.Rechecks, "TLB hits that lacked a right (or the Dirty bit) and walked again")
	s.Register("mmu.faults", &m.n.Faults, "accesses abandoned after a fault")
	s.Register("mmu.walk_cycles", &m.n.WalkCycles,
		"cycles from the end of the TLB lookups to the end of walks, fault handling aside", sim.Cycles)
	m.Walker.register(s)
	if m.pf != nil {
		m.pf.register(s)
	}
}

// hitMemo is a first-level TLB hit remembered for the next access to its
// page: valid while its TLB's Gen stands still and the PCID is the same.
type hitMemo struct {
	t       *tlb.TLB
	gen     uint64
	page    uint64 // va >> shift
	shift   uint8
	pcid    uint16
	valid   bool
	storeOK bool      // a store needs no walk (writable, already dirty)
	base    uint64    // physical address of the page
	lat     sim.Cycle // the TLB's latency
}

// remember notes a first-level hit of a user page the access was allowed
// on. A supervisor page is not remembered: the fast path would have to
// check U/S; nor is a hit in a TLB whose replacement policy must see every
// hit.
func (h *hitMemo) remember(t *tlb.TLB, va uint64, pcid uint16, e tlb.Entry, lat sim.Cycle) {
	if !e.User || !t.SkipsRepeats() {
		h.valid = false
		return
	}
	*h = hitMemo{t: t, gen: t.Gen(), page: va >> e.PageShift, shift: e.PageShift, pcid: pcid, valid: true,
		storeOK: e.Writable && e.Dirty, base: e.PFN << e.PageShift, lat: lat}
}

// allows reports whether a cached translation suffices for the access: a
// store needs a writable page whose Dirty bit is already set (else the
// walker must set it), a user access a user page, a fetch an executable one.
func allows(e tlb.Entry, t *Translation) bool {
	switch {
	case t.Kind == sim.Store && !(e.Writable && e.Dirty):
		return false
	case t.User && !e.User:
		return false
	case t.Kind == sim.Fetch && e.NX:
		return false
	}
	return true
}

// Translate translates t.VA at cycle now. It returns the cycle the physical
// address is known and true, or false when a walk must wait (t.Done is told).
//
// Its first step is the fast path: an access to the page of the last
// first-level hit of its side (data or fetch), while that TLB has not
// changed since, costs a few compares and counts as the hit it is.
func (m *MMU) Translate(now sim.Cycle, t *Translation) (sim.Cycle, bool) {
	h := &m.memo[0]
	if t.Kind == sim.Fetch {
		h = &m.memo[1]
	}
	if !h.valid || t.VA>>h.shift != h.page || h.pcid != m.PCID || h.t.Gen() != h.gen ||
		(t.Kind == sim.Store && !h.storeOK) || m.slowOnly {
		return m.lookup(now, t)
	}
	h.t.CountHit()
	m.n.Translations++
	m.n.L1Hits++
	t.PA, t.Faulted, t.Walked, t.FaultCycles = h.base|t.VA&(1<<h.shift-1), false, false, 0
	return now + h.lat, true
}

// lookup translates through the TLBs and, if they miss, a walk.
func (m *MMU) lookup(now sim.Cycle, t *Translation) (sim.Cycle, bool) {
	first, lat, side := m.dtlb, m.dLat, 0
	if t.Kind == sim.Fetch {
		first, lat, side = m.itlb, m.iLat, 1
	}
	t.FaultCycles = 0
	m.n.Translations++
	// A first-level hit touches nothing else (and the next access to its
	// page may take the fast path).
	if first != nil {
		e, ok := first.LookupFor(t.VA, m.PCID, t.IP, t.Kind)
		if !ok && m.byIP != nil {
			ev := m.byIPEvts.DTLBMiss
			if side == 1 {
				ev = m.byIPEvts.ITLBMiss
			}
			m.byIP.Count(t.IP, ev, 1)
		}
		if ok && allows(e, t) {
			if side == 0 || !e.NX {
				m.memo[side].remember(first, t.VA, m.PCID, e, lat)
			}
			m.n.L1Hits++
			t.PA, t.Faulted, t.Walked = e.Translate(t.VA), false, false
			return now + lat, true
		} else if ok {
			m.n.Rechecks++
			return m.walk(now+lat, t)
		}
	}
	at := now + lat
	if m.stlb != nil {
		at += m.sLat
		e, ok := m.stlb.LookupFor(t.VA, m.PCID, t.IP, t.Kind)
		if !ok && m.byIP != nil {
			m.byIP.Count(t.IP, m.byIPEvts.STLBMiss, 1)
		}
		if ok && allows(e, t) {
			m.n.L2Hits++
			if first != nil && first.Holds(uint(e.PageShift)) {
				first.FillFor(e, t.IP, t.Kind)
			}
			t.PA, t.Faulted, t.Walked = e.Translate(t.VA), false, false
			return at, true
		} else if ok {
			m.n.Rechecks++
		}
	}
	if m.pf != nil {
		return m.pf.miss(at, t)
	}
	return m.walk(at, t)
}

// walk starts a page walk at cycle at, after the TLB lookups.
func (m *MMU) walk(at sim.Cycle, t *Translation) (sim.Cycle, bool) {
	m.n.Walks++
	if m.byIP != nil {
		m.byIP.Count(t.IP, m.byIPEvts.Walk, 1)
	}
	t.m, t.Faulted, t.Walked, t.start = m, false, true, at
	t.q = Query{VA: t.VA, IP: t.IP, Trace: t.Trace, Kind: t.Kind, User: t.User, PCID: m.PCID, Root: m.Root, Done: t, Steps: t.Steps}
	done, ok := m.Walker.Walk(at, &t.q)
	if !ok {
		return 0, false
	}
	m.walked(t, done)
	return done, true
}

// WalkDone is called when a walk that had to wait ends.
func (t *Translation) WalkDone(_ *Query, at sim.Cycle) {
	t.m.walked(t, at)
	if t.Done != nil {
		t.Done.TranslationDone(t, at)
	}
}

// walked fills the TLBs from a finished walk.
func (m *MMU) walked(t *Translation, at sim.Cycle) {
	q := &t.q
	t.FaultCycles = q.FaultCycles
	m.n.WalkCycles += uint64(at - t.start - q.FaultCycles)
	if q.Faulted {
		t.Faulted, t.Fault = true, q.Fault
		m.n.Faults++
		return
	}
	t.PA = q.PA
	m.fill(m.entryOf(q), t.IP, t.Kind)
}

// entryOf is the TLB entry a finished walk gives.
func (m *MMU) entryOf(q *Query) tlb.Entry {
	return tlb.Entry{
		VPN: q.VA >> q.Shift, PFN: q.PA >> q.Shift, PageShift: uint8(q.Shift), PCID: m.PCID,
		Global: q.Leaf&Global != 0, Writable: q.Write, User: q.UserOK, NX: !q.Exec, Dirty: q.Leaf&Dirty != 0,
	}
}

// fill puts e in the first-level TLB of kind's side and the second-level
// TLB, where they hold its page size.
func (m *MMU) fill(e tlb.Entry, ip uint64, kind sim.Kind) {
	first := m.dtlb
	if kind == sim.Fetch {
		first = m.itlb
	}
	for _, tl := range []*tlb.TLB{first, m.stlb} {
		if tl != nil && tl.Holds(uint(e.PageShift)) {
			tl.FillFor(e, ip, kind)
		}
	}
}

// InvalidatePage is INVLPG: the page of va under the current PCID, its
// global entries, and every page-walk-cache entry of the current PCID
// (Intel SDM Vol. 3A §4.10.4.1).
func (m *MMU) InvalidatePage(va uint64) { m.InvalidatePageFor(va, m.PCID) }

// InvalidatePageFor is INVLPG as the kernel does it for another address
// space: the page under pcid, its global entries, and pcid's page-walk-cache
// entries.
func (m *MMU) InvalidatePageFor(va uint64, pcid uint16) {
	for _, t := range m.buffers {
		t.InvalidatePage(va, pcid)
	}
	m.Walker.InvalidatePWC(pcid, false)
}

// InvalidatePCID drops a PCID's non-global translations and its page-walk
// cache entries (INVPCID single-context).
func (m *MMU) InvalidatePCID(pcid uint16) {
	for _, t := range m.buffers {
		t.InvalidatePCID(pcid)
	}
	m.Walker.InvalidatePWC(pcid, false)
}

// InvalidateAll drops every translation (keeping global ones if asked) and
// the page-walk caches (INVPCID all-context).
func (m *MMU) InvalidateAll(keepGlobal bool) {
	for _, t := range m.buffers {
		t.InvalidateAll(keepGlobal)
	}
	m.Walker.InvalidatePWC(0, true)
}
