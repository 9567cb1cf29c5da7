package dram

import (
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

func TestReadForwardingAndWriteMerging(t *testing.T) {
	cfg := preset(t, "ddr4-2400")
	h := newHarness(t, cfg, cfg.ClockHz)
	x := addr(t, cfg, Location{Row: 3, Column: 2})
	h.write(0, x)
	h.write(1, x) // merged into the queued write
	h.read(10, x, 1)
	if got := h.done(1); got != 11 {
		t.Errorf("read of a queued write's line done at %d, want 11 (the next cycle)", got)
	}
	s := h.ctl.Summary()
	want := Summary{Reads: 1, Writes: 2, ForwardedReads: 1, MergedWrites: 1, ACT: 1, WR: 1, RD: 0, RowMisses: 1}
	got := Summary{Reads: s.Reads, Writes: s.Writes, ForwardedReads: s.ForwardedReads, MergedWrites: s.MergedWrites, ACT: s.ACT, WR: s.WR, RD: s.RD, RowMisses: s.RowMisses}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// Writes wait while reads are served, until the write queue reaches the
// high watermark; then they drain to the low one before reads resume.
func TestWriteDrainWatermarks(t *testing.T) {
	cfg := preset(t, "ddr4-2400")
	row := func(r int) uint64 { return addr(t, cfg, Location{Row: r, BankGroup: 1}) }
	tests := []struct {
		name    string
		writes  int
		minLate sim.Cycle // the read's latency is at least this
		maxLate sim.Cycle
	}{
		{"below the watermark: the read goes first", 5, 37, 37},
		{"at the watermark: writes drain to 6 first", 26, 200, 2000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, cfg, cfg.ClockHz)
			for i := range tc.writes {
				h.write(sim.Cycle(i), row(100+i)) // all to one bank, each its own row
			}
			at := sim.Cycle(tc.writes)
			h.read(at, addr(t, cfg, Location{Row: 7}), 1)
			lat := h.done(1) - at
			if lat < tc.minLate || lat > tc.maxLate {
				t.Errorf("read latency %d, want %d..%d", lat, tc.minLate, tc.maxLate)
			}
			if tc.writes >= cfg.Policy.DrainHigh {
				// Drained down to the low watermark before the read, the
				// rest after it (no read waits, so writes drain fully).
				if s := h.ctl.Summary(); s.WR != uint64(tc.writes) {
					t.Errorf("WR = %d, want %d", s.WR, tc.writes)
				}
			}
		})
	}
}

// FR-FCFS serves younger row hits before an older conflict; FCFS keeps
// arrival order; a row-hit cap gives the older request its turn. Read A1
// opens row 1 at cycle 1; B (row 2, same bank) arrives next, then four more
// reads of row 1, all before B's PRE could issue (tRAS holds it to 40).
func TestSchedulerOrder(t *testing.T) {
	tests := []struct {
		name  string
		sched SchedulerKind
		cap   int
		order []uint64 // completion order of B (1) and the row-1 reads (10..13)
		hits  uint64
	}{
		{"FR-FCFS", FRFCFS, 0, []uint64{10, 11, 12, 13, 1}, 4},
		{"FCFS", FCFS, 0, []uint64{1, 10, 11, 12, 13}, 3},
		{"FR-FCFS, row-hit cap 2", FRFCFS, 2, []uint64{10, 1, 11, 12, 13}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := preset(t, "ddr4-2400")
			cfg.Policy.Scheduler, cfg.Policy.RowHitCap = tc.sched, tc.cap
			h := newHarness(t, cfg, cfg.ClockHz)
			h.read(0, addr(t, cfg, Location{Row: 1}), 0)
			h.read(1, addr(t, cfg, Location{Row: 2}), 1)
			for i := range 4 {
				h.read(sim.Cycle(2+i), addr(t, cfg, Location{Row: 1, Column: 1 + i}), uint64(10+i))
			}
			h.eng.Run()
			got := append([]uint64(nil), tc.order...)
			sort.Slice(got, func(i, j int) bool { return h.rec.at[got[i]] < h.rec.at[got[j]] })
			if diff := cmp.Diff(tc.order, got); diff != "" {
				t.Errorf("completion order (-want +got):\n%s", diff)
			}
			if s := h.ctl.Summary(); s.RowHits != tc.hits {
				t.Errorf("row hits %d, want %d", s.RowHits, tc.hits)
			}
		})
	}
}

