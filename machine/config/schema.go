package config

import (
	"fmt"
	"math/bits"
	"strings"

	"github.com/vmemu/vmemu/cache"
	"github.com/vmemu/vmemu/cpu"
	kernel "github.com/vmemu/vmemu/os"
	"github.com/vmemu/vmemu/prefetch"
	"github.com/vmemu/vmemu/replacement"
	"github.com/vmemu/vmemu/sim"
)

// Key describes one configuration key: its unit, the range or choices it
// accepts, and what it means.
type Key struct {
	Name string
	Unit Unit
	Min  uint64 // numbers: inclusive range
	Max  uint64
	Pow2 bool // numbers that must be a power of two
	// Off says 0 is accepted besides the range: the behaviour is off.
	Off     bool
	Choices []string // for Choice
	Doc     string
}

// Range says in words what the key accepts.
func (k Key) Range() string {
	switch k.Unit {
	case Bool:
		return "true|false"
	case Choice:
		return strings.Join(k.Choices, "|")
	case Levels:
		return "names, top first; a+b splits a level into instruction and data sides"
	case Word:
		return "a name"
	case Sizes, Bytes:
		s := FormatBytes(k.Min) + ".." + FormatBytes(k.Max)
		if k.Pow2 {
			s += ", power of two"
		}
		if k.Off {
			s = "0 (off), or " + s
		}
		return s
	case Hertz:
		return formatHertz(k.Min) + ".." + formatHertz(k.Max)
	}
	s := fmt.Sprintf("%d..%d", k.Min, k.Max)
	if k.Pow2 {
		s += ", power of two"
	}
	if k.Off {
		s = "0 (off), or " + s
	}
	return s
}

// check parses a value for this key and reports what is wrong with it.
func (k Key) check(v string) error {
	var n uint64
	var err error
	switch k.Unit {
	case Bool:
		_, err = ParseBool(v)
		return err
	case Choice:
		for _, c := range k.Choices {
			if v == c {
				return nil
			}
		}
		return fmt.Errorf("%q is not one of %s", v, strings.Join(k.Choices, ", "))
	case Levels:
		_, err = parseLevels(v)
		return err
	case Word:
		return nil
	case Sizes:
		ns, err := ParseSizes(v)
		for _, n := range ns {
			if err == nil && (n < k.Min || n > k.Max || bits.OnesCount64(n) != 1) {
				err = fmt.Errorf("%s is not a power of two in %s", FormatBytes(n), k.Range())
			}
		}
		return err
	case Bytes:
		n, _, err = ParseBytes(v)
	case Hertz:
		n, err = ParseHertz(v)
	default:
		n, err = ParseCount(v)
	}
	if err != nil {
		return err
	}
	if n == 0 && k.Off {
		return nil
	}
	if n < k.Min || n > k.Max {
		return fmt.Errorf("%s is out of range %s", v, k.Range())
	}
	if k.Pow2 && bits.OnesCount64(n) != 1 {
		return fmt.Errorf("%s is not a power of two", v)
	}
	return nil
}

