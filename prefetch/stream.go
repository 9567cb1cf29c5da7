package prefetch

// stream: the L2 streamer Intel describes (Intel 64 and IA-32
// Architectures Optimization Reference Manual, "Data Prefetch to the L2
// and Last Level Cache", since Sandy Bridge): it watches the requests of
// the level above for ascending and descending sequences of lines within
// a 4 KiB page, keeps up to 32 streams (one per page here: Intel keeps a
// forward and a backward one), issues up to two prefetches a lookup
// (prefetch_degree) and runs up to 20 lines ahead (prefetch_distance),
// never past the page. "If there are many outstanding requests it
// prefetches to the LLC only": its prefetches go below while half the
// level's MSHRs or more are busy.
//
// A stream trains as the stream prefetchers of Srinath et al.'s feedback-
// directed prefetching do (HPCA 2007, after IBM POWER4): the first access
// to a page allocates an entry, the second one gives a direction, and a
// third in the same direction confirms it; from then on every access in
// the direction prefetches from just past the furthest line already asked
// for, up to Distance lines ahead of the access.

func init() {
	Register("stream", Registration{
		New:   newStream,
		Where: Data,
		Doc:   "the L2 streamer: up and down streams within 4 KiB pages, prefetch_degree (2) a lookup up to prefetch_distance (20) lines ahead, after Intel's",
	})
}

const streamEntries = 32

type streamEntry struct {
	last int64 // the line of the last access, within the page
	next int64 // the furthest line asked for, within the page
	dir  int64 // +1, -1, or 0 while untrained
	conf int   // accesses that agreed with dir
}

type stream struct {
	lineShift, pageShift uint
	degree, distance     int
	lines                int64 // lines in a page
	table                [streamEntries]streamEntry
	tags                 [streamEntries]tag // the streams' pages, LRU
	clock                uint64
}

func newStream(c Config) Prefetcher {
	return &stream{lineShift: c.LineShift, pageShift: c.PageShift, degree: or(c.Degree, 2),
		distance: or(c.Distance, 20), lines: 1 << (c.PageShift - c.LineShift)}
}

func (p *stream) Operate(a *Access, l Issuer) {
	page := a.Addr >> p.pageShift
	line := int64(a.Addr>>p.lineShift) & (p.lines - 1)
	p.clock++
	i, hit := use(p.tags[:], page, p.clock)
	e := &p.table[i]
	if !hit {
		*e = streamEntry{last: line, next: line}
		return
	}
	d := line - e.last
	if d == 0 {
		return
	}
	switch dir := sign(d); {
	case e.dir == 0:
		e.dir, e.conf, e.next = dir, 1, line
	case dir == e.dir:
		e.conf = min(e.conf+1, 3)
	default:
		// A step the other way: lose confidence, and turn round if none is left.
		if e.conf--; e.conf <= 0 {
			e.dir, e.conf, e.next = dir, 1, line
		}
	}
	e.last = line
	if sign(d) == e.dir && e.conf >= 2 {
		p.issue(e, a.Addr, line, l)
	}
}

// issue asks for up to degree lines past the furthest one asked for, no
// further than distance lines ahead of line, within the page.
func (p *stream) issue(e *streamEntry, addr uint64, line int64, l Issuer) {
	busy, size := l.MSHRs()
	here := busy < size/2
	base := addr &^ (1<<p.pageShift - 1)
	from := line
	if (e.next-line)*e.dir > 0 {
		from = e.next // already asked for lines up to next
	}
	for i := 0; i < p.degree; i++ {
		n := from + e.dir*int64(i+1)
		if n < 0 || n >= p.lines || (n-line)*e.dir > int64(p.distance) {
			break
		}
		l.Prefetch(base+uint64(n)<<p.lineShift, here)
		e.next = n
	}
}

func sign(d int64) int64 {
	switch {
	case d > 0:
		return 1
	case d < 0:
		return -1
	}
	return 0
}

func (p *stream) Fill(*Fill, Issuer) {}
