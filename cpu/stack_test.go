package cpu

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

type memKind struct {
	name  string
	async bool
	mshrs int
	slow  bool // translation and faults on part of the space
}

var memKinds = []memKind{
	{name: "sync"},
	{name: "async", async: true},
	{name: "async 4 mshrs", async: true, mshrs: 4},
	{name: "translation and faults", slow: true},
	{name: "async translation and faults", async: true, mshrs: 8, slow: true},
}

func (k memKind) make(t testing.TB, eng *sim.Engine) *fakeMem {
	m := hitsAndMisses(t, eng, 190)
	if k.slow {
		m.regions = append([]region{{lo: farBase, hi: farBase + 1<<22, lat: 900, depth: 2, tr: 60, fault: 500}}, m.regions...)
		m.regions = append(m.regions, region{lo: 1 << 20, hi: farBase, lat: 30, depth: 1, tr: 10})
	}
	m.async, m.mshrs = k.async, k.mshrs
	m.switchCost = 77
	return m
}

var stackConfigs = []struct {
	name string
	cfg  Config
}{
	{"inorder", inOrderConfig(1)},
	{"inorder exec 0", inOrderConfig(0)},
	{"ooo default", DefaultConfig()},
	{"ooo narrow small", Config{Model: OOO, Width: 1, ROB: 4, LQ: 2, SQ: 1, StoreBuffer: 1, FetchQueue: 2, ExecLatency: 0}},
	{"ooo throttled", Config{Model: OOO, Width: 3, ROB: 64, LQ: 20, SQ: 12, StoreBuffer: 6, ExecLatency: 2, MaxInflightLoads: 5}},
}

func stackTraces() map[string][]traces.Instr {
	return map[string][]traces.Instr{
		"chase":       chase(500),
		"independent": randomLoads(3000, 9),
		"stores":      storeRun(800, farBase),
		"lackey":      lackey(4000, 5),
		"mixed":       mixed(4000, 7),
	}
}

// Every cycle is charged to exactly one component, for every model,
// memory side and trace, and the same inputs give the same result.
func TestStackSumsToCyclesAndDeterminism(t *testing.T) {
	for _, sc := range stackConfigs {
		for _, mk := range memKinds {
			for name, ins := range stackTraces() {
				t.Run(fmt.Sprintf("%s/%s/%s", sc.name, mk.name, name), func(t *testing.T) {
					run := func() outcome {
						eng := &sim.Engine{}
						return runOn(t, sc.cfg, mk.make(t, eng), ins, Options{})
					}
					r := run()
					if r.Instructions != uint64(len(ins)) || r.Cycles == 0 {
						t.Errorf("%d instructions in %d cycles, want %d instructions", r.Instructions, r.Cycles, len(ins))
					}
					again := run()
					if diff := cmp.Diff([]any{r.Result, r.stats.Map()}, []any{again.Result, again.stats.Map()}); diff != "" {
						t.Errorf("a second run differs (-first +second):\n%s", diff)
					}
				})
			}
		}
	}
}

// Where a load waits is where its cycles go: with the head a miss that
// translates for 60 cycles, faults for 500 and waits 340 for the L3 (depth
// 2), a pointer chase's stack shows those shares.
func TestStackAttribution(t *testing.T) {
	for _, sc := range stackConfigs {
		eng := &sim.Engine{}
		mem := memKinds[3].make(t, eng)
		r := runOn(t, sc.cfg, mem, chase(200), Options{})
		per := func(name string) float64 { return float64(r.Component(name)) / float64(r.Instructions) }
		if !near(per("translation"), 60, 0.03) || !near(per("faults"), 500, 0.03) || !near(per("llc"), 340, 0.03) {
			t.Errorf("%s: per instruction translation %.1f faults %.1f llc %.1f, want 60 500 340",
				sc.name, per("translation"), per("faults"), per("llc"))
		}
	}
}

func TestStackNames(t *testing.T) {
	want := []string{"base", "frontend", "l1", "l2", "memory", "translation", "faults", "store_buffer", "switch"}
	if diff := cmp.Diff(want, StackNames([]string{"l1", "l2"})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// Random small configurations, memories and traces: the run ends, the
// stack adds up, every instruction retires, accesses come in time order
// (the fake memory checks).
func TestRandomConfigurations(t *testing.T) {
	rng := sim.NewRNG(2024)
	for i := 0; i < 60; i++ {
		cfg := Config{Model: OOO, Width: 1 + rng.IntN(6), ROB: 1 + rng.IntN(80), LQ: 1 + rng.IntN(20),
			SQ: 1 + rng.IntN(20), StoreBuffer: 1 + rng.IntN(10), FetchQueue: rng.IntN(20),
			ExecLatency: sim.Cycle(rng.IntN(4)), MaxInflightLoads: rng.IntN(6)}
		mk := memKinds[rng.IntN(len(memKinds))]
		eng := &sim.Engine{}
		mem := mk.make(t, eng)
		mem.switchCost = sim.Cycle(rng.IntN(300))
		rs := []traces.InstrReader{reader(mixed(700, uint64(i))), reader(lackey(500, uint64(i)))}
		warmup := uint64(rng.IntN(200))
		r, err := replay(cfg, mem, rs, uint64(1+rng.IntN(300)), Options{Warmup: warmup})
		if err != nil {
			t.Fatalf("%+v on %s: %v", cfg, mk.name, err)
		}
		checkStack(t, r)
		if r.Instructions != 1200-warmup {
			t.Errorf("%+v on %s: %d instructions", cfg, mk.name, r.Instructions)
		}
	}
}
