package prefetch

import "github.com/vmemu/vmemu/sim"

// spp: the Signature Path Prefetcher of Kim, Pugsley, Gratz, Reddy,
// Wilkerson and Chishti, "Path Confidence based Lookahead Prefetching",
// MICRO 2016, for the L2. Within each 4 KiB page it compresses the deltas
// between consecutive accesses into a 12-bit signature (sig << 3 XOR the
// delta in 7-bit sign-magnitude), and learns which delta follows each
// signature. It prefetches every delta whose confidence is at least 25%
// (T_p), into the L2 when at least 90% (T_f), else into the level below,
// then walks ahead: the most likely delta gives the next signature, and
// the path's confidence is multiplied by the pattern's and by the global
// accuracy of its prefetches (alpha), until it falls below T_p or the path
// leaves the page.
//
// Tables as the paper's and ChampSim's spp_dev: a signature table of 256
// pages (LRU), a pattern table of 512 signatures with 4 deltas each and
// 4-bit counters (halved together when the signature's count saturates),
// a prefetch filter of 1024 lines that drops repeats and finds useful
// prefetches, and 10-bit global counters of issued and useful L2
// prefetches (halved together). Here the pattern table is indexed by the
// signature's low 9 bits (ChampSim hashes it), the filter is direct-mapped
// with whole tags, and the global history register that carries a path
// into the next page is left out. prefetch_degree caps the prefetches of
// one access, 8 by default: the paper's prefetches wait in the L2's
// prefetch queue, which stops the lookahead when it is full, where here a
// prefetch takes an MSHR at once or is dropped, and a confident path would
// otherwise ask for a page's 64 lines at once (on a stream that doubled the
// DRAM's read latency and cost a tenth of the IPC).

func init() {
	Register("spp", Registration{
		New:   newSPP,
		Where: Data,
		Doc:   "the signature path prefetcher: per-page delta signatures, lookahead while the path's confidence holds (Kim et al., MICRO 2016); for the L2",
	})
}

const (
	sppPages        = 256
	sppSigBits      = 12
	sppSigShift     = 3
	sppSigDeltaSign = 1 << 6 // the sign bit of a delta in the signature
	sppPatterns     = 512
	sppWays         = 4
	sppCounterMax   = 15 // 4-bit counters
	sppFilterLines  = 1024
	sppPrefetchPct  = 25 // T_p
	sppFillPct      = 90 // T_f
	sppGlobalMax    = 1023
	sppMaxDepth     = 64 // a page holds 64 lines: no path is longer
)

type sppPage struct {
	last int64 // the line of the last access, within the page
	sig  uint32
}

type sppPattern struct {
	delta  [sppWays]int64
	cDelta [sppWays]uint32
	cSig   uint32
}

type sppFilter struct {
	line          uint64
	valid, useful bool
}

type spp struct {
	lineShift, pageShift uint
	lines                int64
	degree               int
	pages                [sppPages]sppPage
	tags                 [sppPages]tag // the pages' numbers, LRU
	clock                uint64
	pt                   [sppPatterns]sppPattern
	filter               [sppFilterLines]sppFilter
	issued, useful       uint32 // global counters of L2 prefetches
}

func newSPP(c Config) Prefetcher {
	return &spp{lineShift: c.LineShift, pageShift: c.PageShift, lines: 1 << (c.PageShift - c.LineShift), degree: or(c.Degree, 8)}
}

func (p *spp) Operate(a *Access, l Issuer) {
	page := a.Addr >> p.pageShift
	off := int64(a.Addr>>p.lineShift) & (p.lines - 1)
	sig := p.signature(page, off)
	if f := &p.filter[(a.Addr>>p.lineShift)%sppFilterLines]; a.Kind != sim.Prefetch && f.valid && !f.useful && f.line == a.Addr>>p.lineShift {
		f.useful = true
		p.useful++
	}
	p.lookahead(a.Addr&^(1<<p.pageShift-1), off, sig, l)
}

