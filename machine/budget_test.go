package machine

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestBudgetRefuses: a configuration whose arrays would not fit the host
// is refused before anything is allocated, naming the bytes and the key
// that sizes the largest part, where it was set.
func TestBudgetRefuses(t *testing.T) {
	tests := []struct {
		budget string
		spec   string
		sets   []string
		want   string // "" when it builds
	}{
		{"", "default", []string{"llc.size=1TiB"}, ""}, // the host's budget: checked by the message below
		{"1GiB", "default", []string{"llc.size=1TiB"},
			"--set llc.size=1TiB: llc.size: the machine's arrays would take 304 GiB (304 GiB for llc), more than the 1.00 GiB this host allows (VMEMU_MEMORY_BUDGET=1GiB)"},
		{"1GiB", "default", []string{"l1d.size=1TiB", "l1d.ways=16", "l1d.replacement=lru"},
			"--set l1d.size=1TiB: l1d.size: the machine's arrays would take 352 GiB (352 GiB for l1d), more than the 1.00 GiB this host allows (VMEMU_MEMORY_BUDGET=1GiB)"},
		{"1GiB", "default", []string{"llc.size=2GiB", "l2.size=2GiB"},
			"--set l2.size=2GiB: l2.size: the machine's arrays would take 1.28 GiB (704 MiB for l2), more than the 1.00 GiB this host allows (VMEMU_MEMORY_BUDGET=1GiB)"},
		{"1GiB", "default", []string{"llc.size=1GiB"}, ""},
		{"10MiB", "default", nil,
			"preset default:151: llc.size: the machine's arrays would take 10.5 MiB (9.50 MiB for llc), more than the 10.0 MiB this host allows (VMEMU_MEMORY_BUDGET=10MiB)"},
		{"1GiB", "default", []string{"os.memory=1024TiB"},
			"--set os.memory=1024TiB: os.memory: the machine's arrays would take 2.01 GiB (2.00 GiB for os.memory), more than the 1.00 GiB this host allows (VMEMU_MEMORY_BUDGET=1GiB)"},
		{"1GiB", "default", []string{"os.memory=1024TiB", "mmu.enabled=false"}, ""},
		{"30MiB", "default", []string{"dram.channels=64", "dram.read_queue=4096", "dram.write_queue=4096"},
			"--set dram.channels=64: dram.channels: the machine's arrays would take 40.8 MiB (30.5 MiB for dram.channels), more than the 30.0 MiB this host allows (VMEMU_MEMORY_BUDGET=30MiB)"},
		{"1MiB", "csapp-small", nil, ""},
		{"many", "default", nil, `VMEMU_MEMORY_BUDGET=many: "many" is not a size (write it like 32KiB, 2MiB, 4096 or 0x1000)`},
	}
	for _, tc := range tests {
		t.Setenv(BudgetEnv, tc.budget)
		cfg := configFor(t, tc.spec, tc.sets...)
		var got string
		var err error
		if tc.budget == "" {
			err = checkBudget(cfg.Reader()) // the host's budget: do not build
		} else {
			_, err = Build(cfg)
		}
		if err != nil {
			got = err.Error()
		}
		if tc.budget == "" {
			if err == nil || physicalMemory() == 0 {
				t.Errorf("%v on this host: %v", tc.sets, err)
			}
			continue
		}
		if got != tc.want {
			t.Errorf("budget %s, %s %v: error %q\nwant %q", tc.budget, tc.spec, tc.sets, got, tc.want)
		}
	}
}

// TestArrayEstimateMatchesBuild: the estimate is what Build allocates, to
// within a little, for machines whose arrays are most of it. The shapes
// are unusual so that no released arrays are reused.
func TestArrayEstimateMatchesBuild(t *testing.T) {
	t.Setenv(BudgetEnv, "64GiB")
	for _, tc := range []struct {
		spec string
		sets []string
	}{
		{"default", []string{"llc.size=96MiB", "llc.ways=24", "l2.size=3MiB", "l2.ways=24"}},
		{"cachegrind", []string{"ll.size=48MiB", "ll.ways=12", "ll.replacement=fifo"}},
		{"cachegrind", []string{"ll.size=32MiB", "ll.ways=32", "ll.replacement=plru"}},
		{"default", []string{"dram.channels=64", "dram.read_queue=4000", "dram.write_queue=4000", "l2.ways=32"}},
		{"default", []string{"stlb.entries=65536", "stlb.ways=8", "mmu.pde_cache=4096", "l2.ways=64"}},
		{"default", []string{"cores=8", "l2.size=5MiB", "l2.ways=20", "llc.size=24MiB", "llc.ways=12", "stlb.entries=16384", "stlb.ways=4"}},
	} {
		cfg := configFor(t, tc.spec, tc.sets...)
		var est uint64
		for _, p := range arrayParts(cfg.Reader()) {
			est += p.bytes
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		m, err := Build(cfg)
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		got := after.TotalAlloc - before.TotalAlloc
		if got+got/100 < est || got > est+est/100+1<<20 {
			t.Errorf("%s %v: Build allocated %d bytes, the estimate is %d", tc.spec, tc.sets, got, est)
		}
		runtime.KeepAlive(m)
	}
}

func TestMemTotal(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		text string
		want uint64
	}{
		{"MemTotal:       24684084 kB\nMemFree:        22663076 kB\n", 24684084 << 10},
		{"MemFree: 1 kB\nMemTotal: 2048 kB\n", 2 << 20},
		{"MemTotal: 2048 MB\n", 0},
		{"MemTotal: lots kB\n", 0},
		{"", 0},
	} {
		path := filepath.Join(dir, "meminfo")
		writeTestFile(t, path, tc.text)
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := memTotal(f); got != tc.want {
			t.Errorf("%q: %d, want %d", tc.text, got, tc.want)
		}
		f.Close()
	}
}
