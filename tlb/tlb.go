package tlb

import (
	"fmt"
	"math/bits"
	"slices"
	"unsafe"

	"github.com/vmemu/vmemu/replacement"
	"github.com/vmemu/vmemu/sim"
)

// Entry is one cached translation: the page VPN of size 1<<PageShift maps to
// the frame PFN, with the permissions and state the walker found. VPN and PFN
// are page numbers at the entry's own size: va >> PageShift and pa >> PageShift.
type Entry struct {
	VPN       uint64
	PFN       uint64
	PageShift uint8
	PCID      uint16 // the process-context identifier the entry was filled under
	Global    bool   // hits under every PCID; survives PCID invalidations
	Writable  bool
	User      bool
	NX        bool
	Dirty     bool
}

// Translate returns the physical address of va through e: the frame number
// followed by va's offset within the page. It assumes e maps va's page.
func (e Entry) Translate(va uint64) uint64 {
	return e.PFN<<e.PageShift | va&(1<<e.PageShift-1)
}

// Covers reports whether e's page contains va (ignoring validity and PCID).
func (e Entry) Covers(va uint64) bool { return va>>e.PageShift == e.VPN }

// samePage reports whether b would refresh a: the same page and size, and
// the same PCID or both global. Insert and Set keep the valid entries of a
// set pairwise not samePage. A global entry and another PCID's entry for the
// same page may coexist, as in hardware (a fill follows a miss under the
// current PCID only); both answer a lookup under that PCID, and the lower
// way wins.
func samePage(a, b *Entry) bool {
	return a.VPN == b.VPN && a.PageShift == b.PageShift &&
		(a.PCID == b.PCID || a.Global && b.Global)
}

// Slot is an entry with its place in the TLB.
type Slot struct {
	Set, Way int
	Entry    Entry
}

// Counts are a TLB's counters.
type Counts struct {
	Hits, Misses  uint64 // lookups
	Fills         uint64 // inserts, including ones that replace the same page in place
	Evictions     uint64 // valid entries a fill pushed out
	Invalidations uint64 // valid entries removed by an Invalidate call
}

// The array is kept as three parallel slices indexed set*ways+way, so that a
// lookup scans a compact row of VPNs and reads the rest only on a match.
// meta packs what a match needs besides the VPN.
const (
	metaPCID   = 0xffff  // bits 0-15: PCID
	metaShift  = 16      // bits 16-23: page shift
	metaValid  = 1 << 24 // the entry is valid
	metaGlobal = 1 << 25 // the entry is global
	metaKey    = metaValid | 0xff<<metaShift
)

func metaOf(e *Entry, valid bool) uint32 {
	m := uint32(e.PCID) | uint32(e.PageShift)<<metaShift
	if valid {
		m |= metaValid
	}
	if e.Global {
		m |= metaGlobal
	}
	return m
}

// matches reports whether an entry with meta m, whose VPN is the one looked
// up, answers a lookup of a page of size shift under pcid.
func matches(m uint32, shift uint8, pcid uint16) bool {
	x := m ^ (metaValid | uint32(shift)<<metaShift | uint32(pcid))
	return x&metaKey == 0 && (x&metaPCID == 0 || m&metaGlobal != 0)
}

// TLB is one set-associative TLB. Invalid slots keep their last contents (as
// a hardware array does, and as CS:APP's figures print them); At shows them.
type TLB struct {
	cfg     Config
	ways    int
	setBits uint
	setMask uint64
	shifts  []uint8  // ascending: smallest page probed first
	vpns    []uint64 // per slot, set-major: [set*ways+way]
	meta    []uint32 // per slot: metaOf its entry
	ents    []Entry  // per slot

	repl replacement.State

	// The last hit, while it stands: the slot that answered a lookup of
	// the page va>>minShift under lastPCID. Anything that changes a slot
	// (put, an invalidation) clears lastOK.
	minShift         uint8
	lastOK           bool
	gen              uint64 // changes whenever the memo moves or is forgotten
	lastPCID         uint16
	lastSet, lastWay int32
	lastKey          uint64

	n Counts
}

