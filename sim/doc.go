// Package sim holds what every block of the emulator shares: time, the event
// engine, the request that travels between memory levels, the Port a level
// implements, the registry of statistics (Stats: counters that stay plain
// fields of their components, registered once by name with a doc, read
// through snapshots), counting by instruction (ByIP, for emu annotate) and
// the seeded random source.
//
// Time is counted in core cycles (Cycle). Components that run on another clock
// (DRAM, the disk) convert with an exact ratio (see Ratio), so no rounding error
// accumulates over a long run.
//
// The engine is a serial discrete-event simulator: a binary min-heap of
// (cycle, sequence) keys. Events at the same cycle run in the order they were
// scheduled, so a run is deterministic: the same inputs give the same cycles,
// bit for bit. Components schedule events only where timing interacts (a miss
// returning, a queue draining); a cache hit is resolved inline without any
// event, and nothing ticks while it is idle.
package sim
