package cpu

import (
	"github.com/vmemu/vmemu/memside"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

func init() {
	register(InOrder, "each access blocks until done (the coursework model)", func(r *run) model { return newInOrder(r) })
}

// inOrder is the coursework core. Each instruction presents its fetch (if
// it has one) and then its data accesses in trace order, each when the one
// before it has its data; an instruction without data accesses then takes
// ExecLatency cycles. The run's cycles are the sum of those latencies.
//
// It runs ahead in one step for as long as its accesses answer at once and
// nothing else (an engine event, another core) comes before its clock; an
// access that must wait parks it until the memory side calls AccessDone.
type inOrder struct {
	*run
	exec sim.Cycle
	now  sim.Cycle
	proc int // the current process

	buf   []traces.Instr
	n, i  int  // instructions in buf, and the one running
	stage int  // of buf[i]: 0 its fetch, 1.. its data references
	turn  bool // the current process's turn ended: switch before the next

	op     Op // a program's operation, while haveOp
	haveOp bool

	a       memside.Access
	issued  sim.Cycle
	waiting bool
	limit   sim.Cycle // of the current step
}

func newInOrder(r *run) *inOrder {
	c := &inOrder{run: r, exec: r.cfg.ExecLatency, now: r.eng.Now()}
	if r.prog == nil {
		c.buf = make([]traces.Instr, 1024)
	}
	c.a.Done = c
	return c
}

func (c *inOrder) next() sim.Cycle {
	if c.waiting {
		return sim.Never
	}
	return c.now
}

// free is the core's clock: it runs from there whatever the loop's now.
func (c *inOrder) free(sim.Cycle) sim.Cycle { return c.now }

// interrupt moves the core's clock past the interrupt: nothing is in
// flight while it runs ahead, and an access it waits for keeps it from
// being stepped (the interrupt then overlaps the wait).
func (c *inOrder) interrupt(at, until sim.Cycle) {
	c.t.charge(at, until, compShootdown)
	c.now = until
}

func (c *inOrder) charged() sim.Cycle { return c.now }

// step runs until the core must wait, the run is over, or its clock
// reaches limit or the engine's next event (which must run first).
func (c *inOrder) step(_, limit sim.Cycle) {
	c.limit = limit
	for !c.waiting && !c.done && c.now < limit {
		var more bool
		if c.prog != nil {
			more = c.programStep()
		} else {
			more = c.traceStep()
		}
		if !more {
			return
		}
	}
}

// traceStep runs instructions, reading more of the trace when needed,
// until the core's clock reaches its limit (it reports true: go on) or an
// access is not presented (an event or another core comes first) or must
// wait (false); stage then says which part of the current instruction is
// next (0 its fetch, i its i-th data reference).
func (c *inOrder) traceStep() bool {
	for c.now < c.limit {
		if !c.instr() {
			return false
		}
	}
	return true
}

// instr runs the rest of the current instruction; see traceStep.
func (c *inOrder) instr() bool {
	if c.i == c.n && !c.refill() {
		return false
	}
	in := &c.buf[c.i]
	if c.stage == 0 {
		if in.NMem > traces.MaxMem {
			c.finish(c.now, errTooManyRefs(in.NMem))
			return false
		}
		if in.Size > 0 {
			if st := c.access(sim.Fetch, in.IP, in.IP, in.Size); st != presented {
				c.stage = stageAfter(st, 0)
				return false
			}
		}
	}
	refs := in.Refs()
	for i := max(c.stage, 1) - 1; i < len(refs); i++ {
		ref := &refs[i]
		kind := sim.Load
		if ref.Store {
			kind = sim.Store
		}
		if st := c.access(kind, in.IP, ref.Addr, ref.Size); st != presented {
			c.stage = stageAfter(st, i+1)
			return false
		}
	}
	if in.NMem == 0 {
		c.t.charge(c.now, c.now+c.exec, compBase)
		c.now += c.exec
	}
	c.m.retire(c.now, in.Cont)
	if c.m.byIP {
		c.t.close(in.IP)
	}
	c.i, c.stage = c.i+1, 0
	return true
}

// stageAfter is the stage to go on from when the access of stage s did not
// finish at once: itself again if it was not presented, the next if it waits.
func stageAfter(st accessState, s int) int {
	if st == waiting {
		return s + 1
	}
	return s
}

// accessState is how an access of the in-order core went.
type accessState uint8

const (
	presented accessState = iota // and done: the core's clock is at its end
	waiting                      // presented, its data still to come (AccessDone)
	deferred                     // not presented: an event or another core comes first
)

// access presents one access of a trace's instruction at the core's clock.
func (c *inOrder) access(kind sim.Kind, ip, va uint64, size uint32) accessState {
	t := c.now
	if c.eng.Next() <= t || t >= c.limit {
		return deferred
	}
	a := &c.a
	a.VA, a.IP, a.Size, a.Kind = va, ip, size, kind
	done, ok := c.mem.Access(t, a)
	if !ok {
		c.issued, c.waiting = t, true
		return waiting
	}
	done = max(done, t)
	c.t.record(kind, a, t, done)
	c.t.chargeSpan(t, done, spanOf(a, t, done), compBase)
	c.now = done
	return presented
}

// refill reads the next instructions, switching process at the end of a
// turn. It reports false when there is nothing to run now.
func (c *inOrder) refill() bool {
	for {
		n, err := c.feed.read(c.buf)
		if err != nil {
			c.finish(c.now, err)
			return false
		}
		if n > 0 {
			c.n, c.i, c.stage = n, 0, 0
			if c.turn && c.feed.cur != c.proc {
				c.switchTo(c.feed.cur)
			}
			c.turn = false
			return true
		}
		if c.feed.done() {
			c.finish(c.now, nil)
			return false
		}
		// Read the next process's first instructions before switching
		// to it, so a trace that has just ended costs no switch.
		c.feed.start(c.feed.next())
		c.turn = true
	}
}

func (c *inOrder) switchTo(p int) {
	var cost sim.Cycle
	if c.opt.Switch != nil {
		cost = c.opt.Switch(c.now, p)
	}
	c.t.charge(c.now, c.now+cost, compSwitch)
	c.t.closeFor(0)
	c.now += cost
	c.proc = p
}

// programStep does a program's next operation. It reports whether to go on.
func (c *inOrder) programStep() bool {
	if !c.haveOp {
		ok, err := c.prog.Next(c.now, &c.op)
		if err != nil || !ok {
			c.finish(c.now, err)
			return false
		}
		c.haveOp = true
	}
	switch c.op.Kind {
	case OpAccess:
		if c.eng.Next() <= c.now || c.now >= c.limit {
			return false // what happened before now happens first
		}
		a := &c.op.Access
		a.Done = c
		if !c.present(a) {
			return false // AccessDone ends the operation
		}
	case OpWait:
		c.haveOp = false
		if c.op.Until == sim.Never {
			return false
		}
		if c.op.Until > c.now {
			c.t.charge(c.now, c.op.Until, compFrontend)
			c.now = c.op.Until
		}
		return true
	case OpKernel:
		end, err := c.op.Kernel(c.now)
		if err != nil {
			c.finish(c.now, err)
			return false
		}
		c.t.charge(c.now, end, compKernel)
		c.t.closeFor(0)
		c.now = max(c.now, end)
	}
	return c.opDone()
}

// opDone tells the program its operation is over.
func (c *inOrder) opDone() bool {
	c.haveOp = false
	if err := c.prog.Did(&c.op, c.now); err != nil {
		c.finish(c.now, err)
		return false
	}
	if c.op.Retires {
		c.m.retire(c.now, false)
		c.t.closeFor(c.op.Access.IP)
	}
	return true
}

// present hands a to the memory side; if it must wait, the core parks
// until AccessDone.
func (c *inOrder) present(a *memside.Access) bool {
	c.issued = c.now
	done, ok := c.mem.Access(c.now, a)
	if !ok {
		c.waiting = true
		return false
	}
	c.arrived(a, done)
	return true
}

// AccessDone is told when an access that had to wait has its data.
func (c *inOrder) AccessDone(a *memside.Access, at sim.Cycle) {
	c.waiting = false
	c.arrived(a, at)
	if c.prog != nil {
		c.opDone()
	}
}

// arrived counts an access that is done at cycle done.
func (c *inOrder) arrived(a *memside.Access, done sim.Cycle) {
	t := c.issued
	done = max(done, t)
	c.t.record(a.Kind, a, t, done)
	c.t.chargeSpan(t, done, spanOf(a, t, done), compBase)
	c.now = done
}
