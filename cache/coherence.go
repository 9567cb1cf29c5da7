package cache

import (
	"fmt"

	"github.com/vmemu/vmemu/sim"
)

// Coherence is the timing of a directory's messages, in core cycles. The
// network between the cores and the shared level is these fixed latencies:
// no links, no contention.
type Coherence struct {
	// Lookup is added to every request the directory answers, beyond the
	// shared level's own lookup (0 when the directory is read with the
	// shared level's tags, as in gem5's MESI_Two_Level, whose L2 entry
	// holds the sharers and the owner).
	Lookup sim.Cycle
	// Transfer is a request forwarded to the core that owns the line (E or
	// M) and the line's data from there to the requester: what a read or
	// write of a line another core owns costs beyond the shared level's
	// lookup.
	Transfer sim.Cycle
	// Invalidate is the round trip of an invalidation to a sharer's core
	// and its acknowledgment back to the directory.
	Invalidate sim.Cycle
	// Serial sends the invalidations of one request one after another (a
	// round trip per sharer); otherwise they fan out at once and the
	// request waits for one round trip, whatever the number of sharers.
	Serial bool
}

// Directory is the MESI directory kept beside a shared level (Share): for
// each of its lines, the cores whose private levels hold it (a bit per
// core) and the core that holds it Exclusive or Modified. It is inclusive
// of the private levels: a line a core holds is in the shared level, whose
// eviction of it invalidates every copy above (directory_evictions).
type Directory struct {
	shared *Cache
	cfg    Coherence
	cores  [][]*Cache // each core's private levels
	// Per way of the shared level: the sharers and the owner, zero when
	// empty, so that a new directory, fresh zeroed memory, is all empty.
	entries dirEntries

	n         coherenceCounts
	evictions uint64
	byCore    []coherenceCounts

	held    []privateCopy   // the copies of a line gather found, for one request
	leaving [][]leavingCopy // per core
}

// privateCopy is a line's copy in way way of private level l.
type privateCopy struct {
	l   *Cache
	way int
}

// coherenceCounts are the directory's counts, in total and by core.
type coherenceCounts struct {
	Invalidations uint64 // private copies invalidated for another core's write
	Upgrades      uint64 // stores that found their line Shared and asked for it
	Transfers     uint64 // requests whose line came from another core's copy
	Writebacks    uint64 // Modified copies written back when another core read them
	BackInvals    uint64 // private copies invalidated by the shared level's evictions
}

// member is what a private level of a coherent hierarchy keeps: its core,
// the directory, how far its requests travel to it, and each way's grant
// from the directory (coherence_grants.go).
type member struct {
	dir    *Directory
	core   int
	toDir  sim.Cycle // this level's lookup, the private levels' below and the shared level's
	grants []grant   // per way
}

// Share makes shared the level where the private hierarchies of cores meet
// and keeps a MESI directory beside it; cores[k] lists core k's private
// levels, each already connected on a path down to shared (Connect). The
// levels that were connected to shared send their requests through the
// directory from then on (it is a sim.Port in front of shared), each
// marked with its core; anything else that presents requests to the
// shared level (the kernel's traffic, a page walker that starts there)
// must present them to the directory too, or they bypass coherence. With
// fewer than two cores there is nothing to keep coherent: Share returns
// nil and changes nothing. Call it before the first access.
//
// Every level involved must be write-back and write-allocate (M is a
// dirty line; a store that misses must fetch its line to own it), with
// one line size; the shared level cannot be exclusive, since the
// directory lives in its tags.
func Share(shared *Cache, cores [][]*Cache, cfg Coherence) (*Directory, error) {
	if len(cores) < 2 {
		return nil, nil
	}
	if len(cores) > sim.MaxCores {
		return nil, errorf("%s: %d cores share it; a directory tracks at most %d", shared.cfg.Name, len(cores), sim.MaxCores)
	}
	if err := coherable(shared); err != nil {
		return nil, err
	}
	if shared.cfg.Inclusion == Exclusive {
		return nil, errorf("%s: an exclusive level cannot keep the directory of the levels above it", shared.cfg.Name)
	}
	d := &Directory{
		shared: shared, cfg: cfg, cores: cores,
		entries: newDirEntries(shared, len(cores)),
		byCore:  make([]coherenceCounts, len(cores)),
		leaving: make([][]leavingCopy, len(cores)),
	}
	most := 0
	for k, levels := range cores {
		for _, l := range levels {
			if err := d.join(l, k); err != nil {
				return nil, err
			}
		}
		most = max(most, len(levels))
		d.leaving[k] = make([]leavingCopy, 0, len(levels))
	}
	d.held = make([]privateCopy, 0, most)
	shared.dir, shared.coherent = d, true
	if d.entries.packed != nil {
		shared.tagBits = 1<<packShift - 1 // the bits above keep the entries
	}
	return d, nil
}

