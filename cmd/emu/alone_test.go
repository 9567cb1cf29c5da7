package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// --alone measures each trace alone as its core measured it: the slow
// trace (random loads over 2 MiB, a fault a page) keeps the fast one
// (random loads over 64 KiB, in the L2 once warm) running well past
// --warmup, replaying it (965,180 instructions); alone, the fast trace
// warms up as long, so the two IPCs agree (3.3223 both), where warming
// alone by --warmup found nothing left to measure in its 2,000.
func TestAloneWarmsAsTheCoreDid(t *testing.T) {
	dir := t.TempDir()
	for _, g := range [][]string{
		{"trace", "gen", "random", "--count", "2000", "--size", "64KiB", "-o", "fast.vmt"},
		{"trace", "gen", "random", "--count", "4000", "--size", "2MiB", "-o", "slow.vmt"},
	} {
		if code, _, stderr := emu(t, dir, g...); code != 0 {
			t.Fatalf("%v: exit %d: %s", g, code, stderr)
		}
	}
	code, _, stderr := emu(t, dir, "run", "-q", "--set", "cores=2", "--warmup", "2000", "--measure", "1000",
		"--alone", "--json", "r.json", "fast.vmt", "slow.vmt")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	cores := readCores(t, filepath.Join(dir, "r.json"))
	fast := cores[0]
	if fast.Warmup <= 2*2000 {
		t.Errorf("the fast core had run %d instructions when measuring began; want it to have replayed its 2,000", fast.Warmup)
	}
	if fast.Instructions != 1000 || math.Abs(fast.AloneIPC/fast.IPC-1) > 0.02 {
		t.Errorf("fast trace: %d instructions at IPC %.4f, alone %.4f; want 1,000 and IPCs within 2%%",
			fast.Instructions, fast.IPC, fast.AloneIPC)
	}
	if slow := cores[1]; slow.AloneIPC == 0 || slow.Warmup != 2000 {
		t.Errorf("slow trace: warmup %d, alone IPC %.4f; want 2,000 and an IPC", slow.Warmup, slow.AloneIPC)
	}
}

// The run alone replays its trace as the core did, registers kept: a
// pointer chase alone runs at the IPC it has beside a copy of itself in
// private caches (its loads wait on each other); without its registers,
// its loads would overlap and run several times faster.
func TestAloneKeepsRegisters(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := emu(t, dir, "trace", "gen", "chase", "--count", "400", "--size", "16KiB", "-o", "c.vmt"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	code, _, stderr := emu(t, dir, "run", "-q", "--set", "cores=2", "--warmup", "2000", "--measure", "1000",
		"--alone", "--json", "r.json", "c.vmt", "c.vmt")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, c := range readCores(t, filepath.Join(dir, "r.json")) {
		if math.Abs(c.AloneIPC/c.IPC-1) > 0.02 {
			t.Errorf("IPC %.4f, alone %.4f; want them within 2%%", c.IPC, c.AloneIPC)
		}
	}
}

type coreFigures struct {
	Warmup       uint64  `json:"warmup"`
	Instructions uint64  `json:"instructions"`
	IPC          float64 `json:"ipc"`
	AloneIPC     float64 `json:"alone_ipc"`
}

// readCores reads the cores of a JSON report.
func readCores(t *testing.T, path string) []coreFigures {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Cores []coreFigures `json:"cores"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	return rep.Cores
}
