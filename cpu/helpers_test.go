package cpu

import (
	"testing"

	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// hitsAndMisses is the tests' usual memory: the first MiB hits the first
// level in 4 cycles, everything else comes from memory in lat cycles.
func hitsAndMisses(t testing.TB, eng *sim.Engine, lat sim.Cycle) *fakeMem {
	return newFake(t, eng, region{lat: lat, depth: 3}, region{lo: 0, hi: 1 << 20, lat: 4, depth: 0})
}

func oooConfig(width, rob int) Config {
	c := DefaultConfig()
	c.Width, c.ROB, c.LQ, c.SQ = width, rob, rob, rob
	return c
}

func inOrderConfig(exec sim.Cycle) Config {
	return Config{Model: InOrder, ExecLatency: exec}
}

// runOn replays ins on a new core of cfg over mem.
func runOn(t testing.TB, cfg Config, mem *fakeMem, ins []traces.Instr, opt Options) Result {
	t.Helper()
	r, err := replay(cfg, mem, []traces.InstrReader{reader(ins)}, 0, opt)
	if err != nil {
		t.Fatal(err)
	}
	checkStack(t, r)
	return r
}

// replay runs the traces rs (one process each, taking turns by quantum)
// on a new core of cfg over mem, alone on mem's engine.
func replay(cfg Config, mem *fakeMem, rs []traces.InstrReader, quantum uint64, opt Options) (Result, error) {
	opt.Levels, opt.Quantum, opt.Switch = mem.levels, quantum, mem.Switch
	c, err := New(cfg, mem.eng, mem, rs, opt)
	if err != nil {
		return Result{}, err
	}
	return c.Run()
}

// checkStack fails unless the CPI stack adds up to the cycles exactly.
func checkStack(t testing.TB, r Result) {
	t.Helper()
	var sum uint64
	for _, e := range r.Stack {
		sum += e.Cycles
	}
	if sum != r.Cycles {
		t.Errorf("CPI stack sums to %d, cycles are %d: %+v", sum, r.Cycles, r.Stack)
	}
}

// near reports whether got is within frac of want.
func near(got, want, frac float64) bool {
	return got >= want*(1-frac) && got <= want*(1+frac)
}
