package dram

import (
	"testing"

	"github.com/vmemu/vmemu/sim"
)

// Isolated reads, where DRAMsim3 and Ramulator 2.1 agree exactly: from the
// cycle a read arrives to its last data beat, a closed bank takes
// 1 + tRCD + CL + BL/2, a row hit 1 + CL + BL/2, a row conflict
// 1 + tRP + tRCD + CL + BL/2 (the 1: a request is scheduled the cycle after
// it enters the queue).
func TestIsolatedReadLatency(t *testing.T) {
	tests := []struct {
		preset                string
		closed, hit, conflict sim.Cycle
	}{
		{"ddr4-2400", 37, 21, 53},  // 1+16+16+4, 1+16+4, 1+16+16+16+4
		{"ddr4-3200", 49, 27, 71},  // 1+22+22+4, 1+22+4, 1+22+22+22+4
		{"ddr5-4800", 88, 49, 127}, // 1+39+40+8, 1+40+8, 1+39+39+40+8
	}
	for _, tc := range tests {
		t.Run(tc.preset, func(t *testing.T) {
			cfg := preset(t, tc.preset)
			h := newHarness(t, cfg, cfg.ClockHz)
			row5 := addr(t, cfg, Location{Row: 5, Column: 1})
			row5b := addr(t, cfg, Location{Row: 5, Column: 9})
			row9 := addr(t, cfg, Location{Row: 9, Column: 1})
			h.read(100, row5, 1)
			h.read(1000, row5b, 2)
			h.read(2000, row9, 3)
			got := []sim.Cycle{h.done(1) - 100, h.done(2) - 1000, h.done(3) - 2000}
			want := []sim.Cycle{tc.closed, tc.hit, tc.conflict}
			for i, name := range []string{"closed", "hit", "conflict"} {
				if got[i] != want[i] {
					t.Errorf("%s: %d DRAM cycles, want %d", name, got[i], want[i])
				}
			}
			s := h.ctl.Summary()
			if s.RowMisses != 1 || s.RowHits != 1 || s.RowConflicts != 1 {
				t.Errorf("row outcomes hit/miss/conflict = %d/%d/%d, want 1/1/1", s.RowHits, s.RowMisses, s.RowConflicts)
			}
			if s.ACT != 2 || s.PRE != 1 || s.RD != 3 {
				t.Errorf("ACT/PRE/RD = %d/%d/%d, want 2/1/3", s.ACT, s.PRE, s.RD)
			}
		})
	}
}

// The same three reads through the trace replay.
func TestIsolatedReadLatencyReplay(t *testing.T) {
	cfg := preset(t, "ddr4-2400")
	recs := []Record{
		{Addr: addr(t, cfg, Location{Row: 5}), Cycle: 0},
		{Addr: addr(t, cfg, Location{Row: 5, Column: 3}), Cycle: 1000},
		{Addr: addr(t, cfg, Location{Row: 9}), Cycle: 2000},
	}
	res, err := Replay(cfg, Records(recs))
	if err != nil {
		t.Fatal(err)
	}
	if res.ReadLatencyMean != (37+21+53)/3.0 || res.EndCycle != 2053 {
		t.Errorf("avg latency %.3f, end %d; want %.3f, 2053", res.ReadLatencyMean, res.EndCycle, (37+21+53)/3.0)
	}
	if res.ReadLatencyP50 != 37 || res.ReadLatencyP99 != 53 {
		t.Errorf("p50 %d p99 %d, want 37 53", res.ReadLatencyP50, res.ReadLatencyP99)
	}
}

// DRAM cycles become core cycles by the exact ratio of the clocks: a closed
// read of 37 DDR4-2400 cycles (1.2 GHz) is 37 x 10/3 = 123.3, so 124 cycles
// of a 4 GHz core; a request arriving between DRAM edges waits for the next.
func TestCoreClockConversion(t *testing.T) {
	cfg := preset(t, "ddr4-2400")
	h := newHarness(t, cfg, 4_000_000_000)
	h.read(0, addr(t, cfg, Location{Row: 1}), 1)
	if got := h.done(1); got != 124 {
		t.Errorf("closed read at a 4 GHz core: done at %d, want 124", got)
	}
	// Core cycle 2001 lies between DRAM cycles 600 (core 2000) and 601
	// (core 2003.3 -> 2004); the row hit arrives at 601 and is done at
	// DRAM cycle 622 = core 2073.3 -> 2074.
	h.read(2001, addr(t, cfg, Location{Row: 1, Column: 1}), 2)
	if got := h.done(2); got != 2074 {
		t.Errorf("row hit at core 2001: done at %d, want 2074", got)
	}
}

// A read spanning two lines completes when the later line is in.
func TestMultiLineRead(t *testing.T) {
	cfg := preset(t, "ddr4-2400")
	h := newHarness(t, cfg, cfg.ClockHz)
	h.eng.RunUntil(0)
	req := &sim.Request{Addr: 32, Size: 64, Kind: sim.Load, Done: h.rec, ID: 7} // bytes 32..95: lines 0 and 1
	h.ctl.Access(0, req)
	// Line 0 (closed bank) enters at 0 and is done at 37; line 1, a row
	// hit in the same bank, enters at 1, reads 6 cycles (tCCD_L) later:
	// done at 43.
	if got := h.done(7); got != 43 {
		t.Errorf("two-line read done at %d, want 43", got)
	}
	if s := h.ctl.Summary(); s.Reads != 2 || s.RD != 2 {
		t.Errorf("reads %d RD %d, want 2 2", s.Reads, s.RD)
	}
}

// A clean victim needs no DRAM traffic; an address beyond the capacity wraps
// and is counted.
func TestPortOddRequests(t *testing.T) {
	cfg := preset(t, "ddr4-2400")
	h := newHarness(t, cfg, cfg.ClockHz)
	if done, ok := h.ctl.Access(5, &sim.Request{Addr: 0, Size: 64, Kind: sim.Victim}); !ok || done != 5 {
		t.Errorf("clean victim: %d %v", done, ok)
	}
	h.ctl.Access(5, &sim.Request{Addr: 64, Size: 64, Kind: sim.Victim, Dirty: true})
	h.read(10, cfg.Geometry.Capacity()+128, 1)
	h.done(1)
	s := h.ctl.Summary()
	if s.Writes != 1 || s.Reads != 1 {
		t.Errorf("writes %d reads %d, want 1 1", s.Writes, s.Reads)
	}
	if v := h.ctl.ctr.outOfRange; v != 1 {
		t.Errorf("out_of_range = %d, want 1", v)
	}
}
