package cpu

import (
	"math/bits"

	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

const (
	fetchBlock = 64 // bytes the front end fetches at once: one cache line
	// readChunk is the most instructions read from the trace at once.
	// The ring holds them beside the ROB and the fetch queue, and every
	// instruction's entry (128 bytes, and a slot of 120) is read again
	// from fill to retirement: 64 keep a core's ring at 1,024 entries
	// and its live part in the host's caches, where 1,024 made it 2,048
	// and pushed four cores' rings out (four cores on random loads +3-4%).
	readChunk = 64
	noRec     = ^uint64(0)
)

// The top two bits of an Access ID or an event argument say what it is for.
const (
	tagShift = 62
	tagMask  = 1<<tagShift - 1

	tagLoad  = 0 // ID: a load queue entry's sequence number
	tagStore = 1 // ID: a store buffer entry's sequence number
	tagFetch = 2 // ID: a fetch record's sequence number << 1 | access

	evIssue      = 0 // event: the instruction's sources are ready; present its loads
	evLoadDone   = 1 // event: a load counted in flight has its data
	evUnthrottle = 2 // event: room for throttled loads
)

// ooo is the out-of-order core. One ring holds every instruction between
// retirement and the trace reader: [retired, dispatched) is the ROB,
// [dispatched, fetched) the fetch queue, [fetched, filled) read but not yet
// fetched. The core runs cycle by cycle only while it has work; a stalled
// core jumps to the next cycle at which anything can change: the head's
// data, the front end's, the store buffer's, or the engine's next event.
type ooo struct {
	*run
	// The run's parts used on every instruction, here rather than one
	// pointer away.
	eng   *sim.Engine
	mem   Memory
	t     *tally
	m     *meter
	width int
	fq    uint64 // fetch queue entries
	exec  sim.Cycle
	limit int // MaxInflightLoads

	now     sim.Cycle
	started bool // stepped at least once

	ins  []traces.Instr
	st   []slot
	mask uint64

	retired, dispatched, fetched, filled uint64

	// work done in the current cycle, against Width
	cycRetired, cycDispatched, cycFetched int

	front
	loads
	stores

	regReady [256]sim.Cycle // when each register's latest value is there; Never: not yet known
	regProd  [256]uint64    // the instruction producing it, while Never

	inCallback bool      // inside Memory's call to AccessDone: do not call Memory
	stallFrom  sim.Cycle // the first cycle not yet charged to the CPI stack
	haltUntil  sim.Cycle // no retirement, dispatch or fetch before it (an interrupt)
	switching  bool      // the turn is over: drain, then switch process
	feedDone   bool      // no instruction left to read

	// nextKnown says nextAt is nextTime's answer for the state as it is:
	// on a machine of several cores the loop asks every core's next
	// cycle at every event's turn, most of them a core's own that no
	// event changed. Everything nextTime reads changes only in step,
	// interrupt, AccessDone and Handle, and each of them forgets it.
	nextKnown bool
	nextAt    sim.Cycle

	predictor
}

// slot is an instruction's state while it is in the ring.
type slot struct {
	fetchedAt  sim.Cycle
	dispatchAt sim.Cycle
	ready      sim.Cycle // latest ready time of its sources known so far
	done       sim.Cycle // when its result is there; Never until known
	arrive     sim.Cycle // latest data arrival among its loads so far
	rec        uint64    // its fetch record, or noRec
	lq0        uint64    // its first load queue entry
	crit       uint64    // the load queue entry whose data came last
	prods      [4]uint64 // producers of its sources still unknown at dispatch
	waiters    uint64    // 1 + the first instruction waiting for this one; 0: none
	nextWaiter uint64    // 1 + the next instruction on the same producer's list
	nprods     uint8
	waitIdx    uint8 // prods[waitIdx] is the one it waits for
	nloads     uint8
	nstores    uint8
	pending    uint8 // loads presented whose data time is not yet known
	cont       bool  // a continuation: not counted as an instruction
}

func ringSize(n int) uint64 { return 1 << bits.Len(uint(n-1)) }

func init() {
	register(OOO, "an out-of-order window that overlaps misses", func(r *run) model { return newOOO(r) })
}

func newOOO(r *run) *ooo {
	cfg := r.cfg
	fq := cfg.fetchQueue()
	ahead := 0 // instructions read past fetch for the branch predictor
	b, ok := r.mem.(brancher)
	if ok {
		ahead = max(b.BranchLookahead(), 0)
	}
	n := ringSize(cfg.ROB + fq + ahead + readChunk)
	o := &ooo{run: r, eng: r.eng, mem: r.mem, t: r.t, m: r.m, width: cfg.Width, fq: uint64(fq), exec: cfg.ExecLatency,
		limit: cfg.MaxInflightLoads, now: r.eng.Now(),
		ins: make([]traces.Instr, n), st: make([]slot, n), mask: n - 1}
	o.stallFrom = o.now
	o.front.init(fq)
	o.onTaken = cfg.FetchOnTaken
	if ahead > 0 {
		o.bp, o.bpAhead = b, uint64(ahead)
	}
	o.loads.init(cfg.LQ, cfg.ROB)
	o.stores.init(cfg.StoreBuffer)
	return o
}

func (c *ooo) slot(seq uint64) *slot          { return &c.st[seq&c.mask] }
func (c *ooo) instr(seq uint64) *traces.Instr { return &c.ins[seq&c.mask] }

// next is the next cycle at which the core can do anything on its own;
// the first step is at the cycle it was made.
func (c *ooo) next() sim.Cycle {
	if !c.started {
		return c.now
	}
	if !c.nextKnown {
		c.nextAt, c.nextKnown = c.nextTime(), true
	}
	return c.nextAt
}

// step does the work of cycle now. It may be stepped again in the same
// cycle (after an engine event falls in it): the per-cycle counts carry
// over.
func (c *ooo) step(now, _ sim.Cycle) {
	c.nextKnown = false
	if now > c.now || !c.started {
		c.now, c.started = max(now, c.now), true
		c.cycRetired, c.cycDispatched, c.cycFetched = 0, 0, 0
	}
	c.sbFree(now)
	if now >= c.haltUntil {
		c.retire(now)
		c.dispatch(now)
		c.fetch(now)
		if c.switching && c.drained() {
			c.switchProcess(now)
		}
	}
	switch {
	case c.err != nil:
		c.finish(c.now, c.err)
	case c.over():
		c.finish(c.drainEnd(), nil)
	}
}

// drained reports an empty ROB, fetch queue and store buffer.
func (c *ooo) drained() bool {
	return c.retired == c.fetched && c.fetched == c.filled && c.sbHead == c.sbTail
}

func (c *ooo) over() bool { return c.feedDone && c.drained() }

// nextTime is the next cycle at which the core itself can do anything,
// Never if only an engine event can tell.
func (c *ooo) nextTime() sim.Cycle {
	soon := c.now + 1
	next := sim.Never
	if c.retired < c.dispatched {
		next = c.retireTime()
	}
	if c.dispatched < c.fetched && c.room(c.slot(c.dispatched)) {
		if c.cycDispatched >= c.width {
			next = min(next, soon)
		} else {
			next = min(next, max(c.avail(c.slot(c.dispatched)), soon))
		}
	}
	if c.canFetch() {
		next = min(next, max(soon, c.fetchResume))
	}
	if c.retired == c.fetched && c.sbHead != c.sbTail && (c.switching || c.feedDone) {
		next = min(next, max(c.sbOldest(), soon))
	}
	if next != sim.Never {
		next = max(next, c.haltUntil)
	}
	return next
}

func (c *ooo) oneCycle() {}

func (c *ooo) answered() *bool { return &c.nextKnown }

// free is the first cycle from now outside an interrupt the core is in.
func (c *ooo) free(now sim.Cycle) sim.Cycle { return max(now, c.haltUntil) }

// interrupt stops retirement, dispatch and fetch from at to until; what
// is in flight goes on. The cycles are charged when the stall they fall in
// is (at the head's retirement), to shootdown.
func (c *ooo) interrupt(at, until sim.Cycle) {
	c.nextKnown = false
	c.haltUntil = until
	c.t.halts = append(c.t.halts, window{at, until})
}

func (c *ooo) charged() sim.Cycle { return c.stallFrom }

// retireTime is when the ROB head can retire next, as far as is known.
func (c *ooo) retireTime() sim.Cycle {
	if c.cycRetired >= c.width {
		return c.now + 1
	}
	s := c.slot(c.retired)
	if s.done == sim.Never {
		return sim.Never
	}
	if rr := max(s.done, s.dispatchAt+1); rr > c.now {
		return rr
	}
	if s.nstores > 0 && !c.sbRoom(s.nstores) {
		return max(c.sbOldest(), c.now+1) // it waits for room in the store buffer
	}
	return c.now + 1
}