// globalKeys are the keys every machine has.
var globalKeys = []Key{
	{Name: "levels", Unit: Levels, Doc: "the cache levels from the core down; the first may be split (l1i+l1d) into instruction and data sides; misses from the last go to memory"},
	{Name: "cores", Unit: Count, Min: 1, Max: sim.MaxCores, Doc: "cores: each has its own private levels (a level's sharing), TLBs, page walker and page-walk caches and runs one trace or thread at a time; the shared levels and memory are one"},
	{Name: "core.freq", Unit: Hertz, Min: 1e6, Max: 100e9, Doc: "core clock; cycles are reported in this clock"},
	{Name: "core.model", Unit: Choice, Choices: cpu.ModelNames(), Doc: modelDoc()},
	{Name: "core.width", Unit: Count, Min: 1, Max: 64, Doc: "instructions fetched, dispatched and retired per cycle"},
	{Name: "core.rob", Unit: Count, Min: 1, Max: 65536, Doc: "reorder-buffer entries"},
	{Name: "core.lq", Unit: Count, Min: 1, Max: 65536, Doc: "load-queue entries"},
	{Name: "core.sq", Unit: Count, Min: 1, Max: 65536, Doc: "store-queue entries"},
	{Name: "core.store_buffer", Unit: Count, Min: 1, Max: 65536, Doc: "retired stores that may wait to drain to the cache"},
	{Name: "core.fetch_queue", Unit: Count, Min: 1, Max: 65536, Doc: "instructions the front end may fetch ahead of dispatch"},
	{Name: "core.fetch_on_taken", Unit: Bool, Doc: "a taken branch's target starts a new fetch block, an L1I access of its own, even within the line just fetched (ChampSim's front end); false: only a new line does"},
	{Name: "core.exec_latency", Unit: Cycles, Min: 0, Max: 1000, Doc: "cycles of an instruction outside the memory system (in-order: of one without data accesses)"},
	{Name: "memory.latency", Unit: Cycles, Min: 1, Max: 1_000_000, Doc: "fixed latency of main memory, from request to data"},
	{Name: "access.fetch", Unit: Choice, Choices: []string{"simulate", "ignore"}, Doc: "instruction (I) records of a trace: fetched through the instruction side, or ignored as Cache Lab's csim ignores them (each data record is then an instruction)"},
	{Name: "access.modify", Unit: Choice, Choices: []string{"load-store", "load"}, Doc: "a modify (M) record is a load then a store (Cache Lab), or one load (cachegrind)"},
	{Name: "access.straddle", Unit: Choice, Choices: cache.StraddleNames, Doc: "an access over two lines: first = size ignored, only the first line (Cache Lab); lines = every line looked up, missing lines fetched, counted once; whole = as lines, but a miss sends the whole access down (cachegrind)"},
	{Name: "seed", Unit: Count, Min: 0, Max: 1<<63 - 1, Doc: "seed of every random choice (random replacement, random frames)"},
	{Name: "state", Unit: Word, Doc: "a machine state file (JSON) preset into TLBs, page tables, caches and memory; none for an empty machine"},

	{Name: "mmu.enabled", Unit: Bool, Doc: "translate virtual addresses (TLBs, page walks, faults); off, addresses are physical"},
	{Name: "mmu.paging", Unit: Choice, Choices: []string{"x86-64", "x86-64-5level", "csapp-small", "custom"}, Doc: "page-table geometry by name: setting it sets the mmu geometry keys below; setting one of those makes it custom"},
	{Name: "mmu.levels", Unit: Count, Min: 1, Max: 6, Doc: "levels of the radix page table"},
	{Name: "mmu.level_bits", Unit: Count, Min: 1, Max: 16, Doc: "virtual address bits each level indexes"},
	{Name: "mmu.page", Unit: Bytes, Min: 16, Max: 1 << 30, Pow2: true, Doc: "the smallest page"},
	{Name: "mmu.va_bits", Unit: Count, Min: 8, Max: 64, Doc: "virtual address width; must be levels x level_bits + log2(page)"},
	{Name: "mmu.pa_bits", Unit: Count, Min: 8, Max: 52, Doc: "physical address width"},
	{Name: "mmu.large_pages", Unit: Word, Doc: "levels whose entries may map a page (PS bit), like 2,3 for x86-64's 2 MiB and 1 GiB pages, or none"},
	{Name: "mmu.walkers", Unit: Count, Min: 1, Max: 64, Doc: "page walks in flight at once"},
	{Name: "mmu.walk_from", Unit: Word, Doc: "the cache level page-table reads enter (a level name), or memory"},
	{Name: "mmu.pml4e_cache", Unit: Count, Min: 0, Max: 4096, Doc: "entries of the page-walk cache of PML4 entries (level 4)"},
	{Name: "mmu.pdpte_cache", Unit: Count, Min: 0, Max: 4096, Doc: "entries of the page-walk cache of PDPT entries (level 3)"},
	{Name: "mmu.pde_cache", Unit: Count, Min: 0, Max: 4096, Doc: "entries of the page-walk cache of page-directory entries (level 2)"},
	{Name: "stlb.prefetcher", Unit: Choice, Choices: prefetch.Names(prefetch.TLB), Doc: "the TLB prefetcher told of every miss of the last TLB level; its page walks fill a prefetch buffer beside it (none: no TLB prefetching)"},
	{Name: "stlb.prefetch_buffer", Unit: Count, Min: 1, Max: 1024, Doc: "entries of the TLB prefetch buffer (fully associative, FIFO); a translation found there moves to the TLBs"},
	{Name: "stlb.prefetch_degree", Unit: Count, Min: 0, Max: 64, Doc: "pages the TLB prefetcher asks for at a time (0: its own default)"},

	{Name: "os.memory", Unit: Bytes, Min: 64, Max: 1 << 50, Doc: "physical memory the kernel hands out in frames"},
	{Name: "os.frames", Unit: Choice, Choices: []string{"in-order", "random"}, Doc: "order in which free frames are handed out"},
	{Name: "os.fault_cycles", Unit: Cycles, Min: 0, Max: 100_000_000, Doc: "a page fault's entry, handler and exit"},
	{Name: "os.zero_cycles", Unit: Cycles, Min: 0, Max: 100_000_000, Doc: "zeroing a demand-zero page"},
	{Name: "os.copy_cycles", Unit: Cycles, Min: 0, Max: 100_000_000, Doc: "copying a page (copy-on-write)"},
	{Name: "os.syscall_cycles", Unit: Cycles, Min: 0, Max: 100_000_000, Doc: "a system call's entry and exit"},
	{Name: "os.switch_cycles", Unit: Cycles, Min: 0, Max: 100_000_000, Doc: "a context switch, CR3 write included"},
	{Name: "os.fork_cycles", Unit: Cycles, Min: 0, Max: 1 << 40, Doc: "fork's fixed work"},
	{Name: "os.fork_entry_cycles", Unit: Cycles, Min: 0, Max: 100_000, Doc: "fork's work per page-table entry copied"},
	{Name: "os.invlpg_cycles", Unit: Cycles, Min: 0, Max: 100_000, Doc: "a TLB shootdown of one page (INVLPG)"},
	{Name: "os.flush_cycles", Unit: Cycles, Min: 0, Max: 1_000_000, Doc: "flushing an address space's TLB entries"},
	{Name: "os.byte_cycles", Unit: Cycles, Min: 0, Max: 100_000, Doc: "read and write system calls: cycles per 64 bytes copied"},
	{Name: "os.pcid", Unit: Bool, Doc: "give each process a PCID, so a context switch keeps the others' TLB entries"},
	{Name: "os.shootdown_limit", Unit: Count, Min: 1, Max: 1 << 20, Doc: "pages one kernel path invalidates one by one; beyond, it flushes"},
	{Name: "os.traffic", Unit: Word, Doc: "the cache level that zeroing and copying pages go through as memory traffic, or none"},
	{Name: "os.zero_page", Unit: Bool, Doc: "a read fault on fresh private anonymous memory maps the one shared zero page read-only (the huge zero page with THP); the write after it faults again for a page of its own (Linux's do_anonymous_page); off: every first touch gets its own zeroed page (CS:APP)"},
	{Name: "os.fault_around", Unit: Bytes, Min: 8 << 10, Max: 2 << 20, Pow2: true, Off: true, Doc: "a read fault on a file mapping also maps the pages of this aligned window that are in the page cache (Linux's fault_around_bytes: 64KiB); 0: the faulting page only (CS:APP)"},
	{Name: "os.readahead", Unit: Bytes, Min: 4 << 10, Max: 256 << 20, Off: true, Doc: readaheadDoc},
	{Name: "os.thp", Unit: Choice, Choices: kernel.THPModes, Doc: "transparent huge pages for private anonymous memory: never; madvise, in areas advised MADV_HUGEPAGE (as the distributions ship Linux); always, in every area not advised MADV_NOHUGEPAGE, a trace's first touches too. A fault maps 2MiB with one entry where the aligned 2MiB lies in the area"},
	{Name: "os.hugetlb_2m", Unit: Count, Min: 0, Max: 1 << 29, Doc: "2MiB pages set aside at boot, from the top of os.memory, for mmap with MAP_HUGETLB (Linux's nr_hugepages)"},
	{Name: "os.hugetlb_1g", Unit: Count, Min: 0, Max: 1 << 20, Doc: "1GiB pages set aside at boot for mmap with MAP_HUGETLB|MAP_HUGE_1GB"},
	{Name: "os.clone_cycles", Unit: Cycles, Min: 0, Max: 100_000_000, Doc: "clone of a thread beyond the system call: a task that shares the address space, none to copy"},
	{Name: "os.ipi_send_cycles", Unit: Cycles, Min: 0, Max: 1_000_000, Doc: "TLB shootdown: the initiator's work to send one IPI"},
	{Name: "os.ipi_latency_cycles", Unit: Cycles, Min: 0, Max: 1_000_000, Doc: "TLB shootdown: an IPI's delivery to another core, and its acknowledgment's return (each way)"},
	{Name: "os.irq_entry_cycles", Unit: Cycles, Min: 0, Max: 1_000_000, Doc: "TLB shootdown: a target core's interrupt entry, up to its flush"},
	{Name: "os.irq_exit_cycles", Unit: Cycles, Min: 0, Max: 1_000_000, Doc: "TLB shootdown: a target core's return from the interrupt"},
	{Name: "coherence.model", Unit: Choice, Choices: []string{"mesi", "none"}, Doc: "with several cores, the shared level where their private levels meet keeps a MESI directory (write-back, write-allocate levels of one line size); none: the private levels are not kept coherent (memory still holds the bytes)"},
	{Name: "coherence.lookup_cycles", Unit: Cycles, Min: 0, Max: 10_000, Doc: "the directory's lookup beyond the shared level's (0: read with its tags)"},
	{Name: "coherence.transfer_cycles", Unit: Cycles, Min: 0, Max: 100_000, Doc: "a request forwarded to the core that owns the line and the line's data back, beyond the shared level's lookup"},
	{Name: "coherence.invalidate_cycles", Unit: Cycles, Min: 0, Max: 100_000, Doc: "an invalidation's round trip to a sharer's core"},
	{Name: "coherence.serial", Unit: Bool, Doc: "a request's invalidations go one after another (a round trip each); false: they fan out at once"},
	{Name: "os.on_segv", Unit: Choice, Choices: []string{"continue", "stop"}, Doc: "after a SIGSEGV the run goes on (the access is skipped) or stops"},
	{Name: "disk.model", Unit: Choice, Choices: []string{"none", "hdd-7200", "ssd-sata", "ssd-nvme"}, Doc: "the disk holding files and swap (1 GiB)"},
	{Name: "disk.swap", Unit: Bytes, Min: 0, Max: 1 << 30, Doc: "the swap area at the end of the disk; the file system has the rest"},
}

