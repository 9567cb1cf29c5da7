package scenario

import (
	"github.com/vmemu/vmemu/cpu"
	"github.com/vmemu/vmemu/sim"
)

// On a machine of several cores each core runs the lines of the threads
// placed on it (coreLines, its in-order core's program), and the lines
// keep the file's order this way: a line starts when its core is free and
// the line before it in the file has taken effect, on whatever core:
//
//   - an access when its bytes have moved (memside.Outcome.Moved: its
//     translation and any fault are done, its data not yet back), or it
//     faulted;
//   - a system call, a context switch, a declaration when it has ended;
//   - a line that binds a name, or a line with loops (all its runs), when
//     it has ended.
//
// So every value a line reads or writes is the one the file's order
// gives, as if the lines ran one after another, while what overlaps is
// the memory's latency: a miss, a coherence transfer or invalidation of
// one core's line runs while the next lines of other cores start. A core
// whose next line is not the file's next waits (cpu.OpWait), its cycles
// charged to frontend. One core runs its lines one after another, as it
// always did.
type order struct {
	last    *lineState // the line started last: the next waits for its effect
	known   bool       // its effect's cycle is known: at
	at      sim.Cycle
	watch   *cpu.Op // its access, whose bytes moving is its effect
	looping int     // the core running a line with loops, or -1
	failed  bool    // a core stopped on an error: the others stop too
}

// coreLines is one core's program: the lines of its threads.
type coreLines struct {
	r  *scenarioRun
	st lineState
}

// Next gives the core its next operation (cpu.Program).
func (c *coreLines) Next(now sim.Cycle, op *cpu.Op) (bool, error) {
	c.r.lineState = &c.st
	ok, err := c.r.nextOp(now, op)
	c.r.failed = c.r.failed || err != nil
	return ok, err
}

// Did takes the outcome of the core's operation (cpu.Program).
func (c *coreLines) Did(op *cpu.Op, at sim.Cycle) error {
	c.r.lineState = &c.st
	err := c.r.did(op, at)
	c.r.failed = c.r.failed || err != nil
	return err
}

// wait is when core i may start the next line, at the earliest now:
// sim.Never when it is another core's, or the line before has not taken
// effect yet.
func (r *scenarioRun) wait(i int, now sim.Cycle) sim.Cycle {
	if len(r.cores) == 1 {
		return now
	}
	at, known := r.effect()
	if !known || r.nextCore() != i {
		return sim.Never
	}
	return max(now, at)
}

// held says core i can do nothing until another core has moved: it has
// no line of its own running and the next line is another's, or waits
// for the effect of the one before (machine.RunPrograms).
func (r *scenarioRun) held(i int) bool {
	switch {
	case r.halt != nil || r.failed || r.cores[i].st.line != nil:
		return false
	case r.next == len(r.s.Ops) && r.looping < 0:
		return false // over: the core ends
	}
	_, known := r.effect()
	return !known || r.nextCore() != i
}

// effect is the cycle the line started last took effect, if it has.
func (r *scenarioRun) effect() (sim.Cycle, bool) {
	if r.known {
		return r.at, true
	}
	if w := r.watch; w != nil && w.Access.Out.Moved {
		return w.Access.Out.MovedAt, true
	}
	return 0, false
}

// nextCore is the core of the next line: the core running a line with
// loops while it runs, else the core of the line's thread.
func (r *scenarioRun) nextCore() int {
	if r.looping >= 0 {
		return r.looping
	}
	line := &r.s.Ops[r.next]
	if line.Op == "file" || line.Op == "set" {
		return r.lastCore()
	}
	_, t := r.taskNamed(line.Proc)
	if t == nil {
		return r.lastCore() // the line fails there
	}
	return r.coreOf[t]
}

// lastCore is the core of the line started last (0 before the first):
// file and set lines run there.
func (r *scenarioRun) lastCore() int {
	if r.last == nil {
		return 0
	}
	return r.last.core
}

// dispatched is the running core's line starting: the next waits for it.
func (r *scenarioRun) dispatched() {
	r.last, r.known, r.watch = r.lineState, false, nil
	if len(r.line.Loops) > 0 {
		r.looping = r.core
	}
}

// watchAccess makes op, the running line's last access, the one whose
// bytes moving is the line's effect, unless the line must end first.
func (r *scenarioRun) watchAccess(op *cpu.Op) {
	if r.last == r.lineState && r.line.Bind == "" && len(r.line.Loops) == 0 {
		r.watch = op
	}
}

// ended is the running core's line over at cycle at, all its runs.
func (r *scenarioRun) ended(at sim.Cycle) {
	if r.last == r.lineState {
		if moved, ok := r.effect(); ok {
			at = moved // its bytes moved before it ended
		}
		r.known, r.at, r.watch = true, at, nil
	}
	if r.looping == r.core {
		r.looping = -1
	}
}
