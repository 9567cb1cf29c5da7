package dram

import (
	"errors"

	"github.com/vmemu/vmemu/sim"
)

// Controller is the memory controller of every channel and the DRAM behind
// it. It implements sim.Port, so the last cache level can sit on it: reads
// complete through req.Done when their data is in, writes are posted.
// Internally it counts DRAM cycles and converts to core cycles with an
// exact ratio.
type Controller struct {
	cfg      Config
	eng      *sim.Engine
	ratio    sim.Ratio // DRAM cycles to core cycles
	mapping  *Mapping
	channels []*channel
	line     uint64 // bytes per access
	ctr      counters
	hist     latencyHist
	stats    *sim.Stats // where the counters are registered
	prefix   string     // under this name
	splits   splitTable
	// onAdmit, when set, hears of every request entering a queue (the
	// trace replay feeds the next record from it).
	onAdmit func(t uint64)
	// standalone: the controller is its engine's only client (the trace
	// replay). It then calls Complete as soon as a read's data cycle is
	// known (at its READ) rather than at that cycle, as sim.Port allows
	// (at >= now), and handles its own next wake-up without the engine
	// when nothing else can come first (see channel.runsAhead).
	standalone bool
	// traceCmd, when set, sees every command as it issues (tests check the
	// command stream against the JEDEC rules independently).
	traceCmd func(ch int, c command, t uint64)
	// byIP, when set, is told every read counted, as readEvent.
	byIP      sim.ByIP
	readEvent sim.Event

	// Level is written into req.Served of every read the controller
	// answers, so the requester can tell which level supplied the data.
	Level sim.Level
}

