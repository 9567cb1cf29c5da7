package machine

import (
	"testing"

	"github.com/vmemu/vmemu/machine/config"
	kernel "github.com/vmemu/vmemu/os"
)

// Linux forks a process with 1 GiB resident in about 10 ms (some 40 ns per
// page-table entry copied); the default machine's costs must give that
// within a factor of two, in cycles at its clock.
func TestForkCostOfOneGiB(t *testing.T) {
	cfg, _ := config.Load("default")
	for _, s := range []string{"os.memory=2GiB", "disk.model=none"} {
		if err := cfg.SetArg(s); err != nil {
			t.Fatal(err)
		}
	}
	m, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	k, p := m.Kernel, m.Process
	k.ClearAreas(p)
	if _, errno, _ := k.Mmap(0, p, 0, 1<<30, kernel.ProtRead|kernel.ProtWrite,
		kernel.MapPrivate|kernel.MapAnonymous|kernel.MapPopulate, -1, 0); errno != kernel.OK {
		t.Fatalf("mmap: %v", errno)
	}
	const start = 1 << 40
	_, errno, done := k.Fork(start, p)
	if errno != kernel.OK {
		t.Fatalf("fork: %v", errno)
	}
	ms := float64(done-start) / float64(m.freqHz) * 1e3
	if ms < 5 || ms > 20 {
		t.Errorf("fork of 1 GiB resident took %.2f ms, want 5-20 (Linux: about 10)", ms)
	}
	t.Logf("fork of 1 GiB resident: %.2f ms (%d cycles)", ms, done-start)
}
