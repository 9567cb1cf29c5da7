package dram

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Requests enter in order, at most one per DRAM cycle and never before
// their cycle; the run ends when the last read is in.
func TestReplaySemantics(t *testing.T) {
	cfg := preset(t, "ddr4-2400")
	bank := func(bg int) uint64 { return addr(t, cfg, Location{BankGroup: bg, Row: 3}) }
	tests := []struct {
		name   string
		recs   []Record
		end    uint64
		avg    float64
		reads  uint64
		writes uint64
	}{
		// Three reads due at 0 to three bank groups enter at 0, 1, 2; their
		// ACTs go at 1, 5, 9 (tRRD_S = 4), data 36 later: 37, 41, 45, so
		// latencies 37, 40, 43.
		{"one per cycle", []Record{{Addr: bank(0)}, {Addr: bank(1)}, {Addr: bank(2)}}, 45, 40, 3, 0},
		// A later record waits for the earlier one, even if its cycle is
		// earlier: in order. Entering at 100 and 101, ACTs at 101 and 105.
		{"in order", []Record{{Addr: bank(0), Cycle: 100}, {Addr: bank(1), Cycle: 0}}, 141, 38.5, 2, 0},
		// Writes are posted; the end is the last read's data or the last
		// entry, whichever is later.
		{"trailing writes", []Record{{Addr: bank(0)}, {Addr: bank(1), Write: true, Cycle: 500}}, 500, 37, 1, 1},
		{"writes only", []Record{{Addr: bank(0), Write: true, Cycle: 7}}, 7, 0, 0, 1},
		{"empty", nil, 0, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Replay(cfg, Records(tc.recs))
			if err != nil {
				t.Fatal(err)
			}
			got := []any{res.EndCycle, res.ReadLatencyMean, res.Reads, res.Writes}
			want := []any{tc.end, tc.avg, tc.reads, tc.writes}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("end, avg, reads, writes (-want +got):\n%s", diff)
			}
		})
	}
}

// The head is retried until the queue has room: 40 reads of one bank, each
// its own row, fill the 32-entry queue and the rest enter as reads leave.
func TestReplayHeadRetried(t *testing.T) {
	cfg := preset(t, "ddr4-2400")
	var recs []Record
	for i := range 40 {
		recs = append(recs, Record{Addr: addr(t, cfg, Location{Row: i})})
	}
	res, err := Replay(cfg, Records(recs))
	if err != nil {
		t.Fatal(err)
	}
	// Every read is a conflict or the first miss, tRC (55) apart: the last
	// ACT at 1 + 39 x 55, its data tRCD + CL + BL/2 later.
	if want := uint64(1 + 39*55 + 16 + 20); res.EndCycle != want || res.Reads != 40 || res.ACT != 40 {
		t.Errorf("end %d reads %d ACT %d; want %d 40 40", res.EndCycle, res.Reads, res.ACT, want)
	}
	if res.AvgReadQueue < 15 {
		t.Errorf("average read queue %.1f: the queue should have filled", res.AvgReadQueue)
	}
}

func TestReplayMultipleSources(t *testing.T) {
	cfg := preset(t, "ddr4-2400")
	a := NewTraceReader("a.trace", strings.NewReader("0x0 READ 0\n"))
	b := NewTraceReader("b.trace", strings.NewReader("LD 0x40\nST 0x80\n"))
	res, err := Replay(cfg, a, b)
	if err != nil {
		t.Fatal(err)
	}
	if res.Reads != 2 || res.Writes != 1 {
		t.Errorf("reads %d writes %d, want 2 1", res.Reads, res.Writes)
	}
}

func TestReplayBadInput(t *testing.T) {
	cfg := preset(t, "ddr4-2400")
	tests := []struct {
		name string
		cfg  func(*Config)
		text string
		want string
	}{
		{"malformed line", nil, "0x0 READ 0\n0x40 RAED 1\n", `t.trace:2: operation: "RAED": want READ or WRITE`},
		{"beyond capacity", nil, "0x0 READ 0\n\n0x200000000 READ 5\n", "t.trace:3: address: 0x200000000 is beyond the capacity of ddr4-2400 (8589934592 bytes)"},
		{"bad config", func(c *Config) { c.Timing.RC = 10 }, "0x0 READ 0\n", "dram: timing.tRC: 10: must be at least tRAS + tRP = 55"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg
			if tc.cfg != nil {
				tc.cfg(&c)
			}
			_, err := Replay(c, NewTraceReader("t.trace", strings.NewReader(tc.text)))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("got %v\nwant %s", err, tc.want)
			}
		})
	}
	// A generated source without a name still gets a place in the message.
	_, err := Replay(cfg, Records([]Record{{Addr: 1 << 40, Line: 3}}))
	var te *TraceError
	if !errors.As(err, &te) || te.File != "trace" || te.Line != 3 || te.Field != "address" {
		t.Errorf("got %v", err)
	}
	// So does a cycle no trace reader would give, from any source.
	_, err = Replay(cfg, Records([]Record{{Addr: 0}, {Addr: 64, Cycle: 1<<64 - 1, Line: 2}}))
	if !errors.As(err, &te) || te.Line != 2 || te.Field != "cycle" {
		t.Errorf("cycle 2^64-1: got %v", err)
	}
}

// A request at the latest cycle allowed is served, none dropped, and the
// end cycle does not wrap around: the run's arithmetic has room.
func TestReplayLatestCycle(t *testing.T) {
	cfg := preset(t, "ddr4-2400")
	recs := []Record{{Addr: 0}, {Addr: 64, Cycle: MaxCycle}, {Addr: 128, Cycle: MaxCycle, Write: true}, {Addr: 4096, Cycle: 3}}
	res, err := Replay(cfg, Records(recs))
	if err != nil {
		t.Fatal(err)
	}
	if res.Reads != 3 || res.Writes != 1 || res.EndCycle < MaxCycle || res.EndCycle > MaxCycle+1000 {
		t.Errorf("reads %d, writes %d, end cycle %d; want 3, 1 and just after %d", res.Reads, res.Writes, res.EndCycle, uint64(MaxCycle))
	}
}

func TestResultJSONAndText(t *testing.T) {
	cfg := preset(t, "ddr4-2400")
	res, err := Replay(cfg, Records(randomReads(9, 1000, 1<<26, 20)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"end_cycle", "reads", "writes", "avg_read_latency_cycles", "avg_read_latency_ns",
		"bandwidth_gbps", "row_hit_rate", "act", "pre", "rd", "wr", "ref",
		"read_latency_p50_cycles", "read_latency_p95_cycles", "read_latency_p99_cycles"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if got, want := res.AvgReadLatencyNs, res.ReadLatencyMean/1.2; got < want-1e-9 || got > want+1e-9 {
		t.Errorf("latency %.4f ns, want %.4f (cycles x 0.8333)", got, want)
	}
	if want := 1000 * 64 / (float64(res.EndCycle) / 1.2); res.BandwidthGBps < want*(1-1e-12) || res.BandwidthGBps > want*(1+1e-12) {
		t.Errorf("bandwidth %.6f, want requests x 64 B / (end x tCK) = %.6f", res.BandwidthGBps, want)
	}
	text := res.Text()
	for _, s := range []string{"ddr4-2400", "end cycle", "avg read latency", "bandwidth", "row hit rate", "ACT ", "REF "} {
		if !strings.Contains(text, s) {
			t.Errorf("report lacks %q:\n%s", s, text)
		}
	}
}
