package dram

import (
	"math"
	"testing"
)

// The checks, on the ddr4-2400 preset (single channel and rank,
// open page, FR-FCFS, RoBaRaCoCh, 32-entry queues, all-bank refresh). The
// request streams are generated here with a seeded RNG.

// Random reads over 1 GiB at one per 200 DRAM cycles: each finds its bank
// holding another row (53 cycles) unless a refresh closed it since (37),
// and reads arriving during a refresh wait for it: DRAMsim3 averages 59.7.
func TestCheckRandomReadsLatency(t *testing.T) {
	cfg := preset(t, "ddr4-2400")
	res, err := Replay(cfg, Records(randomReads(1, 100_000, 1<<30, 200)))
	if err != nil {
		t.Fatal(err)
	}
	const want = 59.7
	t.Logf("avg read latency %.2f cycles (want %.1f within 3%%); p50 %d p95 %d p99 %d; REF %d",
		res.ReadLatencyMean, want, res.ReadLatencyP50, res.ReadLatencyP95, res.ReadLatencyP99, res.REF)
	if math.Abs(res.ReadLatencyMean-want) > 0.03*want {
		t.Errorf("average read latency %.2f, want %.1f within 3%%", res.ReadLatencyMean, want)
	}
	if res.ReadLatencyP50 != 53 {
		t.Errorf("median %d, want 53 (a row conflict)", res.ReadLatencyP50)
	}
	// One refresh per tREFI of the run.
	if want := res.EndCycle / 9360; res.REF != want {
		t.Errorf("REF = %d, want %d", res.REF, want)
	}
}

// Sequential reads that rotate over the four bank groups: each bank group
// reads its row column by column, consecutive reads in different groups,
// so tCCD_S = BL/2 and the data bus is the limit; refresh takes the rest.
func TestCheckSequentialBandwidth(t *testing.T) {
	cfg := preset(t, "ddr4-2400")
	const n = 200_000
	recs := make([]Record, n)
	for i := range recs {
		l := Location{BankGroup: i % 4, Column: i / 4 % 128, Bank: i / 512 % 4, Row: i / 2048}
		recs[i] = Record{Addr: addr(t, cfg, l)}
	}
	res, err := Replay(cfg, Records(recs))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("sequential bank-group-rotating reads: %.3f GB/s (want 18.1-18.3), row hit rate %.4f", res.BandwidthGBps, res.RowHitRate)
	if res.BandwidthGBps < 18.1 || res.BandwidthGBps > 18.3 {
		t.Errorf("bandwidth %.3f GB/s, want 18.1-18.3", res.BandwidthGBps)
	}
}

// Uniform random reads as fast as the controller accepts them: every read
// needs an ACT, and a rank takes at most four ACTs per tFAW (26 cycles):
// 4 x 64 B / (26 x 0.833 ns) = 11.8 GB/s, less refresh: 11.2 GB/s.
func TestCheckRandomBandwidth(t *testing.T) {
	cfg := preset(t, "ddr4-2400")
	res, err := Replay(cfg, Records(randomReads(2, 100_000, 1<<30, 0)))
	if err != nil {
		t.Fatal(err)
	}
	const want = 11.2
	t.Logf("random reads, saturating: %.3f GB/s (want %.1f within 2%%); avg latency %.1f", res.BandwidthGBps, want, res.ReadLatencyMean)
	if math.Abs(res.BandwidthGBps-want) > 0.02*want {
		t.Errorf("bandwidth %.3f GB/s, want %.1f within 2%%", res.BandwidthGBps, want)
	}
	if res.AvgReadQueue < 31 {
		t.Errorf("average read queue %.1f: the stream should keep it full", res.AvgReadQueue)
	}
}