// ArrayBytes is what New allocates for a TLB's entries, for a machine to
// know before it builds one whether it fits the host.
func (c Config) ArrayBytes() uint64 {
	n := uint64(max(c.Entries, 0))
	b := n * uint64(8+4+unsafe.Sizeof(Entry{})) // vpns, meta, ents
	return b + replacement.Bytes(c.Replacement, c.replacementConfig())
}

// New builds an empty TLB (every entry invalid).
func New(cfg Config) (*TLB, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.PageShifts = slices.Clone(cfg.PageShifts)
	sets := cfg.Sets()
	t := &TLB{
		cfg:     cfg,
		ways:    cfg.Ways,
		setBits: uint(bits.TrailingZeros(uint(sets))),
		setMask: uint64(sets - 1),
		vpns:    make([]uint64, cfg.Entries),
		meta:    make([]uint32, cfg.Entries),
		ents:    make([]Entry, cfg.Entries),
	}
	for _, s := range cfg.PageShifts {
		t.shifts = append(t.shifts, uint8(s))
	}
	slices.Sort(t.shifts)
	t.minShift = t.shifts[0]
	repl, err := replacement.New(cfg.Replacement, cfg.replacementConfig())
	if err != nil {
		return nil, err
	}
	t.repl = repl
	return t, nil
}

// Config returns the configuration the TLB was built with.
func (t *TLB) Config() Config { return t.cfg }

// Sets is the number of sets.
func (t *TLB) Sets() int { return len(t.vpns) / t.ways }

// Holds reports whether the TLB holds pages of size 1<<shift.
func (t *TLB) Holds(shift uint) bool {
	return shift < 256 && slices.Contains(t.shifts, uint8(shift))
}

// Index splits va, for pages of size 1<<shift, into the set index (TLBI, the
// low bits of the VPN) and the tag (TLBT, the VPN's remaining high bits).
func (t *TLB) Index(va uint64, shift uint) (set int, tag uint64) {
	vpn := va >> shift
	return int(vpn & t.setMask), vpn >> t.setBits
}

// VPN is the inverse of Index: the page number that set index set and tag
// tag name (for loading a table of set, tag pairs).
func (t *TLB) VPN(set int, tag uint64) uint64 {
	return tag<<t.setBits | uint64(set)&t.setMask
}

// find returns the set and way of the entry that maps va under pcid, or a
// way of -1.
func (t *TLB) find(va uint64, pcid uint16) (set, way int) {
	for _, s := range t.shifts {
		vpn := va >> s
		set := int(vpn & t.setMask)
		base := set * t.ways
		row := t.vpns[base : base+t.ways]
		meta := t.meta[base : base+t.ways]
		for w, v := range row {
			if v == vpn && matches(meta[w], s, pcid) {
				return set, w
			}
		}
	}
	return 0, -1
}

// Lookup is LookupFor with no instruction known behind the access, taken
// for a load.
func (t *TLB) Lookup(va uint64, pcid uint16) (Entry, bool) { return t.LookupFor(va, pcid, 0, sim.Load) }

