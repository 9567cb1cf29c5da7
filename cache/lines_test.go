package cache

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

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

// TestFillTimesMatchesScan checks the ordered fill times against the
// scan they replace: the entries later than t, over random adds and
// removes with many repeats.
func TestFillTimesMatchesScan(t *testing.T) {
	rng := sim.NewRNG(5)
	var f fillTimes
	var ref []sim.Cycle
	for op := 0; op < 20000; op++ {
		switch v := sim.Cycle(rng.IntN(60)); {
		case len(ref) > 0 && rng.IntN(3) == 0:
			j := rng.IntN(len(ref))
			i := slices.Index(f, ref[j])
			f = slices.Delete(f, i, i+1)
			ref = slices.Delete(ref, j, j+1)
		case rng.IntN(20) == 0:
			f.add(sim.Never)
			ref = append(ref, sim.Never)
		default:
			f.add(v)
			ref = append(ref, v)
		}
		if !slices.IsSorted(f) || len(f) != len(ref) {
			t.Fatalf("op %d: %v out of order or not %d long", op, f, len(ref))
		}
		at := sim.Cycle(rng.IntN(70))
		var later []sim.Cycle
		for _, v := range ref {
			if v > at {
				later = append(later, v)
			}
		}
		slices.Sort(later)
		i := f.after(at)
		if slices.Equal(later, f[i:]) {
			continue // cmp.Diff on every op of thousands would take a minute
		}
		if diff := cmp.Diff(later, []sim.Cycle(f[i:]), cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("op %d: times after %d (-scan +ordered):\n%s", op, at, diff)
		}
	}
	if got := f.after(sim.Never); got != len(f) {
		t.Errorf("after(Never) = %d, want %d", got, len(f))
	}
}
