package dram

import (
	"fmt"
	"testing"

	"github.com/vmemu/vmemu/sim"
)

// jedecChecker re-derives, independently of device.go, the JEDEC rules
// between every pair of commands on a channel and the state each command
// needs, and reports any command the controller issued too early or in the
// wrong state.
type jedecChecker struct {
	cfg    Config
	log    []issuedCmd
	open   []int32  // per bank: open row, or -1
	actAt  []uint64 // per bank: last ACT
	freeAt []uint64 // per bank: ACT allowed from (after an auto-precharge)
	fails  []string
}

type issuedCmd struct {
	t                 uint64
	kind              cmdKind
	rank, group, bank int
	num               int // bank number within its group
}

func newChecker(cfg Config) *jedecChecker {
	n := cfg.Geometry.Ranks * cfg.Geometry.Banks()
	c := &jedecChecker{cfg: cfg, open: make([]int32, n), actAt: make([]uint64, n), freeAt: make([]uint64, n)}
	for i := range c.open {
		c.open[i] = -1
	}
	return c
}

func (c *jedecChecker) failf(format string, args ...any) {
	if len(c.fails) < 10 {
		c.fails = append(c.fails, fmt.Sprintf(format, args...))
	}
}

func col(k cmdKind) (read, write bool) { return k == cmdRD || k == cmdRDA, k == cmdWR || k == cmdWRA }

// minGap is the least cycles from command p to command q by JESD79-4/-5,
// or 0 when they do not constrain each other.
func (c *jedecChecker) minGap(p, q issuedCmd) int {
	tm, bl2 := c.cfg.Timing, c.cfg.Geometry.BurstLength/2
	pr, pw := col(p.kind)
	qr, qw := col(q.kind)
	gap := 0
	need := func(v int) { gap = max(gap, v) }
	if p.rank != q.rank {
		switch {
		case pr && qr, pw && qw:
			need(bl2 + tm.RTRS)
		case pr && qw:
			need(tm.CL + bl2 + tm.RTRS - tm.CWL)
		case pw && qr:
			need(tm.CWL + bl2 + tm.RTRS - tm.CL)
		}
		return gap
	}
	sameGroup, sameBank := p.group == q.group, p.bank == q.bank
	switch {
	case pr && qr, pw && qw:
		need(tm.CCDS)
		if sameGroup {
			need(tm.CCDL)
		}
	case pw && qr:
		need(tm.CWL + bl2 + tm.WTRS)
		if sameGroup {
			need(tm.CWL + bl2 + tm.WTRL)
		}
	case pr && qw:
		need(tm.CL + bl2 + 2 - tm.CWL)
	}
	if p.kind == cmdACT && q.kind == cmdACT {
		need(tm.RRDS)
		if sameGroup {
			need(tm.RRDL)
		}
		if sameBank {
			need(tm.RC)
		}
	}
	if sameBank {
		switch {
		case p.kind == cmdACT && (qr || qw):
			need(tm.RCD)
		case p.kind == cmdACT && q.kind == cmdPRE:
			need(tm.RAS)
		case p.kind == cmdPRE && q.kind == cmdACT:
			need(tm.RP)
		case pr && q.kind == cmdPRE:
			need(tm.RTP)
		case pw && q.kind == cmdPRE:
			need(tm.CWL + bl2 + tm.WR)
		}
	}
	switch {
	case p.kind == cmdREF && (q.kind == cmdACT || q.kind == cmdREF || q.kind == cmdREFsb):
		need(tm.RFC)
	case p.kind == cmdPRE && (q.kind == cmdREF || (q.kind == cmdREFsb && p.num == q.num)):
		need(tm.RP)
	case p.kind == cmdREFsb && (q.kind == cmdREF || q.kind == cmdREFsb || (q.kind == cmdACT && p.num == q.num)):
		need(tm.RFCsb)
	}
	return gap
}

