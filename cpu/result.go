package cpu

import "github.com/vmemu/vmemu/sim"

// Result is what a run measured, warmup excluded. The rest of what the
// core counted (the CPI stack, the accesses by kind) is in its registry, as
// core.*: see Options.Stats.
type Result struct {
	Instructions uint64
	Cycles       uint64
	IPC          float64
}

// StackNames lists the CPI stack's components for a memory side with these
// cache levels, in order (the registry's core.cycles.NAME):
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
//   - kernel, registered after them and shown only by a run that has
//     any: a program's system calls and context switches (a scenario's).
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

// stackOrder is the component of each of StackNames, then kernel's.
func stackOrder(levels int) []int {
	order := []int{compBase, compFrontend}
	for d := 0; d <= levels; d++ {
		order = append(order, compLevels+d)
	}
	return append(order, compTranslation, compFaults, compStoreBuffer, compSwitch, compKernel)
}

// stackDoc says what the cycles of a component of the CPI stack are.
func stackDoc(name string, comp int) string {
	switch comp {
	case compBase:
		return "cycles an instruction retired in, or the head was executing"
	case compFrontend:
		return "cycles the ROB was empty with no fetch to wait for"
	case compTranslation:
		return "cycles the oldest instruction waited for its access's translation"
	case compFaults:
		return "cycles the oldest instruction waited for the kernel to handle its fault"
	case compStoreBuffer:
		return "cycles the head could not retire for a full store buffer (and its drain at the end)"
	case compSwitch:
		return "cycles of context switches, with the drain before them"
	case compKernel:
		return "cycles of a program's system calls and context switches"
	}
	return "cycles the oldest instruction waited for data " + name + " supplied"
}

func (t *tally) result(end sim.Cycle) Result {
	r := Result{Instructions: t.instructions, Cycles: uint64(end - t.start)}
	if r.Cycles > 0 {
		r.IPC = float64(r.Instructions) / float64(r.Cycles)
	}
	return r
}
