package machine

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/tlb"
)

// A configuration inside every key's range can still describe a machine
// whose arrays do not fit the host: llc.size=1TiB is 2^34 ways, 288 GiB of
// tags, and Go's allocator ends the process ("fatal error: out of memory")
// with no file, line or key, taking a whole sweep with it. So Build first
// adds up what the machine would allocate, from its configuration alone,
// and refuses one over the host's budget, naming the bytes and the key.

// BudgetEnv names the environment variable that sets the budget, as a size
// (8GiB): for tests, and for hosts where half the memory is the wrong share.
const BudgetEnv = "VMEMU_MEMORY_BUDGET"

// unknownMemoryBudget is the budget where the host's memory is unknown
// (no /proc/meminfo).
const unknownMemoryBudget = 16 << 30

// part is one block's share of the machine's arrays, under the key that
// sizes it.
type part struct {
	key   string
	bytes uint64
}

// checkBudget refuses a configuration whose arrays would not fit the host.
func checkBudget(r *config.Reader) error {
	parts := arrayParts(r)
	if r.Err != nil {
		return r.Err
	}
	var total uint64
	for _, p := range parts {
		total += p.bytes // each part is below 2^46 bytes: no overflow
	}
	budget, from, err := memoryBudget()
	if err != nil {
		return err
	}
	if total <= budget {
		return nil
	}
	sort.SliceStable(parts, func(i, j int) bool { return parts[i].bytes > parts[j].bytes })
	big := parts[0]
	return &config.Error{Where: r.Config.Origin(big.key), Key: big.key, Msg: fmt.Sprintf(
		"the machine's arrays would take %s (%s for %s), more than the %s this host allows (%s)",
		roughBytes(total), roughBytes(big.bytes), strings.TrimSuffix(big.key, ".size"), roughBytes(budget), from)}
}

// arrayParts estimates what Build allocates that grows with the
// configuration: the cache levels' way arrays (a private level's once a
// core), the directory's when it keeps several cores coherent, each core's
// TLBs and page-walk caches, the DRAM controller's state, and the kernel's
// frame tables.
func arrayParts(r *config.Reader) []part {
	var out []part
	cores := r.Count("cores")
	ls := r.Config.Levels()
	split, err := firstShared(r, ls)
	if err != nil {
		return nil // Build says what is wrong with it
	}
	coherent := cores > 1 && split > 0 && split < len(ls) && r.Str("coherence.model") == "mesi"
	for d, l := range ls {
		for _, name := range []string{l.Name, l.Split} {
			if name == "" {
				continue
			}
			cfg := levelConfig(r, name, 0, 0)
			n, bytes := uint64(1), cfg.ArrayBytes()
			if d < split {
				n = cores
			}
			if coherent && d <= split {
				bytes += cfg.CoherenceBytes(d == split, int(cores))
			}
			out = append(out, part{name + ".size", n * bytes})
		}
	}
	if r.Bool("mmu.enabled") {
		for _, t := range []string{"itlb", "dtlb", "stlb"} {
			cfg := tlb.Config{Entries: int(r.Count(t + ".entries")), Ways: int(r.Count(t + ".ways")), Replacement: r.Str(t + ".replacement")}
			out = append(out, part{t + ".entries", cores * cfg.ArrayBytes()})
		}
		for _, k := range []string{"mmu.pml4e_cache", "mmu.pdpte_cache", "mmu.pde_cache"} {
			out = append(out, part{k, cores * mmu.PWCBytes(int(r.Count(k)))})
		}
		out = append(out, part{"os.memory", frameTableBytes(r)})
	}
	if r.Str("memory.model") == "dram" {
		if d, err := r.DRAM(); err == nil { // a bad part is reported when memory is built
			out = append(out, part{"dram.channels", d.StateBytes()})
		}
	}
	return out
}

// frameTableBytes bounds the kernel's tables that grow with physical
// memory rather than with use: an allocator that counts the frames in use
// in each huge-page block of 2^mmu.level_bits frames, as the kernel's
// does for transparent huge pages, holds 4 bytes a block. (The kernel's
// maps of frames grow with the frames a run touches, bounded by its
// trace, and are left out.)
func frameTableBytes(r *config.Reader) uint64 {
	page, bits := r.Bytes("mmu.page"), r.Count("mmu.level_bits")
	if page == 0 || bits >= 64 {
		return 0
	}
	return 4 * (r.Bytes("os.memory")/page>>bits + 1)
}

// memoryBudget is the most a machine's arrays may take, and where the
// figure comes from: BudgetEnv, else half of the host's physical memory
// (so that a second sweep worker, the trace and the rest still fit).
func memoryBudget() (uint64, string, error) {
	if v := os.Getenv(BudgetEnv); v != "" {
		n, _, err := config.ParseBytes(v)
		if err != nil {
			return 0, "", &config.Error{Where: BudgetEnv + "=" + v, Msg: err.Error()}
		}
		return n, BudgetEnv + "=" + v, nil
	}
	if total := physicalMemory(); total > 0 {
		return total / 2, fmt.Sprintf("half of its %s; %s sets another budget", roughBytes(total), BudgetEnv), nil
	}
	return unknownMemoryBudget, fmt.Sprintf("its memory being unknown; %s sets another budget", BudgetEnv), nil
}

// physicalMemory is MemTotal from /proc/meminfo, or 0 where there is none.
var physicalMemory = sync.OnceValue(func() uint64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	return memTotal(f)
})

// memTotal reads the "MemTotal: N kB" line of a meminfo file.
func memTotal(f *os.File) uint64 {
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) == 3 && fields[0] == "MemTotal:" && fields[2] == "kB" {
			n, err := strconv.ParseUint(fields[1], 10, 64)
			if err == nil && n < 1<<53 {
				return n << 10
			}
		}
	}
	return 0
}

// roughBytes writes a size to three figures in a binary unit: 288 GiB.
func roughBytes(n uint64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v, u := float64(n), 0
	for v >= 1024 && u < len(units)-1 {
		v, u = v/1024, u+1
	}
	switch {
	case u == 0 || v >= 100:
		return fmt.Sprintf("%.0f %s", v, units[u])
	case v >= 10:
		return fmt.Sprintf("%.1f %s", v, units[u])
	}
	return fmt.Sprintf("%.2f %s", v, units[u])
}