// Closed page closes a row with its last queued access (RDA), so a later
// read of the same row is a miss, not a hit; a read already queued for the
// row still hits.
func TestClosedPage(t *testing.T) {
	cfg := preset(t, "ddr4-2400")
	cfg.Policy.Page = ClosedPage
	h := newHarness(t, cfg, cfg.ClockHz)
	h.read(0, addr(t, cfg, Location{Row: 4}), 1)
	h.read(1, addr(t, cfg, Location{Row: 4, Column: 1}), 2)
	h.done(2)
	h.read(1000, addr(t, cfg, Location{Row: 4, Column: 2}), 3)
	if got := h.done(3) - 1000; got != 37 {
		t.Errorf("read after the row was closed: %d cycles, want 37 (a miss)", got)
	}
	s := h.ctl.Summary()
	if s.RowHits != 1 || s.RowMisses != 2 || s.PRE != 0 || s.ACT != 2 {
		t.Errorf("hits %d misses %d PRE %d ACT %d, want 1 2 0 2", s.RowHits, s.RowMisses, s.PRE, s.ACT)
	}
}

// A refresh falls due at tREFI: open banks are precharged, REF issues tRP
// later, and the rank may activate again tRFC after that.
func TestRefreshStallsReads(t *testing.T) {
	cfg := preset(t, "ddr4-2400")
	for _, arrive := range []sim.Cycle{9360, 9400} { // at the due cycle; after it, the channel idle
		h := newHarness(t, cfg, cfg.ClockHz)
		h.read(0, addr(t, cfg, Location{Row: 1}), 1) // leaves bank 0 open
		h.read(arrive, addr(t, cfg, Location{Row: 1, Column: 1}), 2)
		// PRE at 9360, REF at 9376, ACT at 9796, RD at 9812, data at 9832.
		if got := h.done(2); got != 9832 {
			t.Errorf("read arriving at %d done at %d, want 9832", arrive, got)
		}
		if s := h.ctl.Summary(); s.REF != 1 || s.PRE != 1 || s.RowMisses != 2 {
			t.Errorf("REF %d PRE %d misses %d, want 1 1 2", s.REF, s.PRE, s.RowMisses)
		}
	}
}

func TestRefreshPolicies(t *testing.T) {
	tests := []struct {
		preset  string
		refresh RefreshPolicy
		perREFI uint64 // refresh commands per channel per tREFI
	}{
		{"ddr4-2400", AllBankRefresh, 1},
		{"ddr4-2400", NoRefresh, 0},
		{"ddr5-4800", AllBankRefresh, 1},
		{"ddr5-4800", PerBankRefresh, 4}, // one per bank number
	}
	for _, tc := range tests {
		t.Run(tc.preset+" "+string(tc.refresh), func(t *testing.T) {
			cfg := preset(t, tc.preset)
			cfg.Policy.Refresh = tc.refresh
			res, err := Replay(cfg, Records(randomReads(4, 20_000, 1<<30, 50)))
			if err != nil {
				t.Fatal(err)
			}
			iv := uint64(cfg.Timing.REFI) / max(tc.perREFI, 1)
			want := res.EndCycle / iv * tc.perREFI / max(tc.perREFI, 1) * uint64(cfg.Geometry.Channels)
			if tc.perREFI == 0 {
				want = 0
			}
			if res.REF != want {
				t.Errorf("REF = %d over %d cycles, want %d", res.REF, res.EndCycle, want)
			}
			if res.Reads != 20_000 {
				t.Errorf("reads %d", res.Reads)
			}
		})
	}
}

// Per-bank refresh stalls only the refreshed banks: with it, DDR5 random
// reads wait less than with all-bank refresh. (Without refresh they wait
// longer than with per-bank refresh: open-page random reads then always
// find another row open, while refresh leaves banks closed, and a miss is
// cheaper than a conflict.)
func TestPerBankRefreshStallsLess(t *testing.T) {
	lat := map[RefreshPolicy]float64{}
	for _, p := range []RefreshPolicy{AllBankRefresh, PerBankRefresh, NoRefresh} {
		cfg := preset(t, "ddr5-4800")
		cfg.Policy.Refresh = p
		res, err := Replay(cfg, Records(randomReads(5, 50_000, 1<<30, 100)))
		if err != nil {
			t.Fatal(err)
		}
		lat[p] = res.ReadLatencyMean
	}
	t.Logf("DDR5 avg read latency: all-bank %.2f, per-bank %.2f, none %.2f", lat[AllBankRefresh], lat[PerBankRefresh], lat[NoRefresh])
	if !(lat[PerBankRefresh] < lat[AllBankRefresh] && lat[NoRefresh] < lat[AllBankRefresh]) {
		t.Errorf("want per-bank and none below all-bank")
	}
}

