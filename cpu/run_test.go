package cpu

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

var bothModels = []struct {
	name string
	cfg  Config
}{
	{"inorder", inOrderConfig(1)},
	{"ooo", DefaultConfig()},
}

// Warmup discards the statistics of its instructions: its end resets the
// registry the core counts in, whole (a run that never leaves warmup too,
// at its end); Max counts warmup in.
func TestWarmupAndMax(t *testing.T) {
	ins := mixed(3000, 11)
	tests := []struct {
		name         string
		warmup, max  uint64
		instructions uint64
		reset        bool
	}{
		{"none", 0, 0, 3000, false},
		{"warmup", 1000, 0, 2000, true},
		{"max", 0, 1200, 1200, false},
		{"warmup and max", 1000, 1200, 200, true},
		{"warmup longer than the trace", 5000, 0, 0, true},
		{"max longer than the trace", 0, 9000, 3000, false},
	}
	for _, m := range bothModels {
		for _, tc := range tests {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				eng := &sim.Engine{}
				mem := hitsAndMisses(t, eng, 150)
				var st sim.Stats
				other := uint64(1) // another component's counter
				st.Register("other", &other, "a counter beside the core's")
				r := runOn(t, m.cfg, mem, ins, Options{Warmup: tc.warmup, Max: tc.max, Stats: &st})
				if r.Instructions != tc.instructions || (other == 0) != tc.reset {
					t.Errorf("%d instructions, other counter %d; want %d, reset %v", r.Instructions, other, tc.instructions, tc.reset)
				}
				if n := st.Snapshot().Value("core.instructions"); n != r.Instructions {
					t.Errorf("core.instructions = %d, the result says %d", n, r.Instructions)
				}
			})
		}
	}
}

// In the in-order model, warmup's cycles are exactly those of the first
// instructions run alone.
func TestInOrderWarmupCycles(t *testing.T) {
	ins := lackey(3000, 2)
	run := func(opt Options) outcome {
		eng := &sim.Engine{}
		return runOn(t, inOrderConfig(1), hitsAndMisses(t, eng, 100), ins, opt)
	}
	all, first, rest := run(Options{}), run(Options{Max: 1000}), run(Options{Warmup: 1000})
	if rest.Cycles != all.Cycles-first.Cycles {
		t.Errorf("after warmup %d cycles, want %d - %d", rest.Cycles, all.Cycles, first.Cycles)
	}
}

// OnInterval sees the counts every Interval instructions after warmup.
func TestInterval(t *testing.T) {
	for _, m := range bothModels {
		eng := &sim.Engine{}
		var got []uint64
		var last uint64
		opt := Options{Warmup: 500, Interval: 400, OnInterval: func(n, cycles uint64) {
			got = append(got, n)
			if cycles < last {
				t.Errorf("%s: cycles went back from %d to %d", m.name, last, cycles)
			}
			last = cycles
		}}
		r := runOn(t, m.cfg, hitsAndMisses(t, eng, 150), mixed(2500, 4), opt)
		if diff := cmp.Diff([]uint64{400, 800, 1200, 1600, 2000}, got); diff != "" {
			t.Errorf("%s: intervals (-want +got):\n%s", m.name, diff)
		}
		if last > r.Cycles || last == 0 {
			t.Errorf("%s: last interval at %d cycles, run %d", m.name, last, r.Cycles)
		}
	}
}