func (c *jedecChecker) check(cmd command, t uint64) {
	g := c.cfg.Geometry
	b := int(cmd.bank)
	q := issuedCmd{t: t, kind: cmd.kind, rank: b / g.Banks(), group: b / g.BanksPerGroup, bank: b, num: b % g.BanksPerGroup}
	if n := len(c.log); n > 0 && c.log[n-1].t >= t {
		c.failf("%v at %d: a command already issued at %d", cmd.kind, t, c.log[n-1].t)
	}
	c.checkState(q, cmd.row)
	acts := 0
	for i := len(c.log) - 1; i >= 0 && t-c.log[i].t < 4000; i-- {
		p := c.log[i]
		if gap := c.minGap(p, q); t-p.t < uint64(gap) {
			c.failf("%v bank %d at %d: only %d after %v bank %d at %d, need %d", q.kind, q.bank, t, t-p.t, p.kind, p.bank, p.t, gap)
		}
		if q.kind == cmdACT && p.kind == cmdACT && p.rank == q.rank {
			if acts++; acts == 4 && t-p.t < uint64(c.cfg.Timing.FAW) {
				c.failf("ACT at %d: fifth in %d cycles (tFAW %d)", t, t-p.t, c.cfg.Timing.FAW)
			}
		}
	}
	c.log = append(c.log, q)
	c.update(q, cmd.row)
}

// checkState: ACT to a closed bank (and after any auto-precharge), PRE to
// an open one, column commands to the open row, refreshes to closed banks.
func (c *jedecChecker) checkState(q issuedCmd, row int32) {
	switch q.kind {
	case cmdACT:
		if c.open[q.bank] >= 0 || q.t < c.freeAt[q.bank] {
			c.failf("ACT bank %d at %d: open row %d, free from %d", q.bank, q.t, c.open[q.bank], c.freeAt[q.bank])
		}
	case cmdPRE:
		if c.open[q.bank] < 0 {
			c.failf("PRE bank %d at %d: already closed", q.bank, q.t)
		}
	case cmdREF, cmdREFsb:
		g := c.cfg.Geometry
		for i := q.rank * g.Banks(); i < (q.rank+1)*g.Banks(); i++ {
			if q.kind == cmdREFsb && i%g.BanksPerGroup != q.num {
				continue
			}
			if c.open[i] >= 0 || q.t < c.freeAt[i] {
				c.failf("%v at %d: bank %d open or precharging", q.kind, q.t, i)
			}
		}
	default:
		if c.open[q.bank] != row {
			c.failf("%v bank %d row %d at %d: open row is %d", q.kind, q.bank, row, q.t, c.open[q.bank])
		}
	}
}

func (c *jedecChecker) update(q issuedCmd, row int32) {
	tm, bl2 := c.cfg.Timing, uint64(c.cfg.Geometry.BurstLength/2)
	switch q.kind {
	case cmdACT:
		c.open[q.bank], c.actAt[q.bank] = row, q.t
	case cmdPRE:
		c.open[q.bank] = -1
	case cmdRDA, cmdWRA:
		// The auto-precharge starts after tRTP (reads) or write recovery,
		// and not before tRAS; the bank takes an ACT tRP later.
		pre := q.t + uint64(tm.RTP)
		if q.kind == cmdWRA {
			pre = q.t + uint64(tm.CWL) + bl2 + uint64(tm.WR)
		}
		pre = max(pre, c.actAt[q.bank]+uint64(tm.RAS))
		c.open[q.bank], c.freeAt[q.bank] = -1, pre+uint64(tm.RP)
	}
}