// LookupFor translates va for the process-context pcid (0 when PCIDs are
// off), for an access of kind by the instruction at ip. It hits on a valid
// entry that maps va's page at its own page size and that belongs to pcid
// or is global (if a global entry and one of pcid's both match, the lower
// way wins); a hit updates the replacement state. It counts a hit or a
// miss and does not allocate.
func (t *TLB) LookupFor(va uint64, pcid uint16, ip uint64, kind sim.Kind) (Entry, bool) {
	// The last hit answers again while no slot has changed, for the same
	// smallest-size page and PCID: the search below would find the same
	// entry. Traces touch one page many times in a row.
	t.repl.Renumber()
	if t.lastOK && va>>t.minShift == t.lastKey && pcid == t.lastPCID {
		t.n.Hits++
		set, way := int(t.lastSet), int(t.lastWay)
		if !t.repl.TryHit(set, way) {
			t.repl.Update(&replacement.Access{Set: set, Way: way, Addr: va, IP: ip, Kind: kind, Hit: true})
		}
		return t.ents[set*t.ways+way], true
	}
	// find, written out here to save a call on the hot path.
	for _, s := range t.shifts {
		vpn := va >> s
		set := int(vpn & t.setMask)
		base := set * t.ways
		row := t.vpns[base : base+t.ways]
		for w, v := range row {
			if v == vpn && matches(t.meta[base+w], s, pcid) {
				t.lastOK, t.lastKey, t.lastPCID = true, va>>t.minShift, pcid
				t.gen++
				t.lastSet, t.lastWay = int32(set), int32(w)
				t.n.Hits++
				if !t.repl.TryHit(set, w) {
					t.repl.Update(&replacement.Access{Set: set, Way: w, Addr: va, IP: ip, Kind: kind, Hit: true})
				}
				return t.ents[base+w], true
			}
		}
	}
	t.n.Misses++
	return Entry{}, false
}

// Again is Lookup for the common case of a lookup of the page the last hit
// was for, under the same PCID, with no slot changed since: it counts the
// hit and returns the entry in place, or reports false and does nothing
// (then call Lookup). It skips the replacement update because the entry is
// already the most recently used one: every other hit would have moved the
// memo, and every fill or invalidation forgets it. Under a policy that must
// see every hit (see SkipsRepeats) it always reports false.
func (t *TLB) Again(va uint64, pcid uint16) (*Entry, bool) {
	if t.lastOK && !t.repl.NeedsEveryHit() && va>>t.minShift == t.lastKey && pcid == t.lastPCID {
		t.n.Hits++
		return &t.ents[int(t.lastSet)*t.ways+int(t.lastWay)], true
	}
	return nil, false
}

// Gen changes whenever the memo of the last hit moves to another entry or is
// forgotten (a fill, an invalidation). While it stands still, a lookup of
// the page of the last hit would hit the same entry, already the most
// recently used: a caller that remembers that hit may answer from it and
// call CountHit instead of Lookup, if SkipsRepeats.
func (t *TLB) Gen() uint64 { return t.gen }

// SkipsRepeats reports whether a repeat hit on the entry of the last hit
// may be answered without telling the replacement policy (Again, or a
// caller's memo through Gen): the built-in policies would make the same
// choices either way; a registered one must see every hit.
func (t *TLB) SkipsRepeats() bool { return !t.repl.NeedsEveryHit() }

// CountHit counts a hit answered from a remembered hit (see Gen).
func (t *TLB) CountHit() { t.n.Hits++ }

// Probe is Lookup without side effects: no counters, no replacement update.
// It also says where the entry is.
func (t *TLB) Probe(va uint64, pcid uint16) (Slot, bool) {
	set, way := t.find(va, pcid)
	if way < 0 {
		return Slot{}, false
	}
	return Slot{Set: set, Way: way, Entry: t.ents[set*t.ways+way]}, true
}

// Insert fills e into its set: over a valid entry for the same page, size
// and PCID, or a global entry for that page if e is global (see samePage),
// if there is one, and a second such entry (one of each kind, when e is
// global) is dropped; else into the first invalid way; else over the
// replacement policy's victim, which it returns. The TLB must hold e's page
// size (see Holds): inserting another size is a programming error and
// panics. The fill is taken for a load with no instruction known behind it.
func (t *TLB) Insert(e Entry) (victim Entry, evicted bool) {
	i, evicted := t.fill(&e, 0, sim.Load)
	if evicted {
		victim = t.ents[i]
	}
	t.put(i, e, true)
	return victim, evicted
}

// Fill is FillFor with no instruction known behind the fill, taken for a
// load.
func (t *TLB) Fill(e Entry) { t.FillFor(e, 0, sim.Load) }

