package mmu

import "github.com/vmemu/vmemu/sim"

// Query is one translation asked of the walker, and, once done, its answer.
type Query struct {
	VA   uint64
	IP   uint64   // the instruction that walks: its reads carry it
	Kind sim.Kind // Fetch, Load or Store
	User bool
	PCID uint16
	Root uint64 // physical address of the root table (CR3)
	// Done is told when a walk that could not finish at once is over.
	Done WalkDone
	// Steps, when not nil, receives every entry the walk read.
	Steps *[]Step
	// Trace, when set, goes with the walk's reads (the timeline).
	Trace *sim.Trace
	// Prefetch marks a prefetcher's walk: it never faults (a page not
	// mapped ends it, Faulted), no demand walk joins it, and it is
	// counted apart (prefetch.go).
	Prefetch bool

	// The answer.
	PA    uint64
	Leaf  PTE
	Shift uint // log2 of the size of the page mapped
	// Write, UserOK and Exec are the rights every level of the path grants.
	Write, UserOK, Exec bool
	Faulted             bool  // the access was abandoned: the OS did not mend Fault
	Fault               Fault // the last fault taken, if any
	Faults              int   // faults taken (and mended) on the way
	// FaultCycles is the time the walk spent in the fault handler.
	FaultCycles sim.Cycle
}

// Step is one entry read by a walk, for explanations.
type Step struct {
	Level     int
	Index     uint64
	EntryAddr uint64
	Entry     PTE
	Served    sim.Level // the level that supplied it (sim.Request.Served)
}

// WalkDone is told when a pending walk ends.
type WalkDone interface {
	WalkDone(q *Query, at sim.Cycle)
}

// WalkerConfig is the walker's geometry and resources.
type WalkerConfig struct {
	Geometry Geometry
	// Walks is the number of walks that may be in flight at once; more wait.
	Walks int
	// PWCEntries gives the size of the page-walk cache of each upper level
	// (index = level; 0 or missing = none). x86-64: [2] PDE, [3] PDPTE, [4]
	// PML4E.
	PWCEntries []int
	// Depths names what supplies an entry at each depth below the core
	// (the cache levels, then memory), for counting reads by the depth
	// that served them; none counts them all as one, "any".
	Depths []string
}

// Walker walks radix page tables that live in memory. Every entry it reads
// is a PTERead access through the cache hierarchy (port), and the value read
// comes from mem; it sets the Accessed bit, and the Dirty bit on a write, in
// memory, as the hardware does (SDM Vol. 3A §4.8).
type Walker struct {
	geo  Geometry
	mem  Memory
	port sim.Port
	os   FaultHandler
	pwc  []*PageWalkCache // by level; nil where there is none
	max  int
	pool []*walk
	// pages mirrors pool: the page of each active walk, noPage for a free
	// one, so that merging and taking scan one compact row instead of
	// following a pointer per walk.
	pages []uint64
	// onBucket counts the active walks by page modulo its length, so that
	// most queries learn without a scan that no walk can merge them.
	onBucket [pageBuckets]int32
	// free is a lower bound on the index of the first free walk: every
	// walk below it is active, so take need not look there.
	free  int
	queue sim.Queue[*walk] // walks waiting for a walker, oldest first
	busy  int
	post  sim.Request
	// depths names the depths of n.ReadsAt.
	depths []string

	n walkerCounts
}

// walkerCounts are the walker's statistics.
type walkerCounts struct {
	Walks    uint64   // walks started
	Merged   uint64   // queries that joined a walk in flight to the same page
	Reads    uint64   // entries read
	ReadsAt  []uint64 // entries read, by the depth of the level that supplied them (WalkerConfig.Depths)
	ADWrites uint64   // entries written to set Accessed or Dirty
	Cycles   uint64   // sum of walk latencies
	FaultsBy [OutOfRange + 1]uint64
	Waited   uint64 // walks that waited for a free walker
	// A prefetcher's walks and the entries they read, apart from the above.
	PrefetchWalks, PrefetchReads uint64
}

// NewWalker builds a walker reading entries from mem and timing the reads
// through port. os may be nil (every fault abandons the access).
func NewWalker(cfg WalkerConfig, mem Memory, port sim.Port, os FaultHandler) (*Walker, error) {
	if err := cfg.Geometry.Validate(); err != nil {
		return nil, err
	}
	w := &Walker{geo: cfg.Geometry, mem: mem, port: port, os: os, max: max(cfg.Walks, 1)}
	w.depths = cfg.Depths
	if len(w.depths) == 0 {
		w.depths = []string{"any"}
	}
	w.n.ReadsAt = make([]uint64, len(w.depths))
	w.pwc = make([]*PageWalkCache, cfg.Geometry.Levels+1)
	for l, n := range cfg.PWCEntries {
		if n > 0 && l >= 2 && l <= cfg.Geometry.Levels {
			w.pwc[l] = NewPageWalkCache(l, n)
		}
	}
	return w, nil
}