// A long random run of mixed reads and writes under many configurations:
// every command the controller issues must obey the rules, and every
// request must be served.
func TestStressJEDEC(t *testing.T) {
	type variant struct {
		name   string
		preset string
		change func(*Config)
	}
	variants := []variant{
		{"ddr4-2400 default", "ddr4-2400", nil},
		{"ddr4-2400 2 ranks closed page FCFS", "ddr4-2400", func(c *Config) {
			c.Geometry.Ranks, c.Policy.Page, c.Policy.Scheduler = 2, ClosedPage, FCFS
		}},
		{"ddr4-2400 4 ranks row-hit cap xor", "ddr4-2400", func(c *Config) {
			c.Geometry.Ranks, c.Policy.RowHitCap, c.Policy.Mapping = 4, 4, "RoBaRaCoCh-xor"
		}},
		{"ddr4-3200 tiny queues ChRaBaRoCo", "ddr4-3200", func(c *Config) {
			c.Policy.ReadQueue, c.Policy.WriteQueue, c.Policy.DrainHigh, c.Policy.DrainLow = 4, 4, 3, 1
			c.Policy.Mapping = "ChRaBaRoCo"
		}},
		{"ddr5-4800 per-bank refresh", "ddr5-4800", func(c *Config) { c.Policy.Refresh = PerBankRefresh }},
		{"ddr5-4800 2 ranks closed page", "ddr5-4800", func(c *Config) { c.Geometry.Ranks, c.Policy.Page = 2, ClosedPage }},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			cfg := preset(t, v.preset)
			if v.change != nil {
				v.change(&cfg)
			}
			checkers := make([]*jedecChecker, cfg.Geometry.Channels)
			for i := range checkers {
				checkers[i] = newChecker(cfg)
			}
			rng := sim.NewRNG(11)
			var recs []Record
			var cycle uint64
			reads := uint64(0)
			for range 6000 {
				// Bursts and pauses, a small footprint (row hits, forwarding)
				// and a large one (conflicts).
				cycle += uint64(rng.IntN(3)) * uint64(rng.IntN(30))
				span := 1 << 20
				if rng.IntN(2) == 0 {
					span = 1 << 30
				}
				w := rng.IntN(3) == 0
				recs = append(recs, Record{Addr: uint64(rng.IntN(span/64)) * 64, Write: w, Cycle: cycle})
				if !w {
					reads++
				}
			}
			res, err := replay(cfg, func(ch int, c command, at uint64) { checkers[ch].check(c, at) }, []RecordSource{Records(recs)})
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range checkers {
				for _, f := range c.fails {
					t.Errorf("channel %d: %s", i, f)
				}
			}
			if res.Reads != reads || res.Writes != uint64(len(recs))-reads {
				t.Errorf("reads %d writes %d, want %d %d", res.Reads, res.Writes, reads, uint64(len(recs))-reads)
			}
			if res.RD+res.ForwardedReads != res.Reads {
				t.Errorf("RD %d + forwarded %d != reads %d", res.RD, res.ForwardedReads, res.Reads)
			}
			if res.REF == 0 {
				t.Error("no refresh in a long run")
			}
			t.Logf("%d cycles, RD %d WR %d ACT %d PRE %d REF %d, hit rate %.2f, avg latency %.1f",
				res.EndCycle, res.RD, res.WR, res.ACT, res.PRE, res.REF, res.RowHitRate, res.ReadLatencyMean)
		})
	}
}

// The checker is worth something only if it catches a controller that
// breaks a rule: run one whose timings are one cycle short.
func TestStressCheckerCatches(t *testing.T) {
	for _, field := range []string{"tRCD", "tRP", "tCCD_L", "tFAW", "tWTR_S", "tRFC"} {
		cfg := preset(t, "ddr4-2400")
		fast := cfg
		*fast.Timing.Field(field)--
		fast.Timing.RC = fast.Timing.RAS + fast.Timing.RP
		chk := newChecker(cfg)
		recs := randomReads(12, 3000, 1<<22, 3)
		for i := range recs {
			recs[i].Write = i%4 == 0
		}
		if _, err := replay(fast, func(_ int, c command, at uint64) { chk.check(c, at) }, []RecordSource{Records(recs)}); err != nil {
			t.Fatal(err)
		}
		if len(chk.fails) == 0 {
			t.Errorf("%s one short: the checker saw nothing", field)
		}
	}
}
