package prefetch

// next-line: on every access, the next Degree lines (1 by default), as
// ChampSim's next_line prefetcher does at every level (it prefetches on
// hits too; the level drops what it already holds). At the instruction
// side it is the classic next-line instruction prefetcher (Smith, "Cache
// Memories", ACM Computing Surveys 1982, sequential prefetching). At the
// TLB, where a line is a page and it is told of misses only, it is
// next-page: Kandiraju and Sivasubramaniam's sequential prefetching (see
// tlb.go).

func init() {
	Register("next-line", Registration{
		New:   newNextLine,
		Where: Data | Instruction,
		Doc:   "the next prefetch_degree lines (1) after every access, as ChampSim's next_line",
	})
	Register("next-page", Registration{New: newNextLine, Where: TLB,
		Doc: "the next prefetch_degree (1) pages after an STLB miss (sequential, Kandiraju and Sivasubramaniam, ISCA 2002)"})
}

type nextLine struct {
	line   uint64 // bytes of a line
	degree int
}

func newNextLine(c Config) Prefetcher {
	return &nextLine{line: 1 << c.LineShift, degree: or(c.Degree, 1)}
}

func (p *nextLine) Operate(a *Access, l Issuer) {
	base := a.Addr &^ (p.line - 1)
	for i := 1; i <= p.degree; i++ {
		l.Prefetch(base+uint64(i)*p.line, true)
	}
}

func (p *nextLine) Fill(*Fill, Issuer) {}