// register adds the walker's and its page-walk caches' counters to s: the
// first three as they always were, the rest as details.
func (w *Walker) register(s *sim.Stats) {
	s.Register("walker.reads", &w.n.Reads, "page-table entries read")
	s.Register("walker.merged", &w.n.Merged, "translations that joined a walk in flight to the same page")
	s.Register("walker.ad_writes", &w.n.ADWrites, "entries written to set the Accessed or Dirty bit")
	s.Register("walker.walks", &w.n.Walks, "walks started", sim.Detail)
	s.Register("walker.waited", &w.n.Waited, "walks that waited for a free walker", sim.Detail)
	s.Register("walker.cycles", &w.n.Cycles, "walk latencies, start to end, summed", sim.Cycles, sim.Detail)
	for d, name := range w.depths {
		s.Register("walker.reads_at."+name, &w.n.ReadsAt[d], "entries read that "+name+" supplied", sim.Detail)
	}
	for c := range w.n.FaultsBy {
		cause := Cause(c)
		s.Register("walker.faults."+cause.Key(), &w.n.FaultsBy[c], "faults walks took: "+cause.String(), sim.Detail)
	}
	for _, c := range w.pwc {
		if c != nil {
			name := PWCName(c.Level)
			s.Register("pwc."+name+".hits", &c.n.hits, "walks that found their "+name+" here (and skipped the levels above it)", sim.Detail)
			s.Register("pwc."+name+".misses", &c.n.misses, "walks that looked for their "+name+" here and did not find it", sim.Detail)
		}
	}
}

// PWC returns the page-walk cache of a level, or nil.
func (w *Walker) PWC(level int) *PageWalkCache {
	if level < len(w.pwc) {
		return w.pwc[level]
	}
	return nil
}

// InvalidatePWC drops the page-walk-cache entries of a PCID (INVLPG, INVPCID
// single-context) or, with all, every entry.
func (w *Walker) InvalidatePWC(pcid uint16, all bool) {
	for _, c := range w.pwc {
		if c == nil {
			continue
		}
		if all {
			c.InvalidateAll()
		} else {
			c.InvalidatePCID(pcid)
		}
	}
}

// Walk translates q.VA at cycle now. If the walk ends without waiting (for
// a fill the level below could not time, or for a free walker), it returns
// the cycle it ends and true; otherwise false, and q.Done is told later.
func (w *Walker) Walk(now sim.Cycle, q *Query) (sim.Cycle, bool) {
	page := q.VA >> w.geo.PageShift
	if q.Done != nil && w.busy+w.queue.Len() > 0 && !q.Prefetch {
		if wk := w.inFlight(page, q); wk != nil {
			w.n.Merged++
			wk.waiters = append(wk.waiters, q)
			return 0, false
		}
	}
	wk := w.take(page)
	wk.q, wk.faults, wk.suspended = q, 0, false
	wk.start = now
	q.Faulted, q.Faults, q.FaultCycles = false, 0, 0
	if q.Prefetch {
		w.n.PrefetchWalks++
	} else {
		w.n.Walks++
	}
	if w.busy >= w.max {
		w.n.Waited++
		wk.suspended = true
		w.queue.Push(wk)
		return 0, false
	}
	w.busy++
	wk.begin(now)
	if wk.active {
		return 0, false
	}
	return wk.t, true
}

// idle reports whether a walk started now would find a walker free, with
// no walk waiting for one: a prefetch walk takes only what demand leaves.
func (w *Walker) idle() bool { return w.busy < w.max && w.queue.Len() == 0 }

// pageBuckets is the length of Walker.onBucket: with a few dozen walks in
// flight, most buckets are empty.
const pageBuckets = 1024

// noPage marks a free walk in Walker.pages; no page number is this large,
// since a page shift is at least 1.
const noPage = ^uint64(0)

// inFlight returns the first active walk, in pool order, that q may join:
// one to the same page with the same PCID, kind and privilege.
func (w *Walker) inFlight(page uint64, q *Query) *walk {
	if w.onBucket[page%pageBuckets] == 0 {
		return nil
	}
	for i, p := range w.pages {
		if p != page {
			continue
		}
		if wk := w.pool[i]; wk.q.PCID == q.PCID && wk.q.Kind == q.Kind && wk.q.User == q.User && !wk.q.Prefetch {
			return wk
		}
	}
	return nil
}

// take returns the first free walk in pool order (a new one if none is),
// now active on page.
func (w *Walker) take(page uint64) *walk {
	i := w.free
	for i < len(w.pages) && w.pages[i] != noPage {
		i++
	}
	if i == len(w.pool) {
		wk := &walk{w: w, idx: i}
		wk.req.Done = wk
		w.pool = append(w.pool, wk)
		w.pages = append(w.pages, noPage)
	}
	wk := w.pool[i]
	wk.active = true
	wk.gen++
	w.pages[i], w.free = page, i+1
	w.onBucket[page%pageBuckets]++
	return wk
}

// finished is called when a walk ends at cycle at.
func (w *Walker) finished(wk *walk, at sim.Cycle) {
	w.busy--
	if !wk.q.Prefetch {
		w.n.Cycles += uint64(at - wk.start)
	}
	wk.active = false
	w.onBucket[w.pages[wk.idx]%pageBuckets]--
	w.pages[wk.idx] = noPage
	w.free = min(w.free, wk.idx)
	q := wk.q
	if wk.suspended && q.Done != nil {
		q.Done.WalkDone(q, at)
	}
	for _, o := range wk.waiters {
		off := uint64(1)<<q.Shift - 1
		o.PA = q.PA&^off | o.VA&off
		o.Leaf, o.Shift, o.Faulted, o.Fault, o.Faults = q.Leaf, q.Shift, q.Faulted, q.Fault, 0
		o.Write, o.UserOK, o.Exec = q.Write, q.UserOK, q.Exec
		o.Done.WalkDone(o, at)
	}
	wk.waiters = wk.waiters[:0]
	if w.queue.Len() > 0 {
		next := w.queue.Pop()
		w.busy++
		next.begin(at)
	}
}
