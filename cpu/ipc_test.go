package cpu

import (
	"testing"

	"github.com/vmemu/vmemu/sim"
)

// The IPC check in spirit, on a fake memory with DRAM's latency and
// a limit on misses in service: a pointer chase runs at IPC 1/latency; the
// same number of independent random loads, with a 224-entry window, at
// least 4 times faster.
func TestIPCCheck(t *testing.T) {
	const lat = 200
	run := func(name string, cfg Config, n int, chased bool) outcome {
		eng := &sim.Engine{}
		mem := hitsAndMisses(t, eng, lat)
		mem.async, mem.mshrs = true, 16
		ins := randomLoads(n, 1)
		if chased {
			ins = chase(n)
		}
		r := runOn(t, cfg, mem, ins, Options{})
		t.Logf("%s: IPC %.4f (%d instructions, %d cycles)", name, r.IPC, r.Instructions, r.Cycles)
		return r
	}
	cfg := DefaultConfig()
	if cfg.ROB != 224 {
		t.Fatalf("default ROB is %d, the check wants 224", cfg.ROB)
	}
	chaseR := run("pointer chase", cfg, 2000, true)
	if !near(chaseR.IPC, 1.0/lat, 0.02) {
		t.Errorf("pointer chase IPC %.5f, want 1/%d = %.5f", chaseR.IPC, lat, 1.0/lat)
	}
	indep := run("independent random loads", cfg, 20000, false)
	if indep.IPC < 4*chaseR.IPC {
		t.Errorf("independent loads IPC %.4f, want at least 4 x %.4f", indep.IPC, chaseR.IPC)
	}
	// the in-order core cannot overlap: both run at 1/latency
	io := run("in-order independent", inOrderConfig(0), 2000, false)
	if !near(io.IPC, 1.0/lat, 0.01) {
		t.Errorf("in-order IPC %.5f, want %.5f", io.IPC, 1.0/lat)
	}
}
