package cpu

import (
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// inOrder is the coursework core. Each instruction presents its fetch (if
// it has one) and then its data accesses in trace order, each when the one
// before it has its data; an instruction without data accesses then takes
// ExecLatency cycles. The run's cycles are the sum of those latencies.
type inOrder struct {
	eng  *sim.Engine
	mem  Memory
	exec sim.Cycle
	feed *feed
	m    *meter
	t    *tally
	now  sim.Cycle
	buf  []traces.Instr
	proc int // the current process

	a       Access
	waiting bool
	doneAt  sim.Cycle
}

func newInOrder(core *Core, f *feed, m *meter) *inOrder {
	c := &inOrder{eng: core.eng, mem: core.mem, exec: core.cfg.ExecLatency, feed: f, m: m, t: m.t,
		now: core.eng.Now(), buf: make([]traces.Instr, 1024)}
	c.a.Done = c
	return c
}

// AccessDone is told when an access that had to wait has its data.
func (c *inOrder) AccessDone(_ *Access, at sim.Cycle) { c.waiting, c.doneAt = false, at }

func (c *inOrder) run() (sim.Cycle, error) {
	switching := false
	for {
		n, err := c.feed.read(c.buf)
		if err != nil {
			return c.now, err
		}
		if n == 0 {
			if c.feed.done() {
				c.eng.RunUntil(c.now) // the engine's present is the run's end
				return c.now, nil
			}
			// Read the next process's first instructions before switching
			// to it, so a trace that has just ended costs no switch.
			c.feed.start(c.feed.next())
			switching = true
			continue
		}
		if switching && c.feed.cur != c.proc {
			c.switchTo(c.feed.cur)
		}
		switching = false
		for i := range c.buf[:n] {
			if err := c.instr(&c.buf[i]); err != nil {
				return c.now, err
			}
		}
	}
}

func (c *inOrder) switchTo(p int) {
	cost := c.mem.Switch(c.now, p)
	c.t.charge(c.now, c.now+cost, compSwitch)
	c.now += cost
	c.proc = p
}

func (c *inOrder) instr(in *traces.Instr) error {
	if in.NMem > traces.MaxMem {
		return errTooManyRefs(in.NMem)
	}
	if in.Size > 0 {
		if err := c.access(sim.Fetch, in.IP, in.Size); err != nil {
			return err
		}
	}
	for _, ref := range in.Refs() {
		kind := sim.Load
		if ref.Store {
			kind = sim.Store
		}
		if err := c.access(kind, ref.Addr, ref.Size); err != nil {
			return err
		}
	}
	if in.NMem == 0 {
		c.t.charge(c.now, c.now+c.exec, compBase)
		c.now += c.exec
	}
	c.m.retire(c.now, in.Cont)
	return nil
}

// access presents one access at the present and waits for its data.
func (c *inOrder) access(kind sim.Kind, va uint64, size uint32) error {
	t := c.now
	if c.eng.Next() <= t {
		c.eng.RunUntil(t) // what happened before t happens first
	}
	a := &c.a
	a.VA, a.Size, a.Kind = va, size, kind
	a.clearOutputs()
	done, ok := c.mem.Access(t, a)
	if !ok {
		c.waiting = true
		for c.waiting && c.eng.Step() {
		}
		if c.waiting {
			return errStuck(c.eng.Now())
		}
		done = c.doneAt
	}
	done = max(done, t)
	c.t.record(kind, a, t, done)
	c.t.chargeSpan(t, done, spanOf(a, t, done), compBase)
	c.now = done
	return nil
}
