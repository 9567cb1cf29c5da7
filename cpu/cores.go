package cpu

import "github.com/vmemu/vmemu/sim"

// What a machine of several cores asks of each core beyond sim.Component:
// to tell it when the core has retired a number of instructions (the end
// of its warmup, of its measured part), to start measuring again when
// every core has warmed up, and to take the shootdown interrupts other
// cores sent it.

// At has f told when the core has retired n instructions, warmup
// included (Retired), with the cycle after the n-th retired: a run's
// phases end at marks (ChampSim's multi-core warmup and measured counts).
// One mark at a time: a later At replaces it, and f may set the next. A
// mark at the instructions retired so far is told at once, with the
// first cycle not yet charged (the end of the last retirement).
func (c *Core) At(n uint64, f func(end sim.Cycle)) {
	switch {
	case n < c.m.seen:
		panic("cpu: a mark at an instruction already retired")
	case n == c.m.seen:
		c.m.mark, c.m.at = 0, nil
		f(c.model.charged())
		return
	}
	c.m.mark, c.m.at = n, f
}

// StartMeasuring starts the core's measured part now: its cycles count
// from the first cycle not yet charged to its CPI stack, so the stack
// still adds up to them. The caller resets the registry (the core's tally
// with it) at the same moment: on a machine of several cores the
// measured part begins for all at once, when the last has warmed up.
func (c *Core) StartMeasuring() { c.t.start = c.model.charged() }

// Measured is what the core measured from the start of its measured part
// (StartMeasuring, or its warmup's end) to cycle end: its instructions as
// the registry counts them now, and its cycles.
func (c *Core) Measured(end sim.Cycle) Result { return c.t.result(end) }

// TakeInterrupts has the core take, before a step at now, the interrupts
// take says reached it (the kernel's TakeInterrupts for this core: it is
// given the first cycle the core is free and returns when the core runs
// again); the core runs nothing until then, charged to shootdown.
func (c *Core) TakeInterrupts(now sim.Cycle, take func(at sim.Cycle) sim.Cycle) {
	if c.done {
		return
	}
	at := c.model.free(now)
	if until := take(at); until > at {
		c.model.interrupt(at, until)
	}
}

// Charged is the first cycle not yet charged to the core's CPI stack: the
// end of the run, once it is done.
func (c *Core) Charged() sim.Cycle { return c.model.charged() }

// oneCycle is a model whose step does the work of one cycle, whatever its
// limit (the out-of-order core).
type oneCycle interface{ oneCycle() }

// RunsAhead reports whether the core's steps may go on past their cycle,
// up to their limit (sim.Ahead): the in-order core's do.
func (c *Core) RunsAhead() bool {
	_, one := c.model.(oneCycle)
	return !one
}

// watched is a model that keeps a flag saying its next cycle is known
// (the out-of-order core's).
type watched interface{ answered() *bool }

// Answered is the flag that says the core's answers to Next and Done are
// still those it last gave (sim.Watched), or nil for a model that keeps
// none. Done changes only in a step; Next, apart from steps, only in the
// core's memory callbacks, interrupts and engine events, each of which
// clears the flag.
func (c *Core) Answered() *bool {
	if w, ok := c.model.(watched); ok {
		return w.answered()
	}
	return nil
}