// Several traces share the core round-robin by a quantum; each change of
// process is a Memory.Switch, and a trace that ends costs no switch.
func TestRunManyRoundRobin(t *testing.T) {
	for _, m := range bothModels {
		for _, async := range []bool{false, true} {
			eng := &sim.Engine{}
			mem := hitsAndMisses(t, eng, 120)
			mem.async, mem.switchCost = async, 1000
			rs := []traces.InstrReader{reader(lackey(250, 1)), reader(lackey(100, 2)), reader(lackey(400, 3))}
			r, err := replay(m.cfg, mem, rs, 100, Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkStack(t, r)
			// 0:100 1:100 2:100 0:100 (1 has ended) 2:100 0:50 2:200
			if diff := cmp.Diff([]int{1, 2, 0, 2, 0, 2}, mem.switches); diff != "" {
				t.Errorf("%s async=%v: switches (-want +got):\n%s", m.name, async, diff)
			}
			if r.Instructions != 750 {
				t.Errorf("%s: %d instructions", m.name, r.Instructions)
			}
			if sw := r.Component("switch"); sw < 6000 || (m.cfg.Model == InOrder && sw != 6000) {
				t.Errorf("%s: switch %d cycles, want 6 x 1000 (and the drains, out of order)", m.name, sw)
			}
		}
	}
}

// A reader's error stops the run and comes back as it is.
func TestReaderErrorReturnedAsIs(t *testing.T) {
	for _, m := range bothModels {
		eng := &sim.Engine{}
		mem := hitsAndMisses(t, eng, 100)
		r := reader(mixed(1000, 1))
		r.failAt, r.err = 530, errBadLine
		res, err := replay(m.cfg, mem, []traces.InstrReader{r}, 0, Options{})
		if err != errBadLine {
			t.Errorf("%s: error %v, want %v as is", m.name, err, errBadLine)
		}
		if res.Instructions > 530 {
			t.Errorf("%s: %d instructions past the error", m.name, res.Instructions)
		}
	}
}

// A memory side that never completes an access makes an error, not a hang.
func TestStuckMemory(t *testing.T) {
	for _, m := range bothModels {
		eng := &sim.Engine{}
		mem := hitsAndMisses(t, eng, 100)
		mem.async, mem.stuck = true, true
		done := make(chan error, 1)
		go func() {
			_, err := replay(m.cfg, mem, []traces.InstrReader{reader(mixed(1000, 1))}, 0, Options{})
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "never completes") {
				t.Errorf("%s: error %v", m.name, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: the run hangs", m.name)
		}
	}
}

func TestBadInput(t *testing.T) {
	eng := &sim.Engine{}
	mem := hitsAndMisses(t, eng, 100)
	one := []traces.InstrReader{reader(nil)}
	if _, err := New(Config{Model: OOO}, eng, mem, one, Options{}); err == nil {
		t.Error("New accepted a zero OOO config")
	}
	if _, err := New(Config{Model: "vliw"}, eng, mem, one, Options{}); err == nil || !strings.Contains(err.Error(), "inorder, ooo") {
		t.Errorf("New of an unknown model: %v, want an error naming the models", err)
	}
	if _, err := New(DefaultConfig(), eng, nil, one, Options{}); err == nil {
		t.Error("New accepted a nil memory")
	}
	for _, m := range bothModels {
		if _, err := New(m.cfg, eng, mem, nil, Options{}); err == nil {
			t.Errorf("%s: a run of no traces was made", m.name)
		}
		bad := load(0)
		bad.NMem = 9
		if _, err := replay(m.cfg, mem, []traces.InstrReader{reader([]traces.Instr{load(0), bad})}, 0, Options{}); err == nil || !strings.Contains(err.Error(), "9 memory references") {
			t.Errorf("%s: an instruction with 9 references: %v", m.name, err)
		}
		r, err := replay(m.cfg, mem, one, 0, Options{})
		if err != nil || r.Instructions != 0 || r.Cycles != 0 {
			t.Errorf("%s: empty trace: %+v, %v", m.name, r, err)
		}
	}
}

type emptyReader struct{}

func (emptyReader) ReadInstrs([]traces.Instr) (int, error) { return 0, nil }
func (emptyReader) Format() string                         { return "empty" }
func (emptyReader) Close() error                           { return nil }

func TestReaderThatNeverEnds(t *testing.T) {
	eng := &sim.Engine{}
	if _, err := replay(DefaultConfig(), hitsAndMisses(t, eng, 100), []traces.InstrReader{emptyReader{}}, 0, Options{}); err == nil || errors.Is(err, errBadLine) {
		t.Errorf("a reader returning nothing forever: %v", err)
	}
}

// The hot path allocates nothing per instruction: a run ten times longer
// allocates no more.
func TestNoAllocationPerInstruction(t *testing.T) {
	for _, m := range bothModels {
		for _, async := range []bool{false, true} {
			allocs := func(n int) float64 {
				ins := mixed(n, 3)
				eng := &sim.Engine{}
				mem := hitsAndMisses(t, eng, 150)
				mem.async = async
				one := func() []traces.InstrReader { return []traces.InstrReader{reader(ins)} }
				// warm the fake memory's and the engine's tables first
				if _, err := replay(m.cfg, mem, one(), 0, Options{}); err != nil {
					t.Fatal(err)
				}
				return testing.AllocsPerRun(1, func() {
					if _, err := replay(m.cfg, mem, one(), 0, Options{}); err != nil {
						t.Fatal(err)
					}
				})
			}
			small, big := allocs(2000), allocs(20000)
			if big > small+10 {
				t.Errorf("%s async=%v: %v allocations for 2000 instructions, %v for 20000", m.name, async, small, big)
			}
		}
	}
}
