package tlb

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

// reference answers a lookup by brute force over the valid entries: one that
// covers va and belongs to pcid or is global, the smallest page size first,
// then the lowest way (for one size, all candidates share a set).
func reference(tl *TLB, va uint64, pcid uint16) (Slot, bool) {
	var best Slot
	found := false
	for _, s := range tl.Entries() {
		e := s.Entry
		if !e.Covers(va) || !(e.PCID == pcid || e.Global) {
			continue
		}
		if !found || e.PageShift < best.Entry.PageShift {
			best, found = s, true
		}
	}
	return best, found
}

// A random mix of every operation on a small, crowded TLB, checking each
// lookup (and the memo of the last hit) against the brute-force reference.
func TestAgainstReference(t *testing.T) {
	for _, p := range policies {
		t.Run(p, func(t *testing.T) {
			tl := mustNew(t, Config{Name: "t", Entries: 16, Ways: 4, Replacement: p, Seed: 3, PageShifts: []uint{21, 12}})
			rng := sim.NewRNG(99)
			va := func() uint64 { // 2 regions of 2 MiB, 8 pages each, any offset
				return uint64(rng.IntN(2))<<21 | uint64(rng.IntN(8))<<12 | uint64(rng.IntN(4096))
			}
			entry := func() Entry {
				shift := uint8(12)
				if rng.IntN(4) == 0 {
					shift = 21
				}
				return Entry{VPN: va() >> shift, PFN: rng.Uint64() & 0xffff, PageShift: shift,
					PCID: uint16(rng.IntN(3)), Global: rng.IntN(5) == 0, Dirty: rng.IntN(2) == 0}
			}
			var lookups, hits uint64
			for i := range 20000 {
				switch op := rng.IntN(20); {
				case op < 10:
					a, pcid := va(), uint16(rng.IntN(3))
					want, wok := reference(tl, a, pcid)
					got, gok := tl.Probe(a, pcid)
					if diff := cmp.Diff(want, got); gok != wok || diff != "" {
						t.Fatalf("op %d: Probe(%#x, %d) = %v (-reference +got):\n%s", i, a, pcid, gok, diff)
					}
					// Lookup twice: the second may come from the memo.
					for range 2 {
						e, ok := tl.Lookup(a, pcid)
						lookups++
						if ok {
							hits++
						}
						if diff := cmp.Diff(want.Entry, e); ok != wok || (ok && diff != "") {
							t.Fatalf("op %d: Lookup(%#x, %d) = %v (-reference +got):\n%s", i, a, pcid, ok, diff)
						}
					}
				case op < 16:
					tl.Insert(entry())
				case op == 16:
					tl.InvalidatePage(va(), uint16(rng.IntN(3)))
				case op == 17:
					tl.InvalidateAddr(va(), uint16(rng.IntN(3)))
				case op == 18:
					tl.InvalidatePCID(uint16(rng.IntN(3)))
				default:
					e := entry()
					set, _ := tl.Index(e.VPN<<e.PageShift, uint(e.PageShift))
					tl.Set(set, rng.IntN(4), e, rng.IntN(3) != 0) // may refuse a duplicate
				}
				// No two valid entries of a set are samePage (one would refresh the other).
				ents := tl.Entries()
				for a := range ents {
					for b := a + 1; b < len(ents); b++ {
						if ents[a].Set == ents[b].Set && samePage(&ents[a].Entry, &ents[b].Entry) {
							t.Fatalf("op %d: duplicate entries %+v and %+v", i, ents[a], ents[b])
						}
					}
				}
			}
			if c := tl.n; c.Hits != hits || c.Hits+c.Misses != lookups {
				t.Errorf("counts %+v; want %d hits of %d lookups", c, hits, lookups)
			}
			if hits == 0 || hits == lookups {
				t.Errorf("%d hits of %d lookups: the mix tests nothing", hits, lookups)
			}
		})
	}
}

// Fill leaves a TLB exactly as Insert does: the same entries, replacement
// state (seen through later victims) and counters.
func TestFillIsInsert(t *testing.T) {
	for _, p := range policies {
		cfg := Config{Name: "t", Entries: 16, Ways: 4, Replacement: p, Seed: 3, PageShifts: []uint{21, 12}}
		ins, fil := mustNew(t, cfg), mustNew(t, cfg)
		rng := sim.NewRNG(7)
		for i := range 5000 {
			va := uint64(rng.IntN(64)) << 12
			pcid := uint16(rng.IntN(2))
			if rng.IntN(2) == 0 {
				ins.Lookup(va, pcid)
				fil.Lookup(va, pcid)
			} else {
				e := Entry{VPN: va >> 12, PFN: rng.Uint64() & 0xffff, PageShift: 12, PCID: pcid, Global: rng.IntN(5) == 0}
				ins.Insert(e)
				fil.Fill(e)
			}
			if diff := cmp.Diff(ins.Entries(), fil.Entries()); diff != "" || ins.n != fil.n {
				t.Fatalf("%v op %d: Fill differs from Insert (-Insert +Fill):\n%s", p, i, diff)
			}
		}
	}
}