// readaheadDoc says what os.readahead is and why the default preset's is
// 4MiB, not Linux's usual 128KiB.
const readaheadDoc = "a page-cache miss reads this window from the disk in one request: read-around of the faulting page for a fault, a window that grows up to it for read() and MADV_SEQUENTIAL (Linux's read_ahead_kb); 0: one page a miss (CS:APP). " +
	"The default preset's 4MiB is what the reference Linux VM behaved as: its cold 1MiB mmapcopy took 16 minor faults and 1 major, which needs a window of 4MiB or more (128KiB, Linux's usual default, gives 17 and 8)"

// tlbNames are the translation buffers; each has the keys in tlbKeys.
var tlbNames = []string{"itlb", "dtlb", "stlb"}

var tlbKeys = []Key{
	{Name: "entries", Unit: Count, Min: 0, Max: 1 << 16, Doc: "entries; 0 leaves the TLB out"},
	{Name: "ways", Unit: Count, Min: 1, Max: 1 << 16, Doc: "associativity"},
	{Name: "latency", Unit: Cycles, Min: 0, Max: 1000, Doc: "cycles a lookup adds (0: hidden behind the L1 cache access)"},
	{Name: "pages", Unit: Sizes, Min: 16, Max: 1 << 30, Doc: "page sizes it holds"},
	{Name: "replacement", Unit: Choice, Choices: replacement.Names(), Doc: "victim choice (package replacement describes each)"},
}

