package cache

import (
	"slices"
	"testing"

	"github.com/vmemu/vmemu/sim"
)

// TestLineTableMatchesMap drives the table and a Go map with the same
// random puts and conditional deletes over a small key range (so runs
// collide, wrap around and shift back) and compares every lookup.
func TestLineTableMatchesMap(t *testing.T) {
	rng := sim.NewRNG(7)
	entries := make([]*mshr, 8)
	for i := range entries {
		entries[i] = &mshr{first: uint64(i)}
	}
	table, ref := newLineTable(), map[uint64]*mshr{}
	for op := 0; op < 200000; op++ {
		ln := rng.Uint64() % 300
		if op%1000 == 999 {
			ln = ^uint64(0) - 1 // the largest line: key wraps to 0 only past it
		}
		m := entries[rng.IntN(len(entries))]
		switch rng.IntN(3) {
		case 0:
			table.put(ln, m)
			ref[ln] = m
		case 1:
			table.deleteIf(ln, m)
			if ref[ln] == m {
				delete(ref, ln)
			}
		}
		if got, want := table.get(ln), ref[ln]; got != want {
			t.Fatalf("op %d: line %d maps to %p, want %p", op, ln, got, want)
		}
		if table.n != len(ref) {
			t.Fatalf("op %d: %d entries, want %d", op, table.n, len(ref))
		}
	}
	for ln, want := range ref {
		if got := table.get(ln); got != want {
			t.Fatalf("line %d maps to %p, want %p", ln, got, want)
		}
	}
}

func TestNthSmallestMatchesSort(t *testing.T) {
	rng := sim.NewRNG(5)
	for trial := 0; trial < 2000; trial++ {
		n := 1 + rng.IntN(150)
		s := make([]sim.Cycle, n)
		for i := range s {
			s[i] = sim.Cycle(rng.IntN(1 + rng.IntN(40))) // many repeats
		}
		sorted := slices.Clone(s)
		slices.Sort(sorted)
		k := rng.IntN(n)
		if got := nthSmallest(s, k); got != sorted[k] {
			t.Fatalf("trial %d: element %d of %v is %d, want %d", trial, k, sorted, got, sorted[k])
		}
	}
}