// FillFor is Insert for a caller that does not want the victim, for an
// access of kind by the instruction at ip: it never reads the entry it
// replaces, which on a large TLB filled at random is a cache miss the
// simulator need not wait for.
func (t *TLB) FillFor(e Entry, ip uint64, kind sim.Kind) {
	i, _ := t.fill(&e, ip, kind)
	t.put(i, e, true)
}

// fill counts a fill of e, for an access of kind by the instruction at ip,
// chooses its slot, as Insert describes, and tells the replacement policy.
// It returns the slot and whether it holds a valid entry to evict.
func (t *TLB) fill(e *Entry, ip uint64, kind sim.Kind) (i int, evicts bool) {
	t.repl.Renumber()
	set, way := t.place(e)
	if evicts = way < 0; evicts {
		way = t.repl.Victim(set, e.VPN<<e.PageShift, ip, kind)
		t.n.Evictions++
	}
	if !t.repl.TryFill(set, way) {
		t.tellFill(set, way, e, ip, kind, evicts) // before the entry it evicts leaves
	}
	return set*t.ways + way, evicts
}

// place chooses the way for e in its set as Insert describes, dropping a
// second entry for the same page: the way of the entry e refreshes, or the
// first invalid one, or -1 when the set is full. It is fill's search, with
// nothing else to keep in registers.
func (t *TLB) place(e *Entry) (set, way int) {
	if !slices.Contains(t.shifts, e.PageShift) {
		panic(fmt.Sprintf("tlb %q: Insert of an entry with page shift %d; this TLB holds shifts %v (check Holds)",
			t.cfg.Name, e.PageShift, t.shifts))
	}
	set = int(e.VPN & t.setMask)
	base := set * t.ways
	t.n.Fills++
	// One pass finds both the entry to refresh and the first invalid way;
	// the compact VPN row rules out most ways before an Entry is read.
	way, free, vpn := -1, -1, e.VPN // vpn: e may alias the arrays for all the compiler knows
	for w, v := range t.vpns[base : base+t.ways] {
		if !t.valid(base + w) {
			if free < 0 {
				free = w
			}
			continue
		}
		if v == vpn && samePage(&t.ents[base+w], e) {
			if way < 0 {
				way = w
			} else { // e is global: its PCID's entry and a global one
				t.meta[base+w] &^= metaValid
				t.lastOK = false
				t.gen++
				t.gen++
			}
		}
	}
	if way < 0 {
		way = free
	}
	return set, way
}

// tellFill tells the replacement policy of the fill of way of set with e
// when TryFill could not, and of the entry the fill evicts, still there.
//
//go:noinline
func (t *TLB) tellFill(set, way int, e *Entry, ip uint64, kind sim.Kind, evicts bool) {
	a := replacement.Access{Set: set, Way: way, Addr: e.VPN << e.PageShift, IP: ip, Kind: kind}
	if i := set*t.ways + way; evicts {
		a.Evicts, a.Evicted = true, t.vpns[i]<<(t.meta[i]>>metaShift&0xff)
	}
	t.repl.Update(&a)
}

func (t *TLB) valid(i int) bool { return t.meta[i]&metaValid != 0 }

func (t *TLB) put(i int, e Entry, valid bool) {
	t.lastOK = false
	t.gen++
	t.vpns[i], t.meta[i], t.ents[i] = e.VPN, metaOf(&e, valid), e
}

// Register adds the counters to s under the TLB's name: NAME.hits,
// NAME.misses, NAME.fills, NAME.evictions, NAME.invalidations.
func (t *TLB) Register(s *sim.Stats) {
	p := t.cfg.Name + "."
	s.Register(p+"hits", &t.n.Hits, "lookups that found the page")
	s.Register(p+"misses", &t.n.Misses, "lookups that did not find the page")
	s.Register(p+"fills", &t.n.Fills, "entries inserted (one replacing the same page in place included)")
	s.Register(p+"evictions", &t.n.Evictions, "valid entries a fill pushed out")
	s.Register(p+"invalidations", &t.n.Invalidations, "valid entries removed by an invalidation")
}