// Idle time costs nothing: the events a run takes do not grow with the
// idle stretches between requests, and the refreshes of those stretches are
// still counted.
func TestIdleCostsNothing(t *testing.T) {
	cfg := preset(t, "ddr4-2400")
	events := func(gap sim.Cycle) (uint64, Summary) {
		h := newHarness(t, cfg, cfg.ClockHz)
		for i := range 100 {
			h.read(sim.Cycle(i)*gap, uint64(i)*(1<<20), uint64(i))
		}
		h.eng.Run()
		end := 99*gap + 1000
		h.ctl.Settle(end)
		return h.eng.Fired(), h.ctl.Summary()
	}
	near, _ := events(1000)
	far, s := events(1_000_000_000)
	t.Logf("events for 100 reads: %d with 1000-cycle gaps, %d with 1e9-cycle gaps", near, far)
	if far > near+10 {
		t.Errorf("idle gaps cost events: %d vs %d", far, near)
	}
	if want := uint64(99*1_000_000_000+1000) / 9360; s.REF != want {
		t.Errorf("REF after Settle = %d, want %d", s.REF, want)
	}
}

// The Port (completions at their cycle) and the replay (told at the READ)
// give the same cycles; and a run is deterministic.
func TestPortMatchesReplay(t *testing.T) {
	cfg := preset(t, "ddr4-2400")
	recs := randomReads(6, 3000, 1<<26, 7)
	for i := range recs {
		recs[i].Write = i%5 == 0
	}
	res, err := Replay(cfg, Records(recs))
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Replay(cfg, Records(recs))
	if diff := cmp.Diff(res, again); diff != "" {
		t.Errorf("two runs differ:\n%s", diff)
	}
	// Through the Port: each request at its cycle, in order; the ingress
	// admits one per cycle just as the replay does.
	h := newHarness(t, cfg, cfg.ClockHz)
	var last sim.Cycle
	for i, r := range recs {
		if r.Write {
			h.write(sim.Cycle(r.Cycle), r.Addr)
			continue
		}
		h.read(sim.Cycle(r.Cycle), r.Addr, uint64(i))
	}
	h.eng.Run()
	for _, at := range h.rec.at {
		last = max(last, at)
	}
	s := h.ctl.Summary()
	if s.ReadLatencyMean != res.ReadLatencyMean || uint64(last) != res.EndCycle || s.ACT != res.ACT {
		t.Errorf("Port: mean %.3f end %d ACT %d; replay: mean %.3f end %d ACT %d",
			s.ReadLatencyMean, last, s.ACT, res.ReadLatencyMean, res.EndCycle, res.ACT)
	}
}

func TestStatsRegistered(t *testing.T) {
	cfg := preset(t, "ddr4-2400")
	cfg.Policy.PerBankStats = true
	var eng sim.Engine
	var st sim.Stats
	ctl, err := New(&eng, cfg, 4_000_000_000, &st, "dram")
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{at: map[uint64]sim.Cycle{}}
	ctl.Access(0, &sim.Request{Addr: addr(t, cfg, Location{BankGroup: 2, Bank: 3, Row: 8}), Size: 64, Kind: sim.Load, Done: rec})
	eng.Run()
	for name, want := range map[string]uint64{
		"dram.act": 1, "dram.rd": 1, "dram.reads": 1, "dram.row_misses": 1,
		"dram.read_latency_sum_cycles": 37, "dram.read_latency_samples": 1,
		"dram.ch0.ra0.bg2.ba3.act": 1, "dram.ch0.ra0.bg2.ba3.rd": 1, "dram.ch0.ra0.bg0.ba0.act": 0,
	} {
		if got, ok := st.Get(name); !ok || got != want {
			t.Errorf("%s = %d (registered %v), want %d", name, got, ok, want)
		}
	}
	counters := []any{&ctl.ctr, &ctl.hist}
	for _, ch := range ctl.channels {
		for b := range ch.bq {
			counters = append(counters, &ch.bq[b].stats)
		}
	}
	for _, counters := range counters {
		if missed := st.Unregistered(counters); len(missed) > 0 {
			t.Errorf("counters not registered: %v", missed)
		}
	}
	// A registry reset (end of warm-up) also resets the percentiles.
	st.Reset()
	ctl.Access(eng.Now(), &sim.Request{Addr: addr(t, cfg, Location{BankGroup: 2, Bank: 3, Row: 8, Column: 1}), Size: 64, Kind: sim.Load, Done: rec})
	eng.Run()
	if s := ctl.Summary(); s.ReadLatencyP99 != 21 || s.ReadLatencyMean != 21 {
		t.Errorf("after reset: p99 %d mean %.1f, want 21 21", s.ReadLatencyP99, s.ReadLatencyMean)
	}
}
