package cpu

import (
	"testing"

	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// N independent misses of latency L overlap: about L + N/W cycles, not N*L.
func TestOOOIndependentLoadsOverlap(t *testing.T) {
	tests := []struct {
		width, n int
		lat      sim.Cycle
	}{
		{4, 1000, 100},
		{2, 600, 50},
		{8, 4000, 200},
	}
	for _, tc := range tests {
		eng := &sim.Engine{}
		mem := hitsAndMisses(t, eng, tc.lat)
		cfg := oooConfig(tc.width, 4096) // a window wider than W*L
		r := runOn(t, cfg, mem, independent(tc.n), Options{})
		ideal := uint64(tc.lat) + uint64(tc.n/tc.width)
		if r.Cycles < ideal || r.Cycles > ideal+8 {
			t.Errorf("W=%d N=%d L=%d: %d cycles, want about L+N/W = %d (not N*L = %d)",
				tc.width, tc.n, tc.lat, r.Cycles, ideal, uint64(tc.n)*uint64(tc.lat))
		}
	}
}

// A pointer chase serialises: IPC is 1/L whatever the window.
func TestOOOPointerChaseSerialises(t *testing.T) {
	for _, lat := range []sim.Cycle{20, 100, 300} {
		for _, async := range []bool{false, true} {
			eng := &sim.Engine{}
			mem := hitsAndMisses(t, eng, lat)
			mem.async = async
			r := runOn(t, DefaultConfig(), mem, chase(300), Options{})
			if want := 1 / float64(lat); !near(r.IPC, want, 0.02) {
				t.Errorf("L=%d async=%v: IPC %.5f, want 1/L = %.5f", lat, async, r.IPC, want)
			}
			// every cycle but the one each load retires in waits for memory
			if m := r.Component("memory"); float64(m) < 0.99*float64(r.Cycles-300) {
				t.Errorf("L=%d: memory %d of %d cycles", lat, m, r.Cycles)
			}
		}
	}
}

// The window bounds the misses in flight: with ROB = R and a load in every
// instruction, never more than R loads wait at once, and the run takes
// about N/R round trips.
func TestOOOROBLimitsOverlap(t *testing.T) {
	const n, lat = 3000, 100
	for _, rob := range []int{1, 8, 32, 128} {
		eng := &sim.Engine{}
		mem := hitsAndMisses(t, eng, lat)
		mem.logging = true
		r := runOn(t, oooConfig(4, rob), mem, independent(n), Options{})
		if got := mem.maxOverlap(sim.Load); got > rob || got < rob*3/4 {
			t.Errorf("ROB=%d: %d loads in flight at most, want at most %d (and close to it)", rob, got, rob)
		}
		if min := uint64(n / rob * lat); r.Cycles < min || r.Cycles > min*11/10+uint64(lat) {
			t.Errorf("ROB=%d: %d cycles, want about N/R*L = %d", rob, r.Cycles, min)
		}
	}
}

// The load queue and MaxInflightLoads bound them too.
func TestOOOLoadLimits(t *testing.T) {
	tests := []struct {
		name     string
		lq, max  int
		inflight int
	}{
		{"lq", 16, 0, 16},
		{"max inflight", 256, 10, 10},
		{"max inflight 1", 256, 1, 1},
	}
	for _, tc := range tests {
		for _, async := range []bool{false, true} {
			eng := &sim.Engine{}
			mem := hitsAndMisses(t, eng, 100)
			mem.logging, mem.async = true, async
			cfg := oooConfig(4, 256)
			cfg.LQ, cfg.MaxInflightLoads = tc.lq, tc.max
			r := runOn(t, cfg, mem, independent(2000), Options{})
			if got := mem.maxOverlap(sim.Load); got != tc.inflight {
				t.Errorf("%s async=%v: %d loads in flight at most, want %d", tc.name, async, got, tc.inflight)
			}
			if r.Instructions != 2000 {
				t.Errorf("%s: %d instructions", tc.name, r.Instructions)
			}
		}
	}
}

// Stores retire without waiting and drain through the store buffer; a full
// buffer stalls retirement.
func TestOOOStoreBuffer(t *testing.T) {
	const n, lat = 1000, 100
	tests := []struct {
		name     string
		entries  int
		min, max uint64
		stalled  float64 // the least share of cycles charged to store_buffer
	}{
		{"big buffer: stores cost nothing", 4096, n/4 + lat, n/4 + lat + 8, 0},
		// a store retires in each cycle an entry frees: 64 base cycles in 100
		{"64 entries: 64 writes per round trip", 64, n * lat / 64, n*lat/64 + 2*lat, 0.3},
		{"1 entry: one write at a time", 1, n * lat, n*lat + lat, 0.98},
	}
	for _, tc := range tests {
		for _, async := range []bool{false, true} {
			eng := &sim.Engine{}
			mem := hitsAndMisses(t, eng, lat)
			mem.async = async
			cfg := oooConfig(4, 256)
			cfg.StoreBuffer = tc.entries
			r := runOn(t, cfg, mem, storeRun(n, farBase), Options{})
			if r.Cycles < tc.min || r.Cycles > tc.max {
				t.Errorf("%s async=%v: %d cycles, want %d to %d", tc.name, async, r.Cycles, tc.min, tc.max)
			}
			if float64(r.Component("store_buffer")) < tc.stalled*float64(r.Cycles) {
				t.Errorf("%s: store_buffer %d of %d cycles", tc.name, r.Component("store_buffer"), r.Cycles)
			}
			if r.count("store.accesses") != n {
				t.Errorf("%s: %d stores written", tc.name, r.count("store.accesses"))
			}
		}
	}
}

// Without misses the core retires Width instructions a cycle.
func TestOOOPeakIPC(t *testing.T) {
	for _, w := range []int{1, 2, 4, 6} {
		eng := &sim.Engine{}
		mem := hitsAndMisses(t, eng, 200)
		r := runOn(t, oooConfig(w, 224), mem, alu(12000), Options{})
		if !near(r.IPC, float64(w), 0.01) {
			t.Errorf("W=%d: IPC %.3f", w, r.IPC)
		}
		// lackey-style, every instruction fetched: first-level hits are hidden
		eng = &sim.Engine{}
		mem = hitsAndMisses(t, eng, 200)
		ins := make([]traces.Instr, 12000)
		for i := range ins {
			ins[i] = fetched(uint64(i%4000) * 4)
		}
		r = runOn(t, oooConfig(w, 224), mem, ins, Options{})
		if !near(r.IPC, float64(w), 0.01) {
			t.Errorf("W=%d, fetched: IPC %.3f", w, r.IPC)
		}
	}
}

// A chain of dependent non-memory instructions takes ExecLatency each.
func TestOOODependentChain(t *testing.T) {
	const n = 1000
	ins := alu(n)
	for i := range ins {
		ins[i].HasRegs = true
		ins[i].SrcRegs[0], ins[i].DstRegs[0] = 5, 5
	}
	eng := &sim.Engine{}
	cfg := oooConfig(4, 224)
	cfg.ExecLatency = 3
	r := runOn(t, cfg, hitsAndMisses(t, eng, 200), ins, Options{})
	if r.Cycles < 3*n || r.Cycles > 3*n+5 {
		t.Errorf("%d cycles, want about %d", r.Cycles, 3*n)
	}
}

// Instruction fetch goes through the memory side, one access per new line;
// with the ROB empty, a fetch's time is charged to where it was.
func TestOOOFetchMisses(t *testing.T) {
	const n = 64 // 16 lines of far code, nothing else
	ins := make([]traces.Instr, n)
	for i := range ins {
		ins[i] = fetched(farBase + uint64(i)*4)
	}
	for _, async := range []bool{false, true} {
		eng := &sim.Engine{}
		mem := hitsAndMisses(t, eng, 150)
		mem.async = async
		r := runOn(t, oooConfig(4, 224), mem, ins, Options{})
		if got := r.count("fetch.accesses"); got != n/16 {
			t.Errorf("async=%v: %d fetches, want %d (one per line)", async, got, n/16)
		}
		// the front end fetches ahead: the 4 line misses overlap
		if r.Cycles > 150+n/4+8 {
			t.Errorf("async=%v: %d cycles", async, r.Cycles)
		}
		if r.Component("memory") < 140 {
			t.Errorf("async=%v: fetch misses not charged to memory: %+v", async, r.stack())
		}
	}
	// an instruction across a line boundary fetches both lines
	eng := &sim.Engine{}
	mem := hitsAndMisses(t, eng, 150)
	mem.logging = true
	in := traces.Instr{IP: 60, Size: 8}
	runOn(t, oooConfig(4, 224), mem, []traces.Instr{in}, Options{})
	if len(mem.log) != 2 || mem.log[0].va != 60 || mem.log[1].va != 64 {
		t.Errorf("straddling fetch presented %+v", mem.log)
	}
}
