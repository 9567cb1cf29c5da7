package traces

import (
	"io"
	"math/bits"
	"slices"
)

// StatsOptions choose what Stat measures.
type StatsOptions struct {
	PageSize uint64 // footprint pages; 0 means 4096
	LineSize uint64 // footprint and reuse lines; 0 means 64
	// ReuseFetches puts fetches in the reuse-distance histogram, which
	// otherwise counts data references only (what an L1 data cache sees).
	ReuseFetches bool
}

// Stats describe a trace: what its records are, how much memory it
// touches, and how soon it comes back to a line.
type Stats struct {
	Format  string `json:"format"`
	Carries string `json:"carries"`

	Records   uint64 `json:"records"`
	Fetches   uint64 `json:"fetches"`
	Loads     uint64 `json:"loads"`
	Stores    uint64 `json:"stores"`
	Modifies  uint64 `json:"modifies"`
	Processes int    `json:"processes"` // distinct process ids
	Threads   int    `json:"threads"`   // distinct threads, over all processes
	// From the fetches that carry registers (ChampSim, native, generated).
	Branches uint64 `json:"branches"`
	Taken    uint64 `json:"taken"`
	Values   uint64 `json:"values"` // records with a value

	Footprint Footprint `json:"footprint"`
	Reuse     Reuse     `json:"reuse"`
}

// Footprint counts the distinct pages and lines references touch; an
// access that spans several counts each one.
type Footprint struct {
	PageSize uint64 `json:"page_bytes"`
	LineSize uint64 `json:"line_bytes"`
	Fetch    Touch  `json:"fetch"`
	Data     Touch  `json:"data"`
	All      Touch  `json:"all"`
}

// Touch is a count of distinct pages and lines.
type Touch struct {
	Pages uint64 `json:"pages"`
	Lines uint64 `json:"lines"`
}

// Reuse is the reuse-distance histogram: for each access to a line, how
// many distinct other lines were accessed since the last access to it.
// Bucket 0 holds distance 0, bucket b>0 the distances from 2^(b-1) to
// 2^b-1. Cold counts first accesses. An access spanning lines counts once
// per line, in address order.
type Reuse struct {
	Over    string   `json:"over"` // "data" or "all"
	Cold    uint64   `json:"cold"`
	Buckets []uint64 `json:"buckets"`
}

// BucketRange returns the distances bucket b holds.
func BucketRange(b int) (lo, hi uint64) {
	if b == 0 {
		return 0, 0
	}
	return 1 << (b - 1), 1<<b - 1
}

// procLine is a line (or page) of one process's address space.
type procLine struct {
	n   uint64
	pid uint16
}

