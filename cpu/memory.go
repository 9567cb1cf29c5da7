package cpu

import "github.com/vmemu/vmemu/sim"

// Access is one memory access the core asks of the memory side.
type Access struct {
	VA   uint64
	Size uint32
	Kind sim.Kind   // sim.Fetch, sim.Load or sim.Store
	Done AccessDone // told when an access that could not finish at once is done
	ID   uint64     // the core's own tag

	// Filled in by the memory side before it returns true or calls Done:
	Faulted     bool      // abandoned after a fault (SIGSEGV): the instruction goes on without data
	Depth       int       // the level that supplied the data: 0 = first level ... Levels = memory
	Translation sim.Cycle // cycles of the access spent translating (TLBs, walks)
	FaultCycles sim.Cycle // cycles of it spent in the kernel's fault handler
}

// AccessDone is told when an access that could not finish at once is done.
type AccessDone interface{ AccessDone(a *Access, at sim.Cycle) }

// Memory is the machine's memory side: translation, then the caches.
type Memory interface {
	// Access presents a at cycle now (never before the engine's present).
	// It returns when the data is there and true, or false and calls
	// a.Done later (from an engine event).
	Access(now sim.Cycle, a *Access) (done sim.Cycle, ok bool)
	// Levels is the number of cache levels (names for the CPI stack come from LevelNames).
	LevelNames() []string // e.g. ["l1", "l2", "llc"]; depth len() is "memory"
	// Switch makes process p current (a context switch for multi-trace runs) and returns its cost in cycles.
	Switch(now sim.Cycle, p int) sim.Cycle
}

// clearOutputs resets the fields the memory side fills, so a reused Access
// never reports the previous access's depth or fault.
func (a *Access) clearOutputs() {
	a.Faulted, a.Depth, a.Translation, a.FaultCycles = false, 0, 0, 0
}
