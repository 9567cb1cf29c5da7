package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/traces"
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
	data, err := os.ReadFile(filepath.Join(dir, "r.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Cores []struct {
			Warmup       uint64  `json:"warmup"`
			Instructions uint64  `json:"instructions"`
			IPC          float64 `json:"ipc"`
			AloneIPC     float64 `json:"alone_ipc"`
		} `json:"cores"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	fast := rep.Cores[0]
	if fast.Warmup <= 2*2000 {
		t.Errorf("the fast core had run %d instructions when measuring began; want it to have replayed its 2,000", fast.Warmup)
	}
	if fast.Instructions != 1000 || math.Abs(fast.AloneIPC/fast.IPC-1) > 0.02 {
		t.Errorf("fast trace: %d instructions at IPC %.4f, alone %.4f; want 1,000 and IPCs within 2%%",
			fast.Instructions, fast.IPC, fast.AloneIPC)
	}
	if slow := rep.Cores[1]; slow.AloneIPC == 0 || slow.Warmup != 2000 {
		t.Errorf("slow trace: warmup %d, alone IPC %.4f; want 2,000 and an IPC", slow.Warmup, slow.AloneIPC)
	}
}

// A trace replayed for --alone reads the same records each pass, whether
// kept in memory after its first (a small one) or opened again (one over
// keptRecords), whatever a read asks for.
func TestReplayedPasses(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := emu(t, dir, "trace", "gen", "random", "--count", "300", "--size", "64KiB", "-o", "t.vmt"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	path := filepath.Join(dir, "t.vmt")
	once := readRecords(t, path)
	for _, tc := range []struct {
		name  string
		limit int
		kept  bool
	}{
		{"kept", len(once), true},
		{"too big", len(once) - 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func(n int) { keptRecords = n }(keptRecords)
			keptRecords = tc.limit
			r, err := openReplayed(path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var got []traces.Record
			for i := 0; len(got) < 3*len(once); i++ {
				buf := make([]traces.Record, 1+i%97)
				n, err := r.Read(buf)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, buf[:n]...)
			}
			want := slices.Concat(once, once, once)
			if diff := cmp.Diff(want, got[:len(want)]); diff != "" {
				t.Errorf("three passes (-want +got):\n%s", diff)
			}
			if r.whole != tc.kept {
				t.Errorf("kept in memory: %v, want %v", r.whole, tc.kept)
			}
		})
	}
}