// Stat reads r to the end and describes it. Reuse distances are computed
// in O(log n) per access (a Fenwick tree over the times of last use), and
// memory grows with the distinct lines, not the length of the trace.
func Stat(r Reader, opt StatsOptions) (*Stats, error) {
	if opt.PageSize == 0 {
		opt.PageSize = 4096
	}
	if opt.LineSize == 0 {
		opt.LineSize = 64
	}
	pageShift := uint(bits.TrailingZeros64(opt.PageSize))
	lineShift := uint(bits.TrailingZeros64(opt.LineSize))
	st := &Stats{Format: r.Format(), Carries: CarriesOf(r).String()}
	st.Footprint.PageSize, st.Footprint.LineSize = opt.PageSize, opt.LineSize
	st.Reuse.Over = "data"
	if opt.ReuseFetches {
		st.Reuse.Over = "all"
	}
	type sets struct{ pages, lines map[procLine]struct{} }
	newSets := func() sets { return sets{map[procLine]struct{}{}, map[procLine]struct{}{}} }
	fetch, data := newSets(), newSets()
	all := newSets()
	pids := map[uint16]struct{}{}
	type thread struct {
		pid uint16
		n   uint8
	}
	threads := map[thread]struct{}{}
	var last thread // the records' thread: most traces stay in one a while
	rd := newReuse()

	rr := Refs(r)
	buf := make([]Ref, 4096)
	for {
		n, err := rr.ReadRefs(buf)
		for i := range buf[:n] {
			ref := &buf[i]
			st.Records++
			if th := (thread{ref.PID, ref.Thread}); th != last || st.Records == 1 {
				pids[ref.PID] = struct{}{}
				threads[th] = struct{}{}
				last = th
			}
			s := &data
			switch ref.Op {
			case Fetch:
				st.Fetches++
				s = &fetch
				if ref.HasRegs && ref.Branch {
					st.Branches++
					if ref.Taken {
						st.Taken++
					}
				}
			case Load:
				st.Loads++
			case Store:
				st.Stores++
			case Modify:
				st.Modifies++
			}
			if ref.HasValue {
				st.Values++
			}
			last := ref.Addr
			if ref.Size > 1 && ref.Addr+uint64(ref.Size)-1 > ref.Addr {
				last = ref.Addr + uint64(ref.Size) - 1
			}
			for p := ref.Addr >> pageShift; p <= last>>pageShift; p++ {
				k := procLine{p, ref.PID}
				s.pages[k] = struct{}{}
				all.pages[k] = struct{}{}
			}
			reuse := ref.Op != Fetch || opt.ReuseFetches
			for l := ref.Addr >> lineShift; l <= last>>lineShift; l++ {
				k := procLine{l, ref.PID}
				s.lines[k] = struct{}{}
				all.lines[k] = struct{}{}
				if reuse {
					rd.access(k)
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	st.Processes, st.Threads = len(pids), len(threads)
	count := func(s sets) Touch { return Touch{uint64(len(s.pages)), uint64(len(s.lines))} }
	st.Footprint.Fetch, st.Footprint.Data, st.Footprint.All = count(fetch), count(data), count(all)
	st.Reuse.Cold, st.Reuse.Buckets = rd.cold, rd.hist
	return st, nil
}

// reuseDist computes reuse distances: the distinct lines accessed between
// two accesses to a line are the lines whose last access falls between
// them, counted by a Fenwick tree over time where each line marks only its
// last access. When time runs past the tree, the live marks are renumbered
// 0..D-1 in order and the tree rebuilt, so it stays within a small multiple
// of the distinct lines D.
type reuseDist struct {
	last map[procLine]int
	tree []int32 // Fenwick tree, 1-based
	now  int     // next time
	cold uint64
	hist []uint64
}

// reuseMinTree is the least size of the tree (a variable for tests).
var reuseMinTree = 1 << 16

func newReuse() *reuseDist {
	return &reuseDist{last: map[procLine]int{}, tree: make([]int32, reuseMinTree+1)}
}

func (r *reuseDist) add(t int, d int32) {
	for i := t + 1; i < len(r.tree); i += i & -i {
		r.tree[i] += d
	}
}

// prefix sums the marks at times 0..t-1.
func (r *reuseDist) prefix(t int) int {
	s := 0
	for i := t; i > 0; i -= i & -i {
		s += int(r.tree[i])
	}
	return s
}

func (r *reuseDist) access(k procLine) {
	if r.now == len(r.tree)-1 {
		r.compact()
	}
	t := r.now
	if prev, ok := r.last[k]; ok {
		d := uint64(r.prefix(t) - r.prefix(prev+1))
		b := bits.Len64(d)
		for len(r.hist) <= b {
			r.hist = append(r.hist, 0)
		}
		r.hist[b]++
		r.add(prev, -1)
	} else {
		r.cold++
	}
	r.add(t, 1)
	r.last[k] = t
	r.now++
}

func (r *reuseDist) compact() {
	type live struct {
		t int
		k procLine
	}
	ls := make([]live, 0, len(r.last))
	for k, t := range r.last {
		ls = append(ls, live{t, k})
	}
	slices.SortFunc(ls, func(a, b live) int { return a.t - b.t })
	size := max(2*len(ls), reuseMinTree)
	r.tree = make([]int32, size+1)
	for i, l := range ls {
		r.last[l.k] = i
		r.tree[i+1] = 1
	}
	// Build the tree in O(size): push each node into its parent.
	for i := 1; i <= size; i++ {
		if j := i + i&-i; j <= size {
			r.tree[j] += r.tree[i]
		}
	}
	r.now = len(ls)
}
