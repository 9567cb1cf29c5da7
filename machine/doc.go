// Package machine assembles a machine from a configuration and replays
// traces on it.
//
// Configuration is one flat tree of documented keys with units
// ("l1d.size: 48KiB", "memory.latency: 280"), read from embedded presets
// (presets/*.yaml) or a user's YAML or JSON file that starts from a preset
// ("base: default") and changes what it names, then from --set key=value.
// Every value is checked when set: an unknown key names the nearest valid
// one, a number out of range gives the range, and an impossible cache
// geometry is refused with the reason. The set of level keys follows the
// "levels" key: every level it names has the same keys.
//
// Build wires the blocks together: the caches, main memory (a fixed latency
// or the DRAM controller), and with mmu.enabled the kernel, the disk, the
// page tables and the MMU. Traces run on the cpu package's core through
// memSide, which translates each access page by page and presents it to the
// first cache level, either step possibly waiting on the engine. Scenarios
// (.emu) run on an in-order loop here that also carries their data to and
// from physical memory, and checks the values they state. Explain breaks
// one load down as a textbook exercise does; CSim is the Cache Lab
// reference simulator's behaviour, exactly.
//
// The report counts instructions, cycles and IPC, accesses and AMAT by
// kind, per level demand accesses, hits, misses, evictions and write-backs,
// the DRAM's commands and latencies, the TLBs, walks and faults, a
// scenario's processes, and the CPI stack, which adds up to the cycles.
package machine