func init() {
	globalKeys = append(globalKeys, Key{Name: "memory.model", Unit: Choice, Choices: []string{"fixed", "dram"},
		Doc: "main memory: a fixed latency (memory.latency), or the cycle-level DRAM model (dram.*)"})
	globalKeys = append(globalKeys, dramKeys()...)
	for _, t := range tlbNames {
		for _, k := range tlbKeys {
			k.Name = t + "." + k.Name
			k.Doc = t + " " + k.Doc
			globalKeys = append(globalKeys, k)
		}
	}
}

// levelKeys are the keys of each cache level, after "<level>.".
var levelKeys = []Key{
	{Name: "size", Unit: Bytes, Min: 1, Max: 1 << 40, Doc: "capacity"},
	{Name: "ways", Unit: Count, Min: 1, Max: 1024, Doc: "associativity (lines per set)"},
	{Name: "line", Unit: Bytes, Min: 1, Max: 1 << 16, Pow2: true, Doc: "line (block) size"},
	{Name: "latency", Unit: Cycles, Min: 0, Max: 10_000, Doc: "cycles from request to data on a hit; a miss is known this late too"},
	{Name: "mshrs", Unit: Count, Min: 1, Max: 4096, Doc: "misses that can be in flight at once; more wait for one to finish"},
	{Name: "replacement", Unit: Choice, Choices: replacement.Names(), Doc: "victim choice (package replacement describes each)"},
	{Name: "write_policy", Unit: Choice, Choices: cache.WriteNames, Doc: "write-back marks lines dirty; write-through sends every write down; as-read treats a write as a read (cachegrind)"},
	{Name: "write_allocate", Unit: Bool, Doc: "a write miss fetches the line (else the write goes down and the line is not filled)"},
	{Name: "inclusion", Unit: Choice, Choices: cache.InclusionNames, Doc: "relation to the levels above: independent, inclusive (evictions invalidate above), or exclusive (holds what the levels above evict)"},
	{Name: "sharing", Unit: Choice, Choices: []string{"private", "shared"}, Doc: "with several cores: each core has one of its own (private), or all share one (shared); no private level may lie below a shared one. By default the last level is shared"},
	{Name: "prefetcher", Unit: Choice, Choices: prefetch.Names(prefetch.Data | prefetch.Instruction), Doc: prefetcherDoc()},
	{Name: "prefetch_degree", Unit: Count, Min: 0, Max: 64, Doc: "prefetches a trigger may ask for (0: the prefetcher's own default)"},
	{Name: "prefetch_distance", Unit: Count, Min: 0, Max: 4096, Doc: "how far ahead the prefetcher runs, in its own unit: lines for stream, instructions for fdip (0: its own default)"},
	{Name: "prefetch_fill", Unit: Choice, Choices: []string{"here", "below"}, Doc: "here: prefetches fill this level, or the level below where the prefetcher asks; below: every prefetch fills the level below"},
	{Name: "prefetch_walk", Unit: Bool, Doc: "a first level's prefetch whose page the TLBs lack starts a page walk (counted apart from demand walks); false: it is dropped"},
	{Name: "prefetch_throttle", Unit: Bool, Doc: "hold the prefetcher back while its accuracy is low (feedback-directed: every 256 prefetches, under 40% it lets half as many through, down to a sixteenth; at 75% or more, twice as many)"},
	{Name: "read_ports", Unit: Count, Min: 0, Max: 64, Doc: "lookups a cycle of loads, fetches, page-table reads and prefetches (an L1D's load ports; ChampSim's max_tag_check); 0: unlimited"},
	{Name: "write_ports", Unit: Count, Min: 0, Max: 64, Doc: "lookups a cycle of stores, page-table writes and write-backs from above (an L1D's store ports); 0: unlimited"},
	{Name: "fills", Unit: Count, Min: 0, Max: 64, Doc: "lines that may arrive from below in a cycle (ChampSim's max_fill); 0: unlimited"},
	{Name: "rq", Unit: Count, Min: 0, Max: 4096, Doc: "reads that may wait for a lookup (ChampSim's RQ); more wait above; 0: unlimited"},
	{Name: "wq", Unit: Count, Min: 0, Max: 4096, Doc: "writes that may wait for a lookup (ChampSim's WQ); 0: unlimited"},
	{Name: "pq", Unit: Count, Min: 0, Max: 4096, Doc: "prefetches from above that may wait for a lookup (ChampSim's PQ); a prefetch that finds it full is dropped; 0: unlimited"},
}

