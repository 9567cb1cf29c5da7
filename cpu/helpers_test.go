package cpu

import (
	"strings"
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

// outcome is a run's Result and what its registry counted.
type outcome struct {
	Result
	stats sim.Snapshot
}

// Component is the cycles of the CPI stack's component name.
func (o outcome) Component(name string) uint64 { return o.stats.Value("core.cycles." + name) }

// count is the core's counter core.NAME.
func (o outcome) count(name string) uint64 { return o.stats.Value("core." + name) }

// stack is the CPI stack's components that have cycles.
func (o outcome) stack() map[string]uint64 {
	out := map[string]uint64{}
	for _, st := range o.stats.Under("core.cycles") {
		if st.Value > 0 {
			out[strings.TrimPrefix(st.Name, "core.cycles.")] = st.Value
		}
	}
	return out
}

// runOn replays ins on a new core of cfg over mem.
func runOn(t testing.TB, cfg Config, mem *fakeMem, ins []traces.Instr, opt Options) outcome {
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
func replay(cfg Config, mem *fakeMem, rs []traces.InstrReader, quantum uint64, opt Options) (outcome, error) {
	opt.Levels, opt.Quantum, opt.Switch = mem.levels, quantum, mem.Switch
	c, err := New(cfg, mem.eng, mem, rs, opt)
	if err != nil {
		return outcome{}, err
	}
	r, err := c.Run()
	return outcome{r, c.stats.Snapshot()}, err
}

// checkStack fails unless the CPI stack adds up to the cycles exactly.
func checkStack(t testing.TB, r outcome) {
	t.Helper()
	var sum uint64
	for _, c := range r.stack() {
		sum += c
	}
	if sum != r.Cycles {
		t.Errorf("CPI stack sums to %d, cycles are %d: %+v", sum, r.Cycles, r.stack())
	}
}

// near reports whether got is within frac of want.
func near(got, want, frac float64) bool {
	return got >= want*(1-frac) && got <= want*(1+frac)
}
