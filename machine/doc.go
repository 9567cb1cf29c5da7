// Package machine assembles a machine from a configuration and runs traces
// and scenarios on it.
//
// Build wires the blocks together from a config.Config (package config has
// the keys, units, presets and files): the caches (build_caches.go), main
// memory, a fixed latency or the DRAM controller (build_memory.go), and
// with mmu.enabled the kernel (build_kernel.go), the disk (build_disk.go),
// the page tables and the MMU (build_translation.go), and a state file's
// entries (build_state.go; package state reads the file). Before any of
// it, it estimates from the configuration what the blocks will allocate
// and refuses a machine over the host's budget (budget.go). A state file's
// entries are checked against the machine and each other: addresses
// inside its widths, one entry per TLB or cache way and per page, one
// value per byte.
//
// Traces run on the cpu package's core through memSide, which translates
// each access page by page and presents it to the first cache level,
// either step possibly waiting on the engine. Scenarios (.emu) run on an
// in-order loop here that also carries their data to and from physical
// memory, and checks the values they state. Explain breaks one load down as
// a textbook exercise does. A Timeline records a window of accesses as
// spans.
//
// A run's result is a report.Report, filled here from what the caches,
// memory, MMU, kernel and core counted (report.go, translation_report.go,
// scenario_report.go); package report holds the types, their text and the
// trace-event file. The report counts instructions, cycles and IPC,
// accesses and AMAT by kind, per level demand accesses, hits, misses,
// evictions and write-backs, the DRAM's commands and latencies, the TLBs,
// walks and faults, a scenario's processes, and the CPI stack, which adds
// up to the cycles.
//
// It leaves out the Cache Lab reference simulator, which never needed a
// machine (package cache/csim), and everything the blocks model themselves.
package machine
