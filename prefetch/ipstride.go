package prefetch

// ip-stride: ChampSim's IP-based stride prefetcher (ip_stride, after Chen
// and Baer's reference prediction table, "Effective hardware-based data
// prefetching for high-performance processors", IEEE Trans. Computers
// 1995). A table of 256 sets of 4 ways, LRU, indexed by the instruction
// pointer, holds each instruction's last line and last stride. When an
// access's stride (in lines) repeats the last one, it prefetches the
// next Degree (3) lines along it: into this level while fewer than half
// its MSHRs are busy, else into the level below (ChampSim's check of MSHR
// occupancy). Another access to the same line changes nothing, as in the
// version of the 2nd Data Prefetching Championship (the current one
// forgets the stride, so a stream of words never prefetches). The level
// stops a physical prefetch at the page's edge.

func init() {
	Register("ip-stride", Registration{
		New:   newIPStride,
		Where: Data,
		Doc:   "a stride per instruction pointer, prefetching prefetch_degree (3) strides ahead once it repeats, as ChampSim's ip_stride",
	})
}

const (
	ipStrideSets = 256
	ipStrideWays = 4
)

type strideEntry struct {
	lastLine uint64
	stride   int64
}

type ipStride struct {
	shift  uint
	degree int
	table  [ipStrideSets * ipStrideWays]strideEntry
	tags   [ipStrideSets * ipStrideWays]tag // the instructions' pointers, LRU within a set
	clock  uint64
}

func newIPStride(c Config) Prefetcher {
	return &ipStride{shift: c.LineShift, degree: or(c.Degree, 3)}
}

func (p *ipStride) Operate(a *Access, l Issuer) {
	line := a.Addr >> p.shift
	set := int(a.IP%ipStrideSets) * ipStrideWays
	p.clock++
	w, hit := use(p.tags[set:set+ipStrideWays], a.IP, p.clock)
	e := &p.table[set+w]
	if !hit {
		*e = strideEntry{lastLine: line}
		return
	}
	stride := int64(line - e.lastLine)
	if stride == 0 {
		return // another access to the same line: nothing learnt (the DPC-2 version's rule)
	}
	if stride == e.stride {
		busy, size := l.MSHRs()
		here := busy < size/2
		for i := 1; i <= p.degree; i++ {
			l.Prefetch((line+uint64(stride*int64(i)))<<p.shift, here)
		}
	}
	e.lastLine, e.stride = line, stride
}

func (p *ipStride) Fill(*Fill, Issuer) {}
