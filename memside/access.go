package memside

import (
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

// Access is one access a core asks of the memory side, by virtual address.
type Access struct {
	VA   uint64
	IP   uint64 // the instruction it serves
	Size uint32
	Kind sim.Kind // sim.Fetch, sim.Load or sim.Store
	// Data asks for the bytes too: a store writes Value's low Size bytes
	// (little-endian) to physical memory, a load returns them in
	// Out.Value. Timing-only accesses (trace replay) leave it false.
	Data  bool
	Value uint64
	// Steps, when set, receives every page-table entry a walk reads.
	Steps *[]mmu.Step
	// Trace, when set, collects the spans every level records for this
	// access (the timeline's window).
	Trace *sim.Trace
	Done  Waiter // told when an access that could not finish at once is done
	ID    uint64 // the requester's own tag

	Out Outcome // filled in by the memory side
}

// Outcome is what happened to an access.
type Outcome struct {
	// Faulted: the access was abandoned after a fault the kernel did not
	// mend (it delivered SIGSEGV): Cause says why, at address FaultVA.
	Faulted bool
	Cause   mmu.Cause
	FaultVA uint64
	PA      uint64 // the physical address of the first byte
	Walked  bool   // some page of it needed a page walk
	// Served is the deepest level that supplied data; Missed and Merged
	// are the first level's answer (a miss, or a hit on a line still being
	// filled) for any page of it; Evicted is the line address plus one of
	// a valid line its miss pushed out of the first level, 0 if none.
	Served         sim.Level
	Missed, Merged bool
	Evicted        uint64
	// Translation is the cycles spent translating (TLB lookups and
	// walks), FaultCycles those in the kernel's fault handler.
	Translation, FaultCycles sim.Cycle
	Value                    uint64 // a load's bytes, when Data
	// Moved says the bytes of an access that carries Data have moved
	// (its last page reached the first cache level), at cycle MovedAt:
	// the moment the access takes effect, before its data returns.
	Moved   bool
	MovedAt sim.Cycle
}

// Waiter is told when an access that could not finish at once is done.
type Waiter interface{ AccessDone(a *Access, at sim.Cycle) }
