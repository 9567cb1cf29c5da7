package dram

import (
	"fmt"
	"math/bits"

	"github.com/vmemu/vmemu/sim"
)

// counters are the controller's totals over all channels. They are plain
// fields, incremented inline and registered by pointer with sim.Stats.
type counters struct {
	reads, writes         uint64 // line requests accepted
	forwarded, merged     uint64 // reads answered by a queued write; writes folded into one
	outOfRange            uint64 // addresses beyond capacity, wrapped
	act, pre, rd, wr, ref uint64 // commands (RDA counts as RD, WRA as WR, REFsb as REF)
	rowHits               uint64 // column commands to a row already serving others
	rowMisses             uint64 // first column command after activating a closed bank
	rowConflicts          uint64 // first column command after closing another row
	latencySum            uint64 // read latency, DRAM cycles, summed
	latencySamples        uint64 // reads in latencySum
	readQueueSum          uint64 // read-queue entries x DRAM cycles, all channels
	writeQueueSum         uint64 // write-queue entries x DRAM cycles
	channelCycles         uint64 // DRAM cycles accounted, summed over channels
	ingressWait           uint64 // DRAM cycles requests waited for a queue slot
}

func (c *counters) register(s *sim.Stats, prefix string) {
	for _, r := range []struct {
		name string
		p    *uint64
	}{
		{"reads", &c.reads}, {"writes", &c.writes},
		{"forwarded_reads", &c.forwarded}, {"merged_writes", &c.merged},
		{"out_of_range", &c.outOfRange},
		{"act", &c.act}, {"pre", &c.pre}, {"rd", &c.rd}, {"wr", &c.wr}, {"ref", &c.ref},
		{"row_hits", &c.rowHits}, {"row_misses", &c.rowMisses}, {"row_conflicts", &c.rowConflicts},
		{"read_latency_sum_cycles", &c.latencySum}, {"read_latency_samples", &c.latencySamples},
		{"read_queue_occupancy_sum", &c.readQueueSum}, {"write_queue_occupancy_sum", &c.writeQueueSum},
		{"channel_cycles", &c.channelCycles}, {"ingress_wait_cycles", &c.ingressWait},
	} {
		s.Register(prefix+"."+r.name, r.p)
	}
}

// bankCounters are one bank's share, kept always (an add each) and
// registered only when Policy.PerBankStats asks.
type bankCounters struct {
	act, pre, rd, wr                 uint64
	rowHits, rowMisses, rowConflicts uint64
}

func (b *bankCounters) register(s *sim.Stats, prefix string) {
	for _, r := range []struct {
		name string
		p    *uint64
	}{
		{"act", &b.act}, {"pre", &b.pre}, {"rd", &b.rd}, {"wr", &b.wr},
		{"row_hits", &b.rowHits}, {"row_misses", &b.rowMisses}, {"row_conflicts", &b.rowConflicts},
	} {
		s.Register(prefix+"."+r.name, r.p)
	}
}

func bankPrefix(prefix string, ch int, l Location) string {
	return fmt.Sprintf("%s.ch%d.ra%d.bg%d.ba%d", prefix, ch, l.Rank, l.BankGroup, l.Bank)
}

// latencyHist counts read latencies: exactly below exactBins DRAM cycles,
// then 64 bins per power of two (1.6% wide), so percentiles are exact for
// every latency a loaded DDR channel produces and close beyond.
type latencyHist struct {
	bins []uint64
	n    uint64
}

const (
	exactBins = 1 << 13
	subBins   = 64
)

func newLatencyHist() latencyHist {
	return latencyHist{bins: make([]uint64, exactBins+(64-13)*subBins)}
}

func histBin(v uint64) int {
	if v < exactBins {
		return int(v)
	}
	e := uint(bits.Len64(v)) - 7 // v>>e is in [64, 128)
	return exactBins + int(e-7)*subBins + int(v>>e-subBins)
}

// binLow is the smallest latency that falls in bin i.
func binLow(i int) uint64 {
	if i < exactBins {
		return uint64(i)
	}
	i -= exactBins
	e := uint(i/subBins) + 7
	return uint64(i%subBins+subBins) << e
}

func (h *latencyHist) add(v uint64) {
	h.bins[histBin(v)]++
	h.n++
}

func (h *latencyHist) reset() {
	clear(h.bins)
	h.n = 0
}

// percentile is the nearest-rank p-th percentile (0 < p <= 100): the least
// latency L such that at least p% of reads took L cycles or fewer.
func (h *latencyHist) percentile(p float64) uint64 {
	if h.n == 0 {
		return 0
	}
	rank := uint64(p / 100 * float64(h.n))
	if float64(rank) < p/100*float64(h.n) {
		rank++
	}
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.bins {
		seen += c
		if seen >= rank {
			return binLow(i)
		}
	}
	return binLow(len(h.bins) - 1)
}

// Summary is a snapshot of a controller's statistics. Latencies are DRAM
// cycles from the cycle a read entered the controller's queue to its last
// data beat (the and DRAMsim3's definition).
type Summary struct {
	Reads          uint64 `json:"reads"`           // line requests accepted
	Writes         uint64 `json:"writes"`          // line requests accepted
	ForwardedReads uint64 `json:"forwarded_reads"` // served from the write queue
	MergedWrites   uint64 `json:"merged_writes"`   // folded into one already queued
	// Commands issued.
	ACT uint64 `json:"act"`
	PRE uint64 `json:"pre"`
	RD  uint64 `json:"rd"`
	WR  uint64 `json:"wr"`
	REF uint64 `json:"ref"`
	// Row-buffer outcomes, per column command.
	RowHits      uint64  `json:"row_hits"`
	RowMisses    uint64  `json:"row_misses"`
	RowConflicts uint64  `json:"row_conflicts"`
	RowHitRate   float64 `json:"row_hit_rate"` // RowHits / (RD + WR)
	// Read latency in DRAM cycles; the keys are emu dram's.
	ReadLatencyMean float64 `json:"avg_read_latency_cycles"`
	ReadLatencyP50  uint64  `json:"read_latency_p50_cycles"`
	ReadLatencyP95  uint64  `json:"read_latency_p95_cycles"`
	ReadLatencyP99  uint64  `json:"read_latency_p99_cycles"`
	AvgReadQueue    float64 `json:"avg_read_queue"`      // entries per channel, time-averaged
	AvgWriteQueue   float64 `json:"avg_write_queue"`     // entries per channel, time-averaged
	Cycles          uint64  `json:"cycles"`              // DRAM cycles covered (per channel)
	BandwidthGBps   float64 `json:"bandwidth_gbps"`      // requests x line bytes / (Cycles x tCK)
	IngressWait     uint64  `json:"ingress_wait_cycles"` // DRAM cycles requests waited for a queue slot, summed
}
