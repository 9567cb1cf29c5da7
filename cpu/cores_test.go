package cpu

import (
	"testing"

	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// interrupted steps a core as a machine of several cores does: before
// each step it takes the interrupts that reached it (each arriving at At,
// taking Cycles, one after another), as the kernel's TakeInterrupts
// hands them out.
type interrupted struct {
	*Core
	irqs []window // from: arrival, to - from: the interrupt's cycles
	busy sim.Cycle
}

func (c *interrupted) Step(now, limit sim.Cycle) {
	c.TakeInterrupts(now, func(at sim.Cycle) sim.Cycle {
		end := c.busy
		for len(c.irqs) > 0 && c.irqs[0].from <= max(at, end) {
			q := c.irqs[0]
			end = max(end, q.from) + q.to - q.from
			c.irqs = c.irqs[1:]
		}
		c.busy = end
		return max(at, end)
	})
	if len(c.irqs) > 0 {
		limit = min(limit, c.irqs[0].from)
	}
	c.Core.Step(now, limit)
}

// TestInterruptsChargeShootdown: a shootdown interrupt stops a core whose
// accesses all hit for its whole length, charged to shootdown; the stack
// still adds up to the cycles, and two back to back run one after the
// other.
func TestInterruptsChargeShootdown(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{{"inorder", inOrderConfig(1)}, {"ooo", oooConfig(4, 64)}} {
		run := func(irqs []window) outcome {
			eng := &sim.Engine{}
			mem := hitsAndMisses(t, eng, 100)
			var s sim.Stats
			c, err := New(tc.cfg, eng, mem, []traces.InstrReader{reader(hits(20000))},
				Options{Levels: mem.levels, Stats: &s, Name: "core1", Shootdowns: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := sim.Loop(eng, []sim.Component{&interrupted{Core: c, irqs: irqs}}); err != nil {
				t.Fatal(err)
			}
			return outcome{c.Result(), s.Snapshot()}
		}
		plain := run(nil)
		got := run([]window{{2000, 2700}, {2100, 2400}, {3500, 3600}})
		stack := map[string]uint64{}
		var sum uint64
		for _, st := range got.stats.Under("core1.cycles") {
			stack[st.Name] = st.Value
			sum += st.Value
		}
		if sum != got.Cycles {
			t.Errorf("%s: the stack adds up to %d, cycles are %d", tc.name, sum, got.Cycles)
		}
		if sd := stack["core1.cycles.shootdown"]; sd != 1100 {
			t.Errorf("%s: shootdown %d cycles, want 1100 (700 + 300 after it + 100)", tc.name, sd)
		}
		// The interrupts delay the run by about their length: an
		// out-of-order core hides a little of it behind what was in flight.
		if d := int64(got.Cycles) - int64(plain.Cycles); d < 1000 || d > 1100 {
			t.Errorf("%s: %d cycles with the interrupts, %d without: %d more, want about 1100", tc.name, got.Cycles, plain.Cycles, d)
		}
	}
}

// TestMarksAndMeasuring: At tells when the core has retired n
// instructions; from StartMeasuring on, the core counts its cycles from
// the first cycle not yet charged, so its stack adds up to them.
func TestMarksAndMeasuring(t *testing.T) {
	for _, cfg := range []Config{inOrderConfig(1), oooConfig(4, 64)} {
		eng := &sim.Engine{}
		mem := hitsAndMisses(t, eng, 100)
		var s sim.Stats
		c, err := New(cfg, eng, mem, []traces.InstrReader{reader(lackey(5000, 4))}, Options{Levels: mem.levels, Stats: &s})
		if err != nil {
			t.Fatal(err)
		}
		var warm, end sim.Cycle
		var at Result
		var atStats sim.Snapshot
		c.At(1000, func(e sim.Cycle) {
			warm = e
			s.Reset()
			c.StartMeasuring()
			c.At(3000, func(e sim.Cycle) { end, at, atStats = e, c.Measured(e), s.Snapshot() })
		})
		if _, err := c.Run(); err != nil {
			t.Fatal(err)
		}
		if warm == 0 || end <= warm || at.Instructions != 2000 {
			t.Fatalf("%s: marks at %d and %d, %d instructions between", cfg.Model, warm, end, at.Instructions)
		}
		var sum uint64
		for _, st := range atStats.Under("core.cycles") {
			sum += st.Value
		}
		if sum != at.Cycles || at.Cycles > uint64(end-warm) {
			t.Errorf("%s: stack %d, cycles %d, marks %d apart", cfg.Model, sum, at.Cycles, end-warm)
		}
	}
}

// hits is n loads that all hit the tests' fake memory.
func hits(n int) []traces.Instr {
	out := make([]traces.Instr, n)
	for i := range out {
		out[i] = load(uint64(i%4096) * 64)
	}
	return out
}
