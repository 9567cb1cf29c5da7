// Package machine assembles a machine from a configuration and runs traces
// and scenarios on it.
//
// Build wires the blocks together from a config.Config (package config has
// the keys, units, presets and files): the caches (build_caches.go), main
// memory, a fixed latency or the DRAM controller (build_memory.go), and
// with mmu.enabled the kernel (build_kernel.go), the disk (build_disk.go),
// the page tables and the MMU (build_translation.go; the kernel's Linux
// behaviours, off in every preset but default, from the os keys), and a
// state file's
// entries (build_state.go; package state reads the file). Before any of
// it, it estimates from the configuration what the blocks will allocate
// and refuses a machine over the host's budget (budget.go). A state file's
// entries are checked against the machine and each other: addresses
// inside its widths, one entry per TLB or cache way and per page, one
// value per byte.
//
// The machine owns the run loop (run.go): it makes a core of the cpu
// package over the one memory side (package memside: split at pages,
// translate, the caches) and steps it with sim.Loop until it is done. A
// trace replays on the configured core (Run and RunMany read it as the
// configuration says: access.fetch: ignore drops its fetch records, as
// csim does, for every caller; RunInstrs takes instructions as they are);
// with RunOptions.ByIP, every block that counts an event of the report
// counts it by instruction too, under the report's names (byip.go: emu
// annotate's table, whose totals EventTotals reads back from a report).
// A machine of several cores runs a trace a core as ChampSim's multi-core
// runs do (run_cores.go), traces that carry process ids as threads of one
// process per id, and a trace that carries threads split into a stream
// per thread, more streams than cores taking turns by the quantum
// (threads.go); a program, the lines
// of a scenario (package machine/scenario), on the in-order core with its
// data (RunProgram). A run that stops making progress is an internal error
// that prints what every component holds in flight. A Timeline traces a
// window of accesses and draws the spans the levels recorded. Package
// machine/explain breaks one load down as a textbook exercise does.
//
// Every component registers its counters once, when it is built, in the
// machine's registry (Machine.Stats, a sim.Stats): the caches, memory or
// the DRAM, the disk and swap, the kernel, the TLBs, MMU, walker and
// page-walk caches, and, when a run makes it, the core. Warm-up resets
// the registry and nothing else; intervals read snapshots of it. A run's
// result is a report.Report made from a snapshot of the registry and the
// machine's layout, its levels and TLBs by name (report.go,
// translation_report.go; a scenario's own part in machine/scenario), with
// every counter in its Stats; package report holds the types, their text
// and the trace-event file. The report counts instructions, cycles and
// IPC, accesses and AMAT by kind, per level demand accesses, hits, misses,
// evictions and write-backs, the DRAM's commands and latencies, the TLBs,
// walks and faults (as getrusage counts them, with their breakdown:
// os.faults.*), a scenario's processes, and the CPI stack, which adds up
// to the cycles. A machine runs once.
//
// It leaves out the Cache Lab reference simulator, which never needed a
// machine (package cache/csim), and everything the blocks model themselves.
package machine
