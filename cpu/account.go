package cpu

import (
	"fmt"

	"github.com/vmemu/vmemu/memside"
	"github.com/vmemu/vmemu/sim"
)

// tally holds a run's counters: the CPI stack, instructions and accesses,
// registered with the core's registry (register), which warm-up resets;
// start, the cycle counting started at, is kept apart.
type tally struct {
	stack        []uint64 // cycles by component (comp*)
	levels       int      // cache levels; depth levels is memory
	instructions uint64
	start        sim.Cycle
	access       [3]accessCounts
	// byIP, when set, is told every instruction counted and the cycles
	// charged for it (Options.ByIP); events are the components' Events, by
	// comp; told and toldInstr the stack and instructions as byIP was last
	// told of them.
	byIP       sim.ByIP
	events     []sim.Event
	instrEvent sim.Event
	told       []uint64
	toldInstr  uint64
	// halts are the interrupts a core that charges its cycles later (the
	// out-of-order core, at retirement) has been in, oldest first, until
	// the charges have passed them: their cycles go to shootdown.
	halts []window
}

// window is the cycles [from, to).
type window struct{ from, to sim.Cycle }

// accessCounts count one kind of access.
type accessCounts struct {
	Count       uint64
	Cycles      uint64   // sum of latencies, presentation to data
	Translation uint64   // cycles of them spent translating
	FaultCycles uint64   // cycles of them in the kernel
	Faulted     uint64   // accesses abandoned after a fault
	ByDepth     []uint64 // accesses by the depth that supplied them; the last is memory
}

func newTally(levels int, start sim.Cycle) *tally {
	t := &tally{stack: make([]uint64, compLevels+levels+1), levels: levels, start: start}
	for k := range t.access {
		t.access[k].ByDepth = make([]uint64, levels+1)
	}
	return t
}

// register adds the tally's counters to s under prefix ("core"), named
// after the cache levels (levels, as Options.Levels names them): all of
// them details, since the interval file has instructions and cycles as
// its own first columns.
func (t *tally) register(s *sim.Stats, prefix string, levels []string, shootdowns bool) {
	p := prefix + "."
	s.Register(p+"instructions", &t.instructions, "instructions retired", sim.Detail)
	order := stackOrder(len(levels))
	for i, name := range append(StackNames(levels), "kernel") {
		s.Register(p+"cycles."+name, &t.stack[order[i]], stackDoc(name, order[i]), sim.Cycles, sim.Detail)
	}
	if shootdowns {
		s.Register(p+"cycles.shootdown", &t.stack[compShootdown], stackDoc("shootdown", compShootdown), sim.Cycles, sim.Detail)
	}
	depths := append(levels[:len(levels):len(levels)], "memory")
	for k := range t.access {
		a, q, kinds := &t.access[k], p+sim.Kind(k).String()+".", kindPlurals[k]
		s.Register(q+"accesses", &a.Count, kinds+" finished", sim.Detail)
		s.Register(q+"cycles", &a.Cycles, kinds+"' latencies, presentation to data, summed", sim.Cycles, sim.Detail)
		s.Register(q+"translation_cycles", &a.Translation, "cycles "+kinds+" spent translating", sim.Cycles, sim.Detail)
		s.Register(q+"fault_cycles", &a.FaultCycles, "cycles "+kinds+" spent in the kernel's fault handler", sim.Cycles, sim.Detail)
		s.Register(q+"faulted", &a.Faulted, kinds+" abandoned after a fault", sim.Detail)
		for d, name := range depths {
			s.Register(q+"served_by."+name, &a.ByDepth[d], kinds+" "+name+" supplied", sim.Detail)
		}
	}
}

// kindPlurals name the accesses of tally.access in counters' docs.
var kindPlurals = [3]string{"fetches", "loads", "stores"}

// countByIP makes t tell b of every instruction and every cycle charged;
// stack holds the Events of the components in StackNames' order, then
// kernel's.
func (t *tally) countByIP(b sim.ByIP, instr sim.Event, stack []sim.Event) error {
	order := stackOrder(t.levels)
	if len(stack) != len(order) {
		return fmt.Errorf("cpu: %d CPI-stack events for %d components", len(stack), len(order))
	}
	t.byIP, t.instrEvent, t.events, t.told = b, instr, make([]sim.Event, len(t.stack)), make([]uint64, len(t.stack))
	for i, comp := range order {
		t.events[comp] = stack[i]
	}
	return nil
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

// resetByIP starts counting by instruction again (the end of warmup, when
// the registry's counters, the stack among them, start again from zero).
func (t *tally) resetByIP() {
	if t.byIP != nil {
		clear(t.told)
		t.toldInstr = 0
		t.byIP.Reset()
	}
}

// charge adds the cycles of [from, to) to comp.
func (t *tally) charge(from, to sim.Cycle, comp int) {
	// Written to stay under the inliner's budget: it runs for nearly
	// every instruction, and halts is nil but for a shootdown's.
	if t.halts != nil {
		t.carve(from, to, nil, comp)
	} else if to > from {
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
	if len(t.halts) > 0 {
		t.carve(from, to, &s, outside)
		return
	}
	t.chargeSpanAt(from, to, s, outside)
}

// chargeSpanAt is chargeSpan outside any interrupt.
func (t *tally) chargeSpanAt(from, to sim.Cycle, s span, outside int) {
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

// carve charges [from, to) as charge (s nil) or chargeSpan would, but the
// cycles inside an interrupt the core was in to shootdown, and forgets the
// interrupts the charges have passed (a core charges its cycles in order).
func (t *tally) carve(from, to sim.Cycle, s *span, comp int) {
	part := func(a, b sim.Cycle) {
		switch {
		case b <= a:
		case s == nil:
			t.stack[comp] += uint64(b - a)
		default:
			t.chargeSpanAt(a, b, *s, comp)
		}
	}
	for _, h := range t.halts {
		if h.to <= from || h.from >= to {
			continue
		}
		part(from, h.from)
		from = max(from, h.from)
		end := min(h.to, to)
		t.stack[compShootdown] += uint64(end - from)
		from = end
	}
	part(from, to)
	n := 0
	for n < len(t.halts) && t.halts[n].to <= to {
		n++
	}
	if t.halts = t.halts[n:]; len(t.halts) == 0 {
		t.halts = nil // charge tests for nil
	}
}