// levelDefaults fill the keys of a level that neither the preset nor the
// user set; a level's sharing is levelDefault's.
var levelDefaults = map[string]string{
	"size": "32KiB", "ways": "8", "line": "64B", "latency": "4", "mshrs": "16",
	"replacement": "lru", "write_policy": "write-back", "write_allocate": "true",
	"inclusion": "non-inclusive", "prefetcher": "none", "prefetch_degree": "0", "prefetch_distance": "0",
	"prefetch_fill": "here", "prefetch_walk": "false", "prefetch_throttle": "true",
	"read_ports": "0", "write_ports": "0", "fills": "0", "rq": "0", "wq": "0", "pq": "0",
}

// prefetcherDoc describes the prefetcher key's choices from the
// prefetchers package prefetch has registered.
func prefetcherDoc() string {
	return choicesDoc("the level's prefetcher: none", prefetch.Names(prefetch.Data | prefetch.Instruction)[1:], prefetch.Doc)
}

// choicesDoc is lead, then each name with what doc says of it.
func choicesDoc(lead string, names []string, doc func(string) string) string {
	var parts []string
	if lead != "" {
		parts = append(parts, lead)
	}
	for _, n := range names {
		parts = append(parts, n+": "+doc(n))
	}
	return strings.Join(parts, "; ")
}

// levelDefault is the default of key k of the level at depth of levels
// levels: the last level shared (as an LLC is), the others private.
func levelDefault(k string, depth, levels int) string {
	if k != "sharing" {
		return levelDefaults[k]
	}
	if depth == levels-1 {
		return "shared"
	}
	return "private"
}

// modelDoc describes core.model's choices from the models the cpu package
// has registered.
func modelDoc() string { return choicesDoc("", cpu.ModelNames(), cpu.ModelDoc) }
