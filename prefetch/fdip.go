package prefetch

// fdip: fetch-directed instruction prefetching (Reinman, Calder and
// Austin, "Fetch Directed Instruction Prefetching", MICRO 1999). The
// branch predictor runs ahead of fetch and queues the fetch blocks it
// predicts (the fetch target queue); the prefetcher brings their lines
// into the L1I before fetch gets there. A trace holds the path taken, so
// the prediction here is perfect: the front end tells the prefetcher of
// each branch prefetch_distance instructions (256) ahead of fetch, and
// each taken branch closes a fetch block, from the last target to the
// branch, whose lines (at most prefetch_degree, 8, from the block's end
// back) are prefetched. Demand fetches teach it nothing; it needs a trace
// with branch records (ChampSim's), and does nothing on others.

func init() {
	Register("fdip", Registration{
		New:   newFDIP,
		Where: Instruction,
		Doc:   "fetch-directed: the lines of the fetch blocks the front end will fetch, from the trace's branches, prefetch_distance (256) instructions ahead (Reinman et al., MICRO 1999); for the L1I",
	})
}

type fdip struct {
	line      uint64
	lookahead int
	maxLines  int
	from      uint64 // the first byte of the block being predicted
	have      bool
}

func newFDIP(c Config) Prefetcher {
	return &fdip{line: 1 << c.LineShift, lookahead: or(c.Distance, 256), maxLines: or(c.Degree, 8)}
}

func (p *fdip) Lookahead() int { return p.lookahead }

func (p *fdip) Branch(ip uint64, taken bool, target uint64, l Issuer) {
	if !taken {
		return
	}
	if p.have {
		first, last := p.from&^(p.line-1), ip&^(p.line-1)
		if last < first || (last-first)/p.line >= uint64(p.maxLines) {
			first = last - uint64(p.maxLines-1)*p.line // a long block: its last lines
		}
		for a := first; a <= last && a >= first; a += p.line {
			l.Prefetch(a, true)
		}
	}
	p.from, p.have = target, true
}

func (p *fdip) Operate(*Access, Issuer) {}
func (p *fdip) Fill(*Fill, Issuer)      {}
