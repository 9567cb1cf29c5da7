package cpu

import "github.com/vmemu/vmemu/sim"

// Result is what a run measured, warmup excluded.
type Result struct {
	Instructions uint64  `json:"instructions"`
	Cycles       uint64  `json:"cycles"`
	IPC          float64 `json:"ipc"`
	// Stack is the CPI stack: every cycle of the run charged to one cause,
	// in a fixed order (see StackNames). The entries add up to Cycles.
	Stack []StackEntry `json:"cpi_stack"`
	// Access holds the accesses by kind, indexed by sim.Fetch, sim.Load
	// and sim.Store.
	Access [3]AccessStats `json:"accesses"`
}

// StackEntry is one component of the CPI stack.
type StackEntry struct {
	Name   string `json:"name"`
	Cycles uint64 `json:"cycles"`
}

// Component returns the cycles of the named stack component (0 if none).
func (r *Result) Component(name string) uint64 {
	for _, e := range r.Stack {
		if e.Name == name {
			return e.Cycles
		}
	}
	return 0
}

// AccessStats counts one kind of access.
type AccessStats struct {
	Count       uint64   `json:"count"`
	Cycles      uint64   `json:"cycles"`       // sum of latencies, presentation to data
	Translation uint64   `json:"translation"`  // cycles of them spent translating
	FaultCycles uint64   `json:"fault_cycles"` // cycles of them in the kernel
	Faulted     uint64   `json:"faulted"`      // accesses abandoned after a fault
	ByDepth     []uint64 `json:"by_depth"`     // accesses by the depth that supplied them; the last is memory
}

// AMAT is the average latency of these accesses in cycles.
func (s *AccessStats) AMAT() float64 {
	if s.Count == 0 {
		return 0
	}
	return float64(s.Cycles) / float64(s.Count)
}

// StackNames lists the CPI stack's components for a memory side with these
// cache levels, in Result.Stack's order:
//
//   - base: a cycle in which an instruction retires, or the head is executing;
//   - frontend: the ROB is empty and no instruction fetch explains it
//     (the front end's own pipeline, a refill);
//   - one per cache level, then memory: the oldest instruction (or, with the
//     ROB empty, the fetch the front end waits for) waits for data that
//     level supplies;
//   - translation, faults: it waits while its access is translated, or
//     while the kernel handles its fault;
//   - store_buffer: the head cannot retire because the store buffer is full
//     (and, at the end of the run, the buffer draining);
//   - switch: context switches, with the drain before them;
//   - kernel, only in the stack of a run that has any: a program's system
//     calls and context switches (a scenario's).
func StackNames(levels []string) []string {
	names := []string{"base", "frontend"}
	names = append(names, levels...)
	return append(names, "memory", "translation", "faults", "store_buffer", "switch")
}

// counter components, as the tally indexes them
const (
	compBase = iota
	compFrontend
	compTranslation
	compFaults
	compStoreBuffer
	compSwitch
	compKernel // a program's system calls (the stack lists it only when a run has them)
	compLevels // the first cache level; memory is compLevels + number of levels
)

func (t *tally) result(end sim.Cycle, levels []string) Result {
	r := Result{Instructions: t.instructions, Cycles: uint64(end - t.start)}
	if r.Cycles > 0 {
		r.IPC = float64(r.Instructions) / float64(r.Cycles)
	}
	names := StackNames(levels)
	for i, comp := range t.order()[:len(names)] {
		r.Stack = append(r.Stack, StackEntry{names[i], t.stack[comp]})
	}
	if k := t.stack[compKernel]; k > 0 {
		r.Stack = append(r.Stack, StackEntry{"kernel", k})
	}
	for k := range r.Access {
		r.Access[k] = t.access[k]
		r.Access[k].ByDepth = append([]uint64(nil), t.access[k].ByDepth...)
	}
	return r
}
