// Package report holds what a run measured, as plain data, and writes it
// out: Report and its parts (per kind, per cache level, memory and DRAM,
// translation, a scenario's processes, the CPI stack, cachegrind's counts)
// are the JSON report (schema "vmemu.run/2", described in
// schema/report.schema.json), WriteText prints them as tables for a
// terminal, and TraceEvents writes a timeline in Chrome's trace-event
// format.
//
// It leaves out where the numbers come from: the machine package fills
// these types from its caches, memory, MMU, kernel and core, and decides
// which spans a timeline holds. The cachegrind counts carry cachegrind's
// event names (Ir, I1mr, ILmr, Dr, ...) so that they can be compared with
// cg_annotate's output as they are.
package report
