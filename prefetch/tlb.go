package prefetch

// The TLB prefetchers of Kandiraju and Sivasubramaniam, "Going the
// Distance for TLB Prefetching: An Application-driven Study", ISCA 2002.
// Each is told of every miss of the last TLB level (its virtual address
// and instruction pointer) and asks for pages, whose translations a page
// walk of their own brings into the prefetch buffer beside that TLB:
//
//   - next-page: sequential prefetching, the next prefetch_degree (1)
//     pages after the missed one: next-line's code, a line being a page
//     (nextline.go).
//   - stride: arbitrary stride prefetching (ASP), a table of 64 entries
//     indexed by the instruction pointer holding each instruction's last
//     missed page and stride (Chen and Baer's reference prediction table);
//     when a miss repeats its instruction's stride, the next
//     prefetch_degree (1) pages along it.
//   - distance: distance prefetching (DP), a table of 64 entries indexed
//     by the distance (in pages) between the last two misses, each holding
//     the 2 distances that followed it most recently; a miss at distance d
//     from the one before prefetches the pages those 2 distances away.
//
// The paper's tables are direct-mapped here, as its own (a table indexed
// by distance, or by PC, of 64 or more entries).

func init() {
	Register("stride", Registration{New: newTLBStride, Where: TLB,
		Doc: "a page stride per instruction pointer, once it repeats (arbitrary stride prefetching, Kandiraju and Sivasubramaniam, ISCA 2002)"})
	Register("distance", Registration{New: newDistance, Where: TLB,
		Doc: "the distances that followed the last miss's distance before (distance prefetching, Kandiraju and Sivasubramaniam, ISCA 2002)"})
}

const (
	tlbTableEntries = 64
	distanceSlots   = 2
)

type tlbStrideEntry struct {
	ip, last uint64
	stride   int64
	valid    bool
}

type tlbStride struct {
	shift  uint
	degree int
	table  [tlbTableEntries]tlbStrideEntry
}

func newTLBStride(c Config) Prefetcher {
	return &tlbStride{shift: c.LineShift, degree: or(c.Degree, 1)}
}

func (p *tlbStride) Operate(a *Access, l Issuer) {
	page := a.Addr >> p.shift
	e := &p.table[a.IP%tlbTableEntries]
	if !e.valid || e.ip != a.IP {
		*e = tlbStrideEntry{ip: a.IP, last: page, valid: true}
		return
	}
	stride := int64(page - e.last)
	if stride != 0 && stride == e.stride {
		for i := 1; i <= p.degree; i++ {
			l.Prefetch((page+uint64(stride*int64(i)))<<p.shift, true)
		}
	}
	e.last, e.stride = page, stride
}

func (p *tlbStride) Fill(*Fill, Issuer) {}

type distanceEntry struct {
	dist  int64
	next  [distanceSlots]int64 // most recent first
	n     int
	valid bool
}

type distance struct {
	shift    uint
	table    [tlbTableEntries]distanceEntry
	last     uint64 // the page of the last miss
	lastDist int64
	have     int // misses seen, up to 2
}

func newDistance(c Config) Prefetcher { return &distance{shift: c.LineShift} }

func (p *distance) Operate(a *Access, l Issuer) {
	page := a.Addr >> p.shift
	if p.have == 0 {
		p.last, p.have = page, 1
		return
	}
	d := int64(page - p.last)
	if p.have == 2 {
		p.learn(p.lastDist, d)
	}
	if e := p.slot(d); e.valid && e.dist == d {
		for _, n := range e.next[:e.n] {
			l.Prefetch((page+uint64(n))<<p.shift, true)
		}
	}
	p.last, p.lastDist, p.have = page, d, 2
}

// learn records that distance d followed distance prev.
func (p *distance) learn(prev, d int64) {
	e := p.slot(prev)
	if !e.valid || e.dist != prev {
		*e = distanceEntry{dist: prev, valid: true}
	}
	for i, n := range e.next[:e.n] {
		if n == d { // already there: to the front
			copy(e.next[1:i+1], e.next[:i])
			e.next[0] = d
			return
		}
	}
	copy(e.next[1:], e.next[:distanceSlots-1])
	e.next[0] = d
	e.n = min(e.n+1, distanceSlots)
}

func (p *distance) slot(d int64) *distanceEntry {
	return &p.table[uint64(d)%tlbTableEntries]
}

func (p *distance) Fill(*Fill, Issuer) {}
