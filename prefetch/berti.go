package prefetch

// berti: Berti, the local-delta prefetcher of Navarro-Torres, Panda,
// Alastruey-Benedé, Ibáñez, Viñals-Yúfera and Ros, "Berti: an Accurate
// Local-Delta Data Prefetcher", MICRO 2022, for the first-level data
// cache. It learns, per instruction, the deltas (in lines) that would have
// been timely: when a demand miss's fill arrives with latency L, the
// instruction's earlier accesses made at least L cycles before the miss
// could have prefetched it in time, and each such access's delta to the
// missed line gains confidence. After 16 such searches (CONFIDENCE_MAX) an
// instruction's deltas are sorted by how many searches found them: above
// 11 of 16 they prefetch into the L1D, above 8 or 6 into the L2, below
// that not at all. A first demand use of a line it prefetched teaches it
// too, with the latency that prefetch took.
//
// The tables and thresholds are the authors' (their ChampSim code,
// berti_parameters.h): a history of 8 sets of 16 accesses indexed by the
// instruction pointer, FIFO, and a table of 16 instructions (FIFO) with
// 16 deltas each. An L1D prefetch goes to the L2 instead while 70% or more
// of the L1D's MSHRs are busy. Tags and addresses are kept whole (the
// paper keeps 10-bit instruction tags and 24-bit line addresses, which may
// alias); the first-use latency is kept in a direct-mapped table of 1024
// lines where the authors shadow the L1D's tags.

func init() {
	Register("berti", Registration{
		New:   newBerti,
		Where: Data,
		Doc:   "timely local deltas per instruction pointer, high confidence into this level and medium below (Navarro-Torres et al., MICRO 2022); for the L1D",
	})
}

const (
	bertiHistorySets   = 8
	bertiHistoryWays   = 16
	bertiEntries       = 16 // instructions in the table of deltas
	bertiDeltas        = 16 // deltas per instruction
	bertiSearches      = 16 // CONFIDENCE_MAX: searches before deltas are sorted
	bertiL1            = 11 // a delta found in more than this many of 16 prefetches into the L1D
	bertiL2            = 8  // ... into the L2
	bertiL2R           = 6  // ... into the L2, and may be replaced
	bertiMSHRLimit     = 70 // percent of the L1D's MSHRs busy above which L1D prefetches go to the L2
	bertiMaxTimely     = 8  // timely accesses a search takes, most recent first
	bertiLatencyLines  = 1024
	bertiMaxDeltaLines = 1 << 12 // deltas are 13-bit signed: ±4095 lines
)

// Status of a delta: where its prefetches go.
const (
	bertiNone = iota
	bertiToL1
	bertiToL2
	bertiToL2R
)

type bertiAccess struct {
	ip    uint64
	line  uint64
	time  uint64
	valid bool
}

type bertiDelta struct {
	delta  int64
	conf   int
	status int
}

type bertiEntry struct {
	searches int
	deltas   [bertiDeltas]bertiDelta
}

type bertiLatency struct {
	line uint64
	lat  uint64
	ok   bool
}

type berti struct {
	shift   uint
	history [bertiHistorySets][bertiHistoryWays]bertiAccess
	head    [bertiHistorySets]int // the next way to write, per set: the oldest
	table   [bertiEntries]bertiEntry
	tags    [bertiEntries]tag // the instructions' pointers (FIFO: used is left 0)
	next    int               // the table's FIFO pointer
	lat     [bertiLatencyLines]bertiLatency
}

func newBerti(c Config) Prefetcher { return &berti{shift: c.LineShift} }

func (p *berti) Operate(a *Access, l Issuer) {
	line := a.Addr >> p.shift
	if a.UsedPrefetch {
		if e := &p.lat[line%bertiLatencyLines]; e.ok && e.line == line {
			p.learn(a.IP, line, uint64(a.Now), e.lat)
			e.ok = false
		}
	}
	if !a.Hit || a.UsedPrefetch {
		p.record(a.IP, line, uint64(a.Now))
	}
	p.predict(a.IP, line, l)
}

