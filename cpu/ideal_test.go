package cpu

import (
	"testing"

	"github.com/vmemu/vmemu/memside"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// ideal is a core written the way a new kind of core is added: this one
// file. It retires an instruction every cycle and presents its accesses
// without waiting for them (a perfect memory as far as it is concerned),
// so its cycles are its instructions.
type ideal struct {
	*run
	now  sim.Cycle
	buf  []traces.Instr
	a    memside.Access
	left int // accesses presented whose answer is still to come
}

func init() {
	register("ideal", "one instruction a cycle, never waiting on memory (a test)", func(r *run) model {
		c := &ideal{run: r, now: r.eng.Now(), buf: make([]traces.Instr, 1)}
		c.a.Done = c
		return c
	})
}

func (c *ideal) next() sim.Cycle { return c.now }

func (c *ideal) step(_, limit sim.Cycle) {
	for !c.done && c.now < limit && c.eng.Next() > c.now {
		n, err := c.feed.read(c.buf)
		if err != nil || (n == 0 && c.feed.done()) {
			c.finish(c.now, err)
			return
		}
		for _, ref := range c.buf[0].Refs() {
			c.a.VA, c.a.Size, c.a.Kind = ref.Addr, ref.Size, sim.Load
			if _, ok := c.mem.Access(c.now, &c.a); !ok {
				c.left++
			}
		}
		c.t.charge(c.now, c.now+1, compBase)
		c.now++
		c.m.retire(c.now, c.buf[0].Cont)
	}
}

func (c *ideal) AccessDone(*memside.Access, sim.Cycle) { c.left-- }

func TestAModelIsOneFile(t *testing.T) {
	if _, err := ParseModel("ideal"); err != nil {
		t.Fatal(err)
	}
	eng := &sim.Engine{}
	mem := hitsAndMisses(t, eng, 300)
	mem.async = true
	r, err := replay(Config{Model: "ideal"}, mem, []traces.InstrReader{reader(mixed(1000, 7))}, 0, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkStack(t, r)
	if r.Instructions != 1000 || r.Cycles != 1000 {
		t.Errorf("%d instructions in %d cycles, want 1000 in 1000", r.Instructions, r.Cycles)
	}
}