// New builds the controller for cfg on engine eng. coreHz is the clock
// sim.Cycle counts (for a stand-alone run, cfg.ClockHz). Counters are
// registered with stats under prefix ("dram" gives "dram.act", ...); with
// stats nil, the controller keeps them in its own registry, as "dram".
func New(eng *sim.Engine, cfg Config, coreHz uint64, stats *sim.Stats, prefix string) (*Controller, error) {
	if eng == nil {
		return nil, errors.New("dram: New needs an engine")
	}
	if coreHz == 0 {
		return nil, errors.New("dram: core clock must be positive")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m, err := ParseMapping(cfg.Policy.Mapping, cfg.Geometry)
	if err != nil {
		return nil, err
	}
	c := &Controller{
		cfg:     cfg,
		eng:     eng,
		ratio:   sim.NewRatio(cfg.ClockHz, coreHz),
		mapping: m,
		line:    uint64(cfg.Geometry.LineBytes()),
		hist:    newLatencyHist(),
	}
	for i := range cfg.Geometry.Channels {
		c.channels = append(c.channels, newChannel(c, i))
	}
	if stats == nil {
		stats, prefix = &sim.Stats{}, "dram"
	}
	c.stats, c.prefix = stats, prefix
	c.register(stats, prefix)
	return c, nil
}

func (c *Controller) register(s *sim.Stats, prefix string) {
	c.ctr.register(s, prefix)
	c.hist.register(s, prefix)
	if !c.cfg.Policy.PerBankStats {
		return
	}
	g := c.cfg.Geometry
	for _, ch := range c.channels {
		for b := range ch.bq {
			l := Location{Rank: b / g.Banks(), BankGroup: b % g.Banks() / g.BanksPerGroup, Bank: b % g.BanksPerGroup}
			ch.bq[b].stats.register(s, bankPrefix(prefix, ch.id, l))
		}
	}
}

// Config returns the configuration the controller runs.
func (c *Controller) Config() Config { return c.cfg }

// Mapping returns the address mapping in use.
func (c *Controller) Mapping() *Mapping { return c.mapping }

// Access presents req at core cycle now (sim.Port). A write (a posted
// store, a write-back, a dirty victim; not the fill of a line a store
// missed on, which is a read) is posted: it returns now, true, and the controller keeps its own
// copy of what it needs. A read returns false; req.Done.Complete is called
// at the core cycle its last line's data is in. A clean victim needs no
// DRAM traffic. An address beyond the capacity wraps around (and is
// counted as out_of_range).
func (c *Controller) Access(now sim.Cycle, req *sim.Request) (sim.Cycle, bool) {
	if req.Kind == sim.Victim && !req.Dirty {
		return now, true
	}
	write := !req.IsRead()
	t := c.tickAt(now)
	first := req.Addr &^ (c.line - 1)
	n := uint64(1)
	if req.Size > 1 {
		n = ((req.Addr+uint64(req.Size)-1)&^(c.line-1)-first)/c.line + 1
	}
	if write {
		for i := range n {
			c.route(first+i*c.line, nil, none, true, t)
		}
		return now, true
	}
	split := int32(none)
	if n > 1 {
		split = c.splits.open(req, int32(n))
	}
	for i := range n {
		c.route(first+i*c.line, req, split, false, t)
	}
	return 0, false
}

func (c *Controller) route(addr uint64, req *sim.Request, split int32, write bool, t uint64) {
	if capacity := c.mapping.Capacity(); addr >= capacity {
		c.ctr.outOfRange++
		addr &= capacity - 1 // capacities are powers of two
	}
	l := c.mapping.Decode(addr)
	g := &c.cfg.Geometry
	bank := int32((l.Rank*g.BankGroups+l.BankGroup)*g.BanksPerGroup + l.Bank)
	a := arrival{addr: addr, req: req, at: t, bank: bank, row: int32(l.Row), write: write, split: split}
	c.channels[l.Channel].enqueue(a, t)
}

// CountReadsByIP makes the controller tell b of every read it counts (a
// line of a read request, as it enters a queue), as event e at the IP the
// request carries. A nil b stops it.
func (c *Controller) CountReadsByIP(b sim.ByIP, e sim.Event) { c.byIP, c.readEvent = b, e }

// tickAt is the first DRAM cycle at or after core cycle now.
func (c *Controller) tickAt(now sim.Cycle) uint64 {
	n := c.ratio.Back(uint64(now))
	if c.ratio.Convert(n) < uint64(now) {
		n++
	}
	return n
}

// CoreCycle converts a DRAM cycle to the core cycle it happens at.
func (c *Controller) CoreCycle(dramCycle uint64) sim.Cycle {
	return sim.Cycle(c.ratio.Convert(dramCycle))
}

// finishRead records a read's latency and tells its requester when all of
// its lines are in.
func (c *Controller) finishRead(done completion) {
	lat := done.at - done.arrive
	c.hist.add(lat)
	c.ctr.latencySamples++
	c.ctr.latencySum += lat
	req := done.req
	if req == nil {
		return
	}
	at := max(c.CoreCycle(done.at), c.eng.Now())
	if done.split != none {
		var ok bool
		if at, ok = c.splits.done(done.split, at); !ok {
			return // other lines of the request are still out
		}
	}
	req.Served = c.Level
	req.Trace.Add(c.Level, "dram", c.CoreCycle(done.arrive), at)
	if req.Done != nil {
		req.Done.Complete(req, at)
	}
}

// Settle brings bookkeeping that an idle controller defers (refreshes due
// while nothing ran, queue occupancy) up to core cycle now, so that a
// Summary taken at the end of a run counts them. Call it with the engine
// drained or at its present cycle.
func (c *Controller) Settle(now sim.Cycle) {
	t := c.tickAt(now)
	for _, ch := range c.channels {
		ch.account(t)
		if !ch.busy() {
			ch.catchUpRefresh(t)
		}
	}
}

// Summary is the statistics so far (call Settle first to include an idle
// stretch at the end).
func (c *Controller) Summary() Summary { return SummaryOf(c.cfg, c.stats.Snapshot(), c.prefix) }

// SummaryOf reads the statistics of a controller of configuration cfg from
// a snapshot of the registry it counts in, under prefix.
func SummaryOf(cfg Config, snap sim.Snapshot, prefix string) Summary {
	v := func(name string) uint64 { return snap.Value(prefix + "." + name) }
	s := Summary{
		Reads: v("reads"), Writes: v("writes"),
		ForwardedReads: v("forwarded_reads"), MergedWrites: v("merged_writes"),
		ACT: v("act"), PRE: v("pre"), RD: v("rd"), WR: v("wr"), REF: v("ref"),
		RowHits: v("row_hits"), RowMisses: v("row_misses"), RowConflicts: v("row_conflicts"),
		IngressWait: v("ingress_wait_cycles"),
		Cycles:      v("channel_cycles") / uint64(cfg.Geometry.Channels),
	}
	if n := s.RD + s.WR; n > 0 {
		s.RowHitRate = float64(s.RowHits) / float64(n)
	}
	if n := v("read_latency_samples"); n > 0 {
		bins := snap.Bins(prefix + ".read_latency")
		s.ReadLatencyMean = float64(v("read_latency_sum_cycles")) / float64(n)
		s.ReadLatencyP50 = percentile(bins, n, 50)
		s.ReadLatencyP95 = percentile(bins, n, 95)
		s.ReadLatencyP99 = percentile(bins, n, 99)
	}
	if cc := v("channel_cycles"); cc > 0 {
		s.AvgReadQueue = float64(v("read_queue_occupancy_sum")) / float64(cc)
		s.AvgWriteQueue = float64(v("write_queue_occupancy_sum")) / float64(cc)
	}
	if s.Cycles > 0 {
		bytes := float64(s.Reads+s.Writes) * float64(cfg.Geometry.LineBytes())
		s.BandwidthGBps = bytes / (float64(s.Cycles) * cfg.TCKNanos())
	}
	return s
}

// splitTable tracks reads that span several lines: the request completes
// when its last line does, at the latest line's cycle.
type splitTable struct {
	recs []splitRec
	free []int32
}

type splitRec struct {
	req   *sim.Request
	left  int32
	ready sim.Cycle
}

func (s *splitTable) open(req *sim.Request, lines int32) int32 {
	rec := splitRec{req: req, left: lines}
	if n := len(s.free); n > 0 {
		i := s.free[n-1]
		s.free = s.free[:n-1]
		s.recs[i] = rec
		return i
	}
	s.recs = append(s.recs, rec)
	return int32(len(s.recs) - 1)
}

// done records one line in at cycle at; it reports the request's cycle and
// true when that was the last line.
func (s *splitTable) done(i int32, at sim.Cycle) (sim.Cycle, bool) {
	r := &s.recs[i]
	r.ready = max(r.ready, at)
	r.left--
	if r.left > 0 {
		return 0, false
	}
	at = r.ready
	s.recs[i] = splitRec{}
	s.free = append(s.free, i)
	return at, true
}
