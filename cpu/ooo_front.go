package cpu

import (
	"github.com/vmemu/vmemu/memside"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// front is the front end's state. Fetch is pipelined and non-blocking: the
// front end presents one access per new fetch block (line) an instruction
// touches and goes on fetching the next instructions, up to the fetch queue;
// an instruction is dispatched, in order, once its bytes are there. So a
// first-level hit costs only the pipeline's fill, and a miss stalls dispatch
// (not fetch) until the line arrives.
type front struct {
	recs        []fetchRec
	recMask     uint64
	recNext     uint64 // sequence number of the next record
	curRec      uint64 // the record of the last line fetched
	lastLine    uint64
	haveLine    bool
	fetchResume sim.Cycle // no fetch before this cycle (a context switch)
}

// predictor is the front end's part that runs ahead of fetch: fetch blocks
// at taken branches, and the branches told to the instruction side's
// prefetcher. It sits at the end of the core's state, apart from what
// fetch reads on every instruction.
type predictor struct {
	onTaken bool // a taken branch's target starts a fetch block (Config.FetchOnTaken)
	// bp, when the instruction side's prefetcher follows branches, is
	// told of them bpAhead instructions ahead of fetch; bpSeq is the next
	// instruction to tell it of.
	bp             brancher
	bpAhead, bpSeq uint64
}

// brancher is a memory side whose instruction prefetcher follows the
// branches the front end predicts (memside.Side with fdip).
type brancher interface {
	BranchLookahead() int
	Branch(now sim.Cycle, ip uint64, taken bool, target uint64)
}

// fetchRec is the fetch of one or two lines (an instruction that straddles
// a line boundary) that instructions wait for.
type fetchRec struct {
	a       [2]memside.Access
	issued  [2]sim.Cycle
	at      [2]sim.Cycle
	done    sim.Cycle // the latest arrival so far
	crit    uint8     // the access that arrived last
	n       uint8
	pending uint8 // accesses still waiting for data
}

func (f *front) init(fq int) {
	// A record lives while an instruction in the fetch queue needs it: at
	// most fq of them, plus the current line's.
	n := ringSize(fq + 2)
	f.recs, f.recMask = make([]fetchRec, n), n-1
}

func (r *fetchRec) ready() sim.Cycle {
	if r.pending > 0 {
		return sim.Never
	}
	return r.done
}

// avail is when instruction s can be dispatched: a cycle after its fetch,
// once its bytes are there.
func (c *ooo) avail(s *slot) sim.Cycle {
	t := s.fetchedAt + 1
	if s.rec != noRec {
		t = max(t, c.recs[s.rec&c.recMask].ready())
	}
	return t
}

func (c *ooo) canFetch() bool {
	return c.fetched-c.dispatched < c.fq && !c.switching && !c.feedDone && c.err == nil
}

// fill reads more instructions into the ring. It reports false when there
// are none for now: the run is over, or the turn is.
func (c *ooo) fill() bool {
	if c.switching || c.feedDone {
		return false
	}
	n, err := c.read()
	switch {
	case err != nil:
		c.err = err
	case n == 0 && c.feed.done():
		c.feedDone = true
	case n == 0:
		c.switching = true
	}
	return n > 0
}

// readAhead is fill for the branch predictor, before fetch needs what it
// reads: where the trace or the process's turn ends for now it reads
// nothing and leaves the ending to fetch's own fill. The ring has room
// for the lookahead (newOOO).
func (c *ooo) readAhead() bool {
	if c.switching || c.feedDone || c.err != nil {
		return false
	}
	n, err := c.read()
	if err != nil {
		c.err = err
	}
	return n > 0
}

// read reads up to a chunk of the trace into the ring.
func (c *ooo) read() (int, error) {
	i := c.filled & c.mask
	n, err := c.feed.read(c.ins[i:min(i+readChunk, uint64(len(c.ins)))])
	c.filled += uint64(n)
	return n, err
}

// fetch brings up to Width instructions into the fetch queue at cycle t.
func (c *ooo) fetch(t sim.Cycle) {
	if t < c.fetchResume {
		return
	}
	if c.bp != nil {
		c.predict(t)
	}
	for c.cycFetched < c.width && c.fetched-c.dispatched < c.fq {
		if c.fetched == c.filled && !c.fill() {
			return
		}
		seq := c.fetched
		in := c.instr(seq)
		if in.NMem > traces.MaxMem {
			c.err = errTooManyRefs(in.NMem)
			return
		}
		s := c.slot(seq)
		s.fetchedAt = t
		s.nloads, s.nstores, s.cont = 0, 0, in.Cont
		for _, ref := range in.Refs() {
			if ref.Store {
				s.nstores++
			} else {
				s.nloads++
			}
		}
		s.rec = c.fetchLines(in, t)
		c.fetched++
		c.cycFetched++
	}
}

// fetchLines presents the fetches of the lines of in not fetched just
// before, and returns the record in waits for.
func (c *ooo) fetchLines(in *traces.Instr, t sim.Cycle) uint64 {
	if in.Size == 0 {
		return noRec
	}
	end := in.IP + uint64(in.Size)
	if end < in.IP {
		end = ^uint64(0) // an IP at the top of the space: fetch what is there
	}
	first, last := in.IP/fetchBlock, (end-1)/fetchBlock
	sameFirst := c.haveLine && first == c.lastLine
	if sameFirst && last == first {
		if c.onTaken && in.Taken {
			c.haveLine = false // the target starts a fetch block of its own
		}
		return c.curRec
	}
	seq := c.recNext
	c.recNext++
	r := &c.recs[seq&c.recMask]
	r.n, r.pending, r.done, r.crit = 0, 0, 0, 0
	if !sameFirst {
		c.presentFetch(r, seq, in.IP, in.IP, min(end, (first+1)*fetchBlock), t)
	}
	if last > first {
		c.presentFetch(r, seq, in.IP, (first+1)*fetchBlock, end, t)
	}
	c.lastLine, c.haveLine, c.curRec = last, !(c.onTaken && in.Taken), seq
	return seq
}

func (c *ooo) presentFetch(r *fetchRec, seq, ip, from, to uint64, t sim.Cycle) {
	i := r.n
	r.n++
	a := &r.a[i]
	a.VA, a.IP, a.Size, a.Kind, a.Done, a.ID = from, ip, uint32(to-from), sim.Fetch, c, tagFetch<<tagShift|seq<<1|uint64(i)
	r.issued[i] = t
	if done, ok := c.mem.Access(t, a); ok {
		c.fetchArrived(r, i, done)
	} else {
		r.pending++
	}
}

func (c *ooo) fetchArrived(r *fetchRec, i uint8, at sim.Cycle) {
	at = max(at, r.issued[i])
	r.at[i] = at
	c.t.record(sim.Fetch, &r.a[i], r.issued[i], at)
	if at >= r.done {
		r.done, r.crit = at, i
	}
}

func (c *ooo) fetchCallback(id uint64, at sim.Cycle) {
	r := &c.recs[(id>>1)&c.recMask]
	c.fetchArrived(r, uint8(id&1), at)
	r.pending--
}

// room reports whether s fits in the ROB and the load and store queues. An
// instruction with more references than a queue holds enters an empty one.
func (c *ooo) room(s *slot) bool {
	if c.dispatched-c.retired >= uint64(c.cfg.ROB) {
		return false
	}
	if used := c.lqTail - c.lqHead; s.nloads > 0 && used > 0 && used+uint64(s.nloads) > uint64(c.cfg.LQ) {
		return false
	}
	if s.nstores > 0 && c.sqUsed > 0 && c.sqUsed+int(s.nstores) > c.cfg.SQ {
		return false
	}
	return true
}

// dispatch moves up to Width instructions from the fetch queue into the ROB.
func (c *ooo) dispatch(t sim.Cycle) {
	for c.cycDispatched < c.width && c.dispatched < c.fetched {
		seq := c.dispatched
		s := c.slot(seq)
		if c.avail(s) > t || !c.room(s) {
			return
		}
		if c.retired == seq {
			c.chargeEmpty(s, t)
		}
		c.enter(seq, s, t)
		c.cycDispatched++
	}
}

// chargeEmpty charges the cycles the ROB stood empty before s entered it at
// t to what s's fetch was doing; the rest is the front end's.
func (c *ooo) chargeEmpty(s *slot, t sim.Cycle) {
	if c.stallFrom >= t {
		return
	}
	if s.rec == noRec {
		c.t.charge(c.stallFrom, t, compFrontend)
	} else {
		r := &c.recs[s.rec&c.recMask]
		i := r.crit
		c.t.chargeSpan(c.stallFrom, t, spanOf(&r.a[i], r.issued[i], r.at[i]), compFrontend)
	}
	c.stallFrom = t
}

// predict tells the instruction prefetcher of the branches up to bpAhead
// instructions past the last one fetched (a branch's target is the
// instruction after it): the front end's branch predictor running ahead
// of fetch, perfect since a trace holds the path taken. It reads the
// trace that far first, where the trace and the process's turn go, so
// that what it sees does not depend on how the trace is read.
func (c *ooo) predict(t sim.Cycle) {
	if c.fetched == c.filled {
		c.fill() // what fetch would read next, read first
	}
	for c.filled <= c.fetched+c.bpAhead && c.readAhead() {
	}
	c.bpSeq = max(c.bpSeq, c.fetched)
	for end := min(c.fetched+c.bpAhead, c.filled); c.bpSeq+1 < end; c.bpSeq++ {
		if in := c.instr(c.bpSeq); in.Branch {
			c.bp.Branch(t, in.IP, in.Taken, c.instr(c.bpSeq+1).IP)
		}
	}
}
