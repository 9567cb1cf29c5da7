package report

import (
	"strings"

	"github.com/vmemu/vmemu/dram"
)

// Schema names the version of the JSON report. It changes when a field
// changes meaning or goes away; new fields may appear within a version.
const Schema = "vmemu.run/2"

// Report is what a replay measured. Its JSON form is the --json output.
type Report struct {
	Schema string `json:"schema"`
	// Version is the emu that made the report (emu --version).
	Version string `json:"version"`
	Config  string `json:"config"`
	// Overrides are the --set changes on top of Config, in the order given.
	Overrides []Override `json:"overrides"`
	Trace     TraceInfo  `json:"trace"`
	// Instructions, Cycles and IPC are the core's: warmup excluded.
	Instructions uint64        `json:"instructions"`
	Cycles       uint64        `json:"cycles"`
	IPC          float64       `json:"ipc"`
	Accesses     uint64        `json:"accesses"`
	AMAT         float64       `json:"amat"` // mean cycles from issue to data
	Kinds        []KindReport  `json:"kinds"`
	Levels       []LevelReport `json:"levels"`
	Memory       MemoryReport  `json:"memory"`
	// DRAM is the controller's summary when main memory is the DRAM model.
	DRAM     *dram.Summary `json:"dram,omitempty"`
	DRAMName string        `json:"dram_part,omitempty"`
	// Breakdown says where the core's cycles went (the CPI stack): base,
	// the front end, each level and memory, translation (TLBs and walks),
	// the kernel's fault handling, and so on. It adds up to Cycles.
	Breakdown   []ServedBy         `json:"cpi_stack"`
	Translation *TranslationReport `json:"translation,omitempty"`
	// Cachegrind holds the same counts under cachegrind's names when the
	// first level is split (instruction and data); LL is the last level.
	Cachegrind *CachegrindCounts `json:"cachegrind,omitempty"`
	// Scenario is what a scenario's processes did, for scenario runs.
	Scenario *ScenarioReport `json:"scenario,omitempty"`
	// Cores, on a machine of several, are what each core measured (the
	// keys above are then the whole machine's: instructions, accesses
	// and the CPI stack summed over the cores, the cycles of the last to
	// finish, each private level summed over the cores, the shared levels,
	// memory and the kernel to the end of the run), with the shootdowns
	// across cores, the directory's coherence and, with --alone, the
	// speedups against each trace alone. A machine of one core has none.
	Cores      []CoreReport     `json:"cores,omitempty"`
	Shootdowns *ShootdownReport `json:"shootdowns,omitempty"`
	Coherence  *CoherenceReport `json:"coherence,omitempty"`
	Speedups   *Speedups        `json:"speedups,omitempty"`
	// Stats is every counter of the machine's registry by name (warmup
	// excluded), what the rest of the report is made from; of a
	// histogram (dram.read_latency.LOW), the bins that counted something.
	Stats map[string]uint64 `json:"stats"`
}

// Override is one --set key=value, the key as given.
type Override struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Made says how a report was made: the version of emu, and the --set
// arguments (key=value) applied to the configuration.
func (r *Report) Made(version string, sets []string) {
	r.Version = version
	r.Overrides = []Override{}
	for _, s := range sets {
		k, v, _ := strings.Cut(s, "=")
		r.Overrides = append(r.Overrides, Override{Key: k, Value: v})
	}
}

// TraceInfo says what was replayed.
type TraceInfo struct {
	Path   string `json:"path"`
	Format string `json:"format"`
}

// KindReport is the core's view of one kind of access.
type KindReport struct {
	Kind     string  `json:"kind"`
	Accesses uint64  `json:"accesses"`
	Cycles   uint64  `json:"cycles"`
	AMAT     float64 `json:"amat"`
}

// LevelReport is one cache level's counts. Accesses, hits and misses are
// demand accesses (fetches, loads, stores, page-table reads and writes);
// prefetches from the level above, and write-backs and victims arriving
// from above, are in ByKind.
type LevelReport struct {
	Name       string                `json:"name"`
	Accesses   uint64                `json:"accesses"`
	Hits       uint64                `json:"hits"`
	Misses     uint64                `json:"misses"`
	MissRate   float64               `json:"miss_rate"`
	Evictions  uint64                `json:"evictions"`
	Writebacks uint64                `json:"writebacks"`
	Merged     uint64                `json:"merged"`
	MSHRWaits  uint64                `json:"mshr_waits"`
	BackInvals uint64                `json:"back_invalidations"`
	ByKind     map[string]KindCounts `json:"by_kind"`
	// ByCore is each core's part of a level several cores share.
	ByCore []CoreShare `json:"by_core,omitempty"`
	// Prefetch is what the level's prefetcher did, when it has one.
	Prefetch *PrefetchReport `json:"prefetch,omitempty"`
}

// PrefetchReport is one prefetcher's work: the prefetches it sent
// (Issued, each one line asked of the level below: the traffic it added
// there) and those it asked for but could not send (Dropped), the first
// demand uses of the lines it brought (Useful; Late ones were still on
// their way) and the lines that left unused (Useless). Accuracy is Useful
// over Issued; Coverage the demand misses it removed over those there
// would have been without it (misses plus the useful prefetches into the
// level itself).
type PrefetchReport struct {
	Name     string  `json:"name"`
	Issued   uint64  `json:"issued"`
	Dropped  uint64  `json:"dropped"`
	Useful   uint64  `json:"useful"`
	Late     uint64  `json:"late"`
	Useless  uint64  `json:"useless"`
	Accuracy float64 `json:"accuracy"`
	Coverage float64 `json:"coverage"`
	// Below counts the issued prefetches that filled the level below.
	Below uint64 `json:"below"`
}

// KindCounts are one level's hits and misses of one kind.
type KindCounts struct {
	Hits   uint64 `json:"hits"`
	Misses uint64 `json:"misses"`
}

// MemoryReport counts what reached main memory.
type MemoryReport struct {
	Reads  uint64 `json:"reads"`
	Writes uint64 `json:"writes"`
}

// ServedBy is the share of the core's cycles spent in one place: a level
// answering accesses, memory, translation or faults.
type ServedBy struct {
	Level    string  `json:"level"`
	Cycles   uint64  `json:"cycles"`
	Fraction float64 `json:"fraction"`
}

// CachegrindCounts carry cachegrind's event names.
type CachegrindCounts struct {
	Ir   uint64 `json:"Ir"`
	I1mr uint64 `json:"I1mr"`
	ILmr uint64 `json:"ILmr"`
	Dr   uint64 `json:"Dr"`
	D1mr uint64 `json:"D1mr"`
	DLmr uint64 `json:"DLmr"`
	Dw   uint64 `json:"Dw"`
	D1mw uint64 `json:"D1mw"`
	DLmw uint64 `json:"DLmw"`
}