// join makes l a private level of core k.
func (d *Directory) join(l *Cache, k int) error {
	shared := d.shared
	switch {
	case l == shared || l.dir != nil:
		return errorf("%s: a shared level cannot also be a core's private level", l.cfg.Name)
	case l.coh != nil:
		return errorf("%s: listed as a private level of cores %d and %d", l.cfg.Name, l.coh.core, k)
	case l.cfg.LineSize != shared.cfg.LineSize:
		return errorf("%s: line size %d B differs from %s's %d B; coherence needs one line size",
			l.cfg.Name, l.cfg.LineSize, shared.cfg.Name, shared.cfg.LineSize)
	}
	if err := coherable(l); err != nil {
		return err
	}
	toDir := l.cfg.Latency
	for p := l.next; p != sim.Port(shared) && p != sim.Port(d); {
		lc, ok := p.(*Cache)
		if !ok || lc == nil {
			return errorf("%s: core %d's level does not lead down to %s", l.cfg.Name, k, shared.cfg.Name)
		}
		toDir += lc.cfg.Latency
		p = lc.next
	}
	l.coh = &member{dir: d, core: k, toDir: toDir + shared.cfg.Latency, grants: make([]grant, len(l.lines))}
	l.coherent = true
	if l.next == sim.Port(shared) {
		l.next = d // its requests reach the shared level through the directory
	}
	return nil
}

// coherable reports a level whose write policy coherence cannot keep.
func coherable(l *Cache) error {
	if l.cfg.Write != WriteBack || !l.cfg.WriteAllocate {
		return errorf("%s: coherence needs write-back, write-allocate levels, not %s%s",
			l.cfg.Name, l.cfg.Write, map[bool]string{true: "", false: " without write-allocate"}[l.cfg.WriteAllocate])
	}
	return nil
}

// CoherenceBytes is what Share allocates for a level beside what New
// does when cores cores share: the directory's entry per way of the
// shared level (dirEntries), an exclusive bit per way of a private one.
func (c Config) CoherenceBytes(shared bool, cores int) uint64 {
	if c.LineSize <= 0 {
		return 0
	}
	ways := c.Size / uint64(c.LineSize)
	if shared {
		return dirEntryBytes(ways, cores)
	}
	return ways
}

// Register adds the directory's counters to s under name: the totals, and
// each core's as details (name.coreK.*). A nil directory (one core) has
// none.
func (d *Directory) Register(s *sim.Stats, name string) {
	if d == nil {
		return
	}
	s.RegisterTable(name, d.n.table())
	s.Register(name+".directory_evictions", &d.evictions, "lines with sharers that the shared level evicted, invalidating them above")
	for k := range d.byCore {
		s.RegisterTable(fmt.Sprintf("%s.core%d", name, k), d.byCore[k].table(), sim.Detail)
	}
}

func (n *coherenceCounts) table() []sim.Counter {
	return []sim.Counter{
		{Name: "invalidations", P: &n.Invalidations, Doc: "private copies invalidated for another core's write"},
		{Name: "upgrades", P: &n.Upgrades, Doc: "stores that found their line Shared and asked the directory for it"},
		{Name: "transfers", P: &n.Transfers, Doc: "requests whose line came from another core's Exclusive or Modified copy"},
		{Name: "writebacks", P: &n.Writebacks, Doc: "Modified copies written back to the shared level when another core read them"},
		{Name: "back_invalidations", P: &n.BackInvals, Doc: "private copies invalidated when the shared level evicted their line"},
	}
}

// MESI is a line's coherence state in a private level.
type MESI uint8

const (
	MESIInvalid MESI = iota
	MESIShared
	MESIExclusive
	MESIModified
)

func (s MESI) String() string { return nameOf([]string{"I", "S", "E", "M"}, int(s)) }

// State is the state of the line of pa in this level. A level that is not
// a core's private level in a coherent hierarchy holds its lines E or M.
func (c *Cache) State(pa uint64) MESI {
	i := c.find(pa >> c.lineShift)
	switch {
	case i < 0:
		return MESIInvalid
	case c.coh != nil && c.coh.grants[i] != grantOwned:
		return MESIShared
	case c.dirty[i]:
		return MESIModified
	}
	return MESIExclusive
}

// Sharers returns the cores whose private levels hold the line of pa (a
// bit per core) and the core that holds it E or M (-1 if none), as the
// directory knows them.
func (d *Directory) Sharers(pa uint64) (cores uint64, owner int) {
	ln := pa >> d.shared.lineShift
	i := d.shared.find(ln)
	if i < 0 {
		return 0, -1
	}
	return d.sharers(i, ln, -1)
}
