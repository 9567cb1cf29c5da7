package cpu

import (
	"fmt"
	"io"

	"github.com/vmemu/vmemu/sim"
)

// InFlight writes what the core waits for (sim.InFlight).
func (c *Core) InFlight(w io.Writer) {
	if d, ok := c.model.(sim.InFlight); ok {
		d.InFlight(w)
	}
}

// InFlight writes the in-order core's state: the access it waits for.
func (c *inOrder) InFlight(w io.Writer) {
	if !c.waiting {
		fmt.Fprintf(w, "in-order core: at cycle %d, waiting for nothing\n", c.now)
		return
	}
	a := &c.a
	if c.prog != nil {
		a = &c.op.Access
	}
	fmt.Fprintf(w, "in-order core: waits since cycle %d for a %s of %d bytes at %#x (ip %#x)\n",
		c.issued, a.Kind, a.Size, a.VA, a.IP)
}

// InFlight writes the out-of-order core's window: the ROB head and what it
// waits for, and the queues.
func (c *ooo) InFlight(w io.Writer) {
	fmt.Fprintf(w, "out-of-order core at cycle %d: %d instructions retired, %d in the ROB, %d fetched not dispatched; %d loads in flight, %d stores in the buffer\n",
		c.now, c.retired, c.dispatched-c.retired, c.fetched-c.dispatched, c.lqTail-c.lqHead, c.sbTail-c.sbHead)
	if c.retired == c.dispatched {
		return
	}
	s := c.slot(c.retired)
	in := c.instr(c.retired)
	done := "not known yet"
	if s.done != sim.Never {
		done = fmt.Sprintf("at cycle %d", s.done)
	}
	fmt.Fprintf(w, "  ROB head: ip %#x, dispatched at cycle %d, result %s, %d loads not answered\n",
		in.IP, s.dispatchAt, done, s.pending)
	for k := s.lq0; k < s.lq0+uint64(s.nloads); k++ {
		e := &c.lq[k&c.lqMask]
		fmt.Fprintf(w, "  load %#x (%d bytes) presented at cycle %d\n", e.a.VA, e.a.Size, e.issued)
	}
}
