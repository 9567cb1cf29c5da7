package cpu

import (
	"fmt"

	"github.com/vmemu/vmemu/memside"
	"github.com/vmemu/vmemu/sim"
)

// tally holds a run's counters: the CPI stack, instructions and accesses.
// Warmup ends with a reset.
type tally struct {
	stack        []uint64 // cycles by component (comp*)
	levels       int      // cache levels; depth levels is memory
	instructions uint64
	start        sim.Cycle
	access       [3]AccessStats
	// byIP, when set, is told every instruction counted and the cycles
	// charged for it (Options.ByIP); events are the components' Events, by
	// comp; told and toldInstr the stack and instructions as byIP was last
	// told of them.
	byIP       sim.ByIP
	events     []sim.Event
	instrEvent sim.Event
	told       []uint64
	toldInstr  uint64
}

func newTally(levels int, start sim.Cycle) *tally {
	t := &tally{stack: make([]uint64, compLevels+levels+1), levels: levels}
	for k := range t.access {
		t.access[k].ByDepth = make([]uint64, levels+1)
	}
	t.reset(start)
	return t
}

// reset discards everything counted so far; counting starts again at start.
func (t *tally) reset(start sim.Cycle) {
	clear(t.stack)
	clear(t.told)
	t.toldInstr = 0
	for k := range t.access {
		d := t.access[k].ByDepth
		clear(d)
		t.access[k] = AccessStats{ByDepth: d}
	}
	t.instructions, t.start = 0, start
}

// countByIP makes t tell b of every instruction and every cycle charged;
// stack holds the Events of the components in StackNames' order, then
// kernel's.
func (t *tally) countByIP(b sim.ByIP, instr sim.Event, stack []sim.Event) error {
	order := t.order()
	if len(stack) != len(order) {
		return fmt.Errorf("cpu: %d CPI-stack events for %d components", len(stack), len(order))
	}
	t.byIP, t.instrEvent, t.events, t.told = b, instr, make([]sim.Event, len(t.stack)), make([]uint64, len(t.stack))
	for i, comp := range order {
		t.events[comp] = stack[i]
	}
	return nil
}

// order is the components in StackNames' order, then kernel.
func (t *tally) order() []int {
	order := []int{compBase, compFrontend}
	for d := 0; d <= t.levels; d++ {
		order = append(order, compLevels+d)
	}
	return append(order, compTranslation, compFaults, compStoreBuffer, compSwitch, compKernel)
}

// closeFor tells byIP, if there is one, that the cycles charged and the
// instructions counted since it was last told were those of the
// instruction at ip (0: none). The models close where the instruction
// charged changes: at an instruction's retirement (every cycle charged
// since the one before is for it: the ROB head's, or, with the ROB empty,
// the instruction about to enter it; the in-order core's running one),
// after a context switch and a program's kernel work (no instruction),
// and after the store buffer's drain at the end (the last store). So
// charging itself costs nothing more; a retirement, one test (meter.byIP).
func (t *tally) closeFor(ip uint64) {
	if t.byIP != nil {
		t.close(ip)
	}
}

func (t *tally) close(ip uint64) {
	if d := t.instructions - t.toldInstr; d > 0 {
		t.byIP.Count(ip, t.instrEvent, d)
		t.toldInstr = t.instructions
	}
	for comp, n := range t.stack {
		if d := n - t.told[comp]; d > 0 {
			t.byIP.Count(ip, t.events[comp], d)
			t.told[comp] = n
		}
	}
}

// charge adds the cycles of [from, to) to comp.
func (t *tally) charge(from, to sim.Cycle, comp int) {
	if to > from {
		t.stack[comp] += uint64(to - from)
	}
}

// depthComp is the component of the level at depth; anything past the last
// cache level is memory.
func (t *tally) depthComp(depth int) int {
	return compLevels + t.clampDepth(depth)
}

func (t *tally) clampDepth(depth int) int {
	return min(max(depth, 0), t.levels)
}

// span is the life of one access: presented at issued, translating for tr
// cycles, in the kernel for fault cycles, then waiting for the level at depth
// until done. The memory side reports tr and fault as totals; laying them
// out first, in that order, is what a translate-then-access path does.
type span struct {
	issued, done sim.Cycle
	tr, fault    sim.Cycle
	depth        int
}

func spanOf(a *memside.Access, issued, done sim.Cycle) span {
	return span{issued: issued, done: max(done, issued), tr: a.Out.Translation, fault: a.Out.FaultCycles, depth: int(a.Out.Served.Depth)}
}

// chargeSpan charges the cycles of [from, to) by where access s was at each
// of them; cycles outside the access's life go to outside.
func (t *tally) chargeSpan(from, to sim.Cycle, s span, outside int) {
	if s.tr == 0 && s.fault == 0 && from >= s.issued && to <= s.done {
		// The common case: every cycle charged waits for the level.
		if to > from {
			t.stack[t.depthComp(s.depth)] += uint64(to - from)
		}
		return
	}
	life := s.done - s.issued
	tr := min(s.tr, life)
	fault := min(s.fault, life-tr)
	bounds := [...]sim.Cycle{s.issued, s.issued + tr, s.issued + tr + fault, s.done, sim.Never}
	comps := [...]int{outside, compTranslation, compFaults, t.depthComp(s.depth), outside}
	lo := from
	for i, b := range bounds {
		hi := min(b, to)
		if hi > lo {
			t.stack[comps[i]] += uint64(hi - lo)
			lo = hi
		}
	}
}

// record counts one finished access.
func (t *tally) record(kind sim.Kind, a *memside.Access, issued, done sim.Cycle) {
	if kind > sim.Store {
		return
	}
	s := &t.access[kind]
	s.Count++
	s.Cycles += uint64(done - issued)
	s.Translation += uint64(a.Out.Translation)
	s.FaultCycles += uint64(a.Out.FaultCycles)
	if a.Out.Faulted {
		s.Faulted++
	}
	s.ByDepth[t.clampDepth(int(a.Out.Served.Depth))]++
}
