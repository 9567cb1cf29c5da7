// Package memside is the one path every access of a core takes into the
// memory system: split at page boundaries, translated by the MMU (its TLB
// fast path included), then presented to the first cache level of its side
// (instruction fetches to the L1I, loads and stores to the L1D). Either
// step may have to wait on the event engine (a page walk whose reads miss,
// a miss that goes to DRAM); the access then continues from the completion
// and the requester is told at the end.
//
// The out-of-order core, the in-order core (and through it a scenario's
// accesses, which carry their data), and `emu explain` all go through
// Side.Access, and read what happened from the access's Outcome: whether a
// page walk was needed, the physical address, the level that served the
// data, whether the first level hit, missed or merged with a fill in flight,
// what it evicted, the cycles spent translating and in the kernel, and a
// load's value. Nobody learns a result by diffing counters.
//
// Each request carries the access's virtual address (sim.Request.VA) for a
// first level's prefetcher, which works on virtual addresses; Branch passes
// the front end's predicted branches to the instruction side's prefetcher.
//
// What it leaves out: accesses are not reordered or combined here (the core
// decides what is in flight), and a fault abandons the rest of an access
// (the kernel has delivered SIGSEGV by then).
package memside
