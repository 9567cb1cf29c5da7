package prefetch

import "github.com/vmemu/vmemu/sim"

// Access is one access a prefetcher's level saw, as ChampSim's
// prefetcher_cache_operate sees it. A TLB prefetcher sees each miss of the
// last TLB level the same way, the address being the virtual one missed.
type Access struct {
	// Addr is the byte address: virtual at a first cache level of a
	// machine that translates (and at a TLB), physical below.
	Addr uint64
	IP   uint64   // the instruction behind it; 0 when none is known
	Kind sim.Kind // fetch, load, store, pte_read, pte_write, or prefetch (one from the level above)
	// Hit says every line of the access was there (a line still on its
	// way counts: see sim.Request.Merged).
	Hit bool
	// UsedPrefetch says the access is the first demand use of a line (or
	// translation) this prefetcher brought (ChampSim's useful_prefetch).
	UsedPrefetch bool
	Now          sim.Cycle // when the level looked the access up
}

// Fill is one line placed in the level, told when its arrival is known,
// as ChampSim's prefetcher_cache_fill sees it. A TLB prefetcher is told of
// nothing here (a prefetched translation enters its buffer whole).
type Fill struct {
	// Addr is the line's first byte: virtual where Access.Addr is (when
	// the miss had one), physical below.
	Addr     uint64
	Set, Way int
	Prefetch bool // this prefetcher brought it
	// Evicts says the fill replaced a valid line, whose first byte (as
	// Addr counts it, physical where the evicted line's virtual address
	// is unknown) is Evicted.
	Evicts  bool
	Evicted uint64
	// IP is the instruction whose miss (or prefetch) brought the line.
	IP uint64
	// Missed is when the level looked up the miss (or issued the
	// prefetch) that brings the line, At when its data arrives: the fill's
	// latency is At - Missed.
	Missed, At sim.Cycle
}

// Issuer is what a prefetcher may ask of its level, from within Operate,
// Fill or Branch only.
type Issuer interface {
	// Prefetch asks for the line (or page) of addr, an address as
	// Access.Addr gives them, to be brought into this level (here) or the
	// one below (the level's prefetch_fill key may send every prefetch
	// below). It reports whether the prefetch was sent: the level drops one
	// for a line it holds or is already fetching, for want of an MSHR or a
	// queue slot that demand leaves free, for a translation the TLBs lack,
	// at the page's edge (a physical address), or by its throttle; each
	// counted.
	Prefetch(addr uint64, here bool) bool
	// MSHRs says how many of the level's MSHRs (a TLB's page walkers) are
	// busy now, of how many (ChampSim's get_occupancy and get_size).
	MSHRs() (busy, size int)
}

// Prefetcher is one prefetcher's state, for one cache level or TLB.
type Prefetcher interface {
	// Operate is told of every access to the level but write-backs:
	// loads, stores and fetches, page-table reads, and prefetches from
	// the level above. At a TLB, of every miss of the last TLB.
	Operate(a *Access, l Issuer)
	// Fill is told of every line a miss brings into the level, once its
	// arrival is known.
	Fill(f *Fill, l Issuer)
}

// Brancher is a prefetcher that also sees the branches of the path the
// front end predicts, ahead of fetch (ChampSim's
// prefetcher_branch_operate): a fetch-directed instruction prefetcher.
type Brancher interface {
	// Lookahead is how many instructions ahead of fetch the branches are
	// to be told.
	Lookahead() int
	// Branch is told of each branch on the predicted path: its address,
	// whether it is taken, and the next instruction's address.
	Branch(ip uint64, taken bool, target uint64, l Issuer)
}

// Where says which structures a prefetcher is made for.
type Where uint8

const (
	Data        Where = 1 << iota // a cache level's data (any level; a first one sees virtual addresses)
	Instruction                   // the first level's instruction side
	TLB                           // the prefetch buffer beside the last TLB
)

// Config is what a prefetcher is built for.
type Config struct {
	Level string // the level's or TLB's name (for errors and random streams)
	// LineShift is log2 of the unit it prefetches: the line size, or the
	// page size for a TLB.
	LineShift uint
	// PageShift is log2 of the page a physical prefetch may not leave
	// (12: 4 KiB), which page-local tables (stream, SPP, Berti) index by.
	PageShift uint
	// Degree and Distance are the prefetch_degree and prefetch_distance
	// keys: 0 means the prefetcher's own default (its paper's).
	Degree, Distance int
	Seed             uint64
}
