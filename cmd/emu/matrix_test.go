package main

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// matrixTraces are generated traces that stress different parts of the
// machine: DRAM and page walks (random over 64 MiB), a serial chase, a
// working set the caches hold, reuse (matmul), and one set hammered.
var matrixTraces = [][]string{
	{"rand.vmt", "random", "--count", "20000", "--size", "64MiB"},
	{"chase.vmt", "chase", "--count", "5000", "--size", "16MiB"},
	{"small.vmt", "random", "--count", "20000", "--size", "4MiB", "--alu", "2"},
	{"mm.vmt", "matmul", "--n", "24"},
	{"stride.vmt", "stride", "--count", "20000", "--stride", "4160"},
}

// matrixConfigs change the parts the traces exercise: the core, DRAM
// scheduling, replacement and MSHRs, inclusion, and the walker.
var matrixConfigs = [][]string{
	{"-c", "default"},
	{"-c", "default", "--set", "core.model=inorder"},
	{"-c", "default", "--set", "dram.page=closed", "--set", "dram.scheduler=fcfs"},
	{"-c", "default", "--set", "llc.replacement=lru", "--set", "l2.replacement=plru", "--set", "l1d.mshrs=4", "--set", "llc.mshrs=8"},
	{"-c", "default", "--set", "llc.inclusion=inclusive", "--set", "l2.inclusion=exclusive"},
	{"-c", "cachegrind"},
	{"-c", "default", "--set", "mmu.walk_from=l2", "--set", "mmu.walkers=8"},
}

// TestRunMatrixGolden pins the results of every trace above on every
// configuration: a few figures to read, and a hash of the whole JSON
// report, so that a change meant only to make the simulator faster shows
// here if it changes any number at all (go test -update after a change
// that is meant to).
func TestRunMatrixGolden(t *testing.T) {
	dir := t.TempDir()
	for _, tr := range matrixTraces {
		args := append([]string{"trace", "gen"}, tr[1:]...)
		if code, _, stderr := emu(t, dir, append(args, "-o", tr[0])...); code != 0 {
			t.Fatalf("%v: %s", args, stderr)
		}
	}
	var out strings.Builder
	for _, tr := range matrixTraces {
		for _, cfg := range matrixConfigs {
			args := append(append([]string{"run"}, cfg...), "--json", "-", tr[0]) // relative: the report names it
			code, stdout, stderr := emu(t, dir, args...)
			if code != 0 {
				t.Fatalf("%v: exit %d: %s", args, code, stderr)
			}
			fmt.Fprintf(&out, "%s %s\n  %s\n", tr[0], strings.Join(cfg, " "), summary(t, stdout))
		}
	}
	golden(t, "run-matrix.txt", out.String())
}

// summary is a report's headline figures and the hash of all of it.
func summary(t *testing.T, report string) string {
	t.Helper()
	var r struct {
		Instructions, Cycles uint64
		Levels               []struct {
			Name         string
			Hits, Misses uint64
		}
	}
	if err := json.Unmarshal([]byte(report), &r); err != nil {
		t.Fatal(err)
	}
	s := fmt.Sprintf("instructions %d cycles %d", r.Instructions, r.Cycles)
	for _, l := range r.Levels {
		s += fmt.Sprintf(" %s %d/%d", l.Name, l.Hits, l.Misses)
	}
	return fmt.Sprintf("%s sha256 %x", s, sha256.Sum256([]byte(report)))
}