// signature updates the page's entry with the access at off and returns
// the signature to predict from (0 for a page not seen before).
func (p *spp) signature(page uint64, off int64) uint32 {
	p.clock++
	i, hit := use(p.tags[:], page, p.clock)
	e := &p.pages[i]
	if !hit {
		*e = sppPage{last: off}
		return 0
	}
	d := off - e.last
	if d == 0 {
		return e.sig
	}
	if e.sig != 0 { // a page's first delta has no signature to follow
		p.train(e.sig, d)
	}
	e.sig, e.last = nextSig(e.sig, d), off
	return e.sig
}

func nextSig(sig uint32, d int64) uint32 {
	sd := uint32(d)
	if d < 0 {
		sd = uint32(-d) + sppSigDeltaSign
	}
	return (sig<<sppSigShift ^ sd) & (1<<sppSigBits - 1)
}

// train counts delta d after signature sig (the pattern table's update).
func (p *spp) train(sig uint32, d int64) {
	t := &p.pt[sig%sppPatterns]
	w := -1
	for i := range t.delta {
		if t.cDelta[i] > 0 && t.delta[i] == d {
			w = i
			break
		}
	}
	if w < 0 { // the way with the least count makes room
		w = 0
		for i := range t.delta {
			if t.cDelta[i] < t.cDelta[w] {
				w = i
			}
		}
		t.delta[w], t.cDelta[w] = d, 0
	}
	t.cDelta[w]++
	if t.cSig++; t.cSig > sppCounterMax {
		for i := range t.cDelta {
			t.cDelta[i] >>= 1
		}
		t.cSig >>= 1
	}
}

// lookahead prefetches along the path from signature sig at line off of
// the page at base, while its confidence holds.
func (p *spp) lookahead(base uint64, off int64, sig uint32, l Issuer) {
	conf := uint64(100) // the path's confidence, percent
	alpha := uint64(0)
	if p.issued > 0 {
		alpha = 100 * uint64(p.useful) / uint64(p.issued)
	}
	sent := 0
	for depth := 0; depth < sppMaxDepth; depth++ {
		t := &p.pt[sig%sppPatterns]
		if t.cSig == 0 {
			return
		}
		best, bestConf := -1, uint64(0)
		for w := range t.delta {
			c := 100 * uint64(t.cDelta[w]) / uint64(t.cSig)
			if depth > 0 {
				c = alpha * uint64(t.cDelta[w]) / uint64(t.cSig) * conf / 100
			}
			if c < sppPrefetchPct || t.cDelta[w] == 0 {
				continue
			}
			if n := off + t.delta[w]; n >= 0 && n < p.lines && sent < p.degree {
				p.prefetch(base+uint64(n)<<p.lineShift, c >= sppFillPct, l)
				sent++
			}
			if c > bestConf {
				best, bestConf = w, c
			}
		}
		if best < 0 {
			return
		}
		off += t.delta[best]
		if off < 0 || off >= p.lines {
			return // the path leaves the page
		}
		sig, conf = nextSig(sig, t.delta[best]), bestConf
	}
}

// prefetch sends one prefetch unless the filter has it already.
func (p *spp) prefetch(addr uint64, l2 bool, l Issuer) {
	line := addr >> p.lineShift
	f := &p.filter[line%sppFilterLines]
	if f.valid && f.line == line {
		return
	}
	*f = sppFilter{line: line, valid: true}
	l.Prefetch(addr, l2)
	if l2 {
		if p.issued++; p.issued > sppGlobalMax {
			p.issued >>= 1
			p.useful >>= 1
		}
	}
}

// Fill forgets an evicted line in the filter.
func (p *spp) Fill(f *Fill, _ Issuer) {
	if !f.Evicts {
		return
	}
	line := f.Evicted >> p.lineShift
	if e := &p.filter[line%sppFilterLines]; e.valid && e.line == line {
		*e = sppFilter{}
	}
}
