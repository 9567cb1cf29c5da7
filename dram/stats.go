package dram

import (
	"fmt"
	"math/bits"

	"github.com/vmemu/vmemu/sim"
)

// counters are the controller's totals over all channels. They are plain
// fields, incremented inline and registered by pointer with sim.Stats.
type counters struct {
	reads, writes     uint64 // line requests accepted
	forwarded, merged uint64 // reads answered by a queued write; writes folded into one
	outOfRange        uint64 // addresses beyond capacity, wrapped
	bankCounters             // the commands and row outcomes of every bank
	ref               uint64 // REF commands (REFsb counts as REF)
	latencySum        uint64 // read latency, DRAM cycles, summed
	latencySamples    uint64 // reads in latencySum
	readQueueSum      uint64 // read-queue entries x DRAM cycles, all channels
	writeQueueSum     uint64 // write-queue entries x DRAM cycles
	channelCycles     uint64 // DRAM cycles accounted, summed over channels
	ingressWait       uint64 // DRAM cycles requests waited for a queue slot
}

func (c *counters) register(s *sim.Stats, prefix string) {
	cmds := c.bankCounters.table()
	// ref goes between the commands and the row outcomes, where it always was.
	table := append([]sim.Counter{
		{Name: "reads", P: &c.reads, Doc: "line reads accepted"},
		{Name: "writes", P: &c.writes, Doc: "line writes accepted"},
		{Name: "forwarded_reads", P: &c.forwarded, Doc: "reads answered by a write still queued"},
		{Name: "merged_writes", P: &c.merged, Doc: "writes folded into one already queued"},
		{Name: "out_of_range", P: &c.outOfRange, Doc: "addresses beyond the capacity, wrapped around"},
	}, cmds[:4]...)
	table = append(table, sim.Counter{Name: "ref", P: &c.ref, Doc: "REF commands (REFsb included)"})
	table = append(table, cmds[4:]...)
	s.RegisterTable(prefix, append(table, []sim.Counter{
		{Name: "read_latency_sum_cycles", P: &c.latencySum, Unit: "dram cycles",
			Doc: "read latencies, queue entry to last data beat, summed"},
		{Name: "read_latency_samples", P: &c.latencySamples, Doc: "reads in read_latency_sum_cycles"},
		{Name: "read_queue_occupancy_sum", P: &c.readQueueSum, Unit: "entries x dram cycles",
			Doc: "read-queue entries summed over DRAM cycles and channels"},
		{Name: "write_queue_occupancy_sum", P: &c.writeQueueSum, Unit: "entries x dram cycles",
			Doc: "write-queue entries summed over DRAM cycles and channels"},
		{Name: "channel_cycles", P: &c.channelCycles, Unit: "dram cycles", Doc: "DRAM cycles accounted, summed over channels"},
		{Name: "ingress_wait_cycles", P: &c.ingressWait, Unit: "dram cycles",
			Doc: "DRAM cycles requests waited for a queue slot, summed"},
	}...))
}

// bankCounters are the commands and row outcomes: the totals' (counters)
// and each bank's, kept always (an add each) and registered only when
// Policy.PerBankStats asks.
type bankCounters struct {
	act, pre, rd, wr                 uint64 // commands (RDA counts as RD, WRA as WR)
	rowHits, rowMisses, rowConflicts uint64
}

// table is the counters with their names and docs.
func (b *bankCounters) table() []sim.Counter {
	return []sim.Counter{
		{Name: "act", P: &b.act, Doc: "ACT commands"},
		{Name: "pre", P: &b.pre, Doc: "PRE commands"},
		{Name: "rd", P: &b.rd, Doc: "RD commands (RDA included)"},
		{Name: "wr", P: &b.wr, Doc: "WR commands (WRA included)"},
		{Name: "row_hits", P: &b.rowHits, Doc: "column commands to a row already serving others"},
		{Name: "row_misses", P: &b.rowMisses, Doc: "first column commands after activating a closed bank"},
		{Name: "row_conflicts", P: &b.rowConflicts, Doc: "first column commands after closing another row"},
	}
}

func (b *bankCounters) register(s *sim.Stats, prefix string) { s.RegisterTable(prefix, b.table()) }

func bankPrefix(prefix string, ch int, l Location) string {
	return fmt.Sprintf("%s.ch%d.ra%d.bg%d.ba%d", prefix, ch, l.Rank, l.BankGroup, l.Bank)
}

// latencyHist counts read latencies: exactly below exactBins DRAM cycles,
// then 64 bins per power of two (1.6% wide), so percentiles are exact for
// every latency a loaded DDR channel produces and close beyond. Its bins
// are counters of the registry (NAME.read_latency.LOW), so a reset clears
// them with the rest.
type latencyHist struct {
	bins []uint64
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

func (h *latencyHist) add(v uint64) { h.bins[histBin(v)]++ }

func (h *latencyHist) register(s *sim.Stats, prefix string) {
	s.RegisterBins(prefix+".read_latency", h.bins, binLow,
		"reads by latency, queue entry to last data beat, from the bin's least latency", sim.Unit("dram cycles"))
}

// percentile is the nearest-rank p-th percentile (0 < p <= 100) of the n
// latencies in bins: the least latency L such that at least p% of reads
// took L cycles or fewer.
func percentile(bins []uint64, n uint64, p float64) uint64 {
	if n == 0 {
		return 0
	}
	rank := uint64(p / 100 * float64(n))
	if float64(rank) < p/100*float64(n) {
		rank++
	}
	rank = max(rank, 1)
	var seen uint64
	for i, c := range bins {
		seen += c
		if seen >= rank {
			return binLow(i)
		}
	}
	return binLow(len(bins) - 1)
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