func (p *berti) Fill(f *Fill, _ Issuer) {
	line := f.Addr >> p.shift
	lat := uint64(f.At - f.Missed)
	if f.Prefetch {
		p.lat[line%bertiLatencyLines] = bertiLatency{line: line, lat: lat, ok: true}
		return
	}
	p.learn(f.IP, line, uint64(f.Missed), lat)
}

// record adds an access to the history of its instruction.
func (p *berti) record(ip, line, now uint64) {
	s := ip % bertiHistorySets
	p.history[s][p.head[s]] = bertiAccess{ip: ip, line: line, time: now, valid: true}
	p.head[s] = (p.head[s] + 1) % bertiHistoryWays
}

// learn searches the history for the accesses of ip made latency cycles
// or more before the access to line at now: each of them could have
// prefetched line in time, and its delta gains confidence.
func (p *berti) learn(ip, line, now, latency uint64) {
	e := p.entry(ip)
	s := ip % bertiHistorySets
	found := 0
	for k := 1; k <= bertiHistoryWays && found < bertiMaxTimely && latency <= now; k++ {
		h := &p.history[s][(p.head[s]-k+bertiHistoryWays)%bertiHistoryWays]
		if !h.valid || h.ip != ip || h.time+latency > now {
			continue
		}
		d := int64(line - h.line)
		if d == 0 || d >= bertiMaxDeltaLines || d <= -bertiMaxDeltaLines {
			continue
		}
		e.count(d)
		found++
	}
	if e.searches++; e.searches >= bertiSearches {
		e.sort()
	}
}

// entry returns ip's entry in the table of deltas, taking the oldest
// entry's place for a new instruction.
func (p *berti) entry(ip uint64) *bertiEntry {
	if i := find(p.tags[:], ip); i >= 0 {
		return &p.table[i]
	}
	i := p.next
	p.next = (p.next + 1) % bertiEntries
	p.tags[i], p.table[i] = tag{key: ip, valid: true}, bertiEntry{}
	return &p.table[i]
}

// count adds a search's finding of delta d: to its slot, or a free one, or
// the least confident one whose status lets it be replaced.
func (e *bertiEntry) count(d int64) {
	var victim *bertiDelta
	for i := range e.deltas {
		s := &e.deltas[i]
		switch {
		case s.delta == d:
			s.conf++
			return
		case s.delta == 0:
			if victim == nil || victim.delta != 0 {
				victim = s
			}
		case (s.status == bertiNone || s.status == bertiToL2R) && (victim == nil || victim.delta != 0 && s.conf < victim.conf):
			victim = s
		}
	}
	if victim != nil {
		*victim = bertiDelta{delta: d, conf: 1}
	}
}

// sort gives each delta its status from the searches that found it, and
// starts counting again.
func (e *bertiEntry) sort() {
	for i := range e.deltas {
		s := &e.deltas[i]
		switch {
		case s.conf > bertiL1:
			s.status = bertiToL1
		case s.conf > bertiL2:
			s.status = bertiToL2
		case s.conf > bertiL2R:
			s.status = bertiToL2R
		default:
			s.status = bertiNone
		}
		s.conf = 0
	}
	e.searches = 0
}

// predict prefetches line plus each of ip's deltas that has a status.
func (p *berti) predict(ip, line uint64, l Issuer) {
	i := find(p.tags[:], ip)
	if i < 0 {
		return
	}
	e := &p.table[i]
	busy, size := l.MSHRs()
	roomL1 := busy*100 < bertiMSHRLimit*size
	for _, s := range e.deltas {
		if s.delta == 0 || s.status == bertiNone {
			continue
		}
		l.Prefetch((line+uint64(s.delta))<<p.shift, s.status == bertiToL1 && roomL1)
	}
}
