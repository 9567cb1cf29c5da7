package tlb

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/replacement"
	"github.com/vmemu/vmemu/sim"
)

// policies are the built-in replacement policies.
var policies = []string{replacement.FIFO, replacement.LRU, replacement.PLRU, replacement.Random, replacement.SRRIP}

func mustNew(t testing.TB, cfg Config) *TLB {
	t.Helper()
	tl, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

// access looks up the 4 KiB page vpn under pcid and fills it on a miss, as an
// MMU does after a walk. It returns "H", "M" or "M-x" where x is the page
// evicted, pages named by letters: vpn 1 is "a".
func access(tl *TLB, vpn uint64, pcid uint16) string {
	if _, ok := tl.Lookup(vpn<<12, pcid); ok {
		return "H"
	}
	v, ev := tl.Insert(Entry{VPN: vpn, PFN: vpn + 0x100, PageShift: 12, PCID: pcid})
	if ev {
		return "M-" + string(rune('a'+v.VPN-1))
	}
	return "M"
}

func run(tl *TLB, pages string) []string {
	var out []string
	for _, p := range pages {
		out = append(out, access(tl, uint64(p-'a'+1), 0))
	}
	return out
}

// Sets are independent: two sets of 2 ways, LRU; odd pages go to set 1.
func TestSetsIndependent(t *testing.T) {
	tl := mustNew(t, Config{Name: "t", Entries: 4, Ways: 2, PageShifts: []uint{12}})
	// a=1 c=3 e=5 are set 1; b=2 d=4 set 0.
	got := run(tl, "acbdeab")
	want := []string{"M", "M", "M", "M", "M-a", "M-c", "H"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// A random TLB fills invalid ways first, then draws its victims from its
// own stream: the run's seed derived by the TLB's name.
func TestRandomPolicy(t *testing.T) {
	tl := mustNew(t, Config{Name: "stlb", Entries: 8, Ways: 8, Replacement: replacement.Random, Seed: 7, PageShifts: []uint{12}})
	for v := range uint64(8) {
		if _, ev := tl.Insert(Entry{VPN: v, PageShift: 12}); ev {
			t.Fatalf("fill %d evicted with invalid ways left", v)
		}
	}
	want := sim.NewRNG(7).Derive("stlb")
	for v := uint64(100); v < 200; v++ {
		way := want.IntN(8)
		tl.Insert(Entry{VPN: v, PageShift: 12})
		if s, _ := tl.Probe(v<<12, 0); s.Way != way {
			t.Fatalf("page %d went to way %d, want %d", v, s.Way, way)
		}
	}
}

func TestInsertSamePageReplacesInPlace(t *testing.T) {
	tl := mustNew(t, Config{Name: "t", Entries: 4, Ways: 4, PageShifts: []uint{12}})
	tl.Insert(Entry{VPN: 5, PFN: 1, PageShift: 12, PCID: 1})
	tl.Insert(Entry{VPN: 5, PFN: 1, PageShift: 12, PCID: 2})
	tl.Insert(Entry{VPN: 5, PFN: 1, PageShift: 12, PCID: 1, Dirty: true, Writable: true})
	want := []Slot{
		{0, 0, Entry{VPN: 5, PFN: 1, PageShift: 12, PCID: 1, Dirty: true, Writable: true}},
		{0, 1, Entry{VPN: 5, PFN: 1, PageShift: 12, PCID: 2}},
	}
	if diff := cmp.Diff(want, tl.Entries()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if c := tl.n; c.Fills != 3 || c.Evictions != 0 {
		t.Errorf("counts %+v, want 3 fills, 0 evictions", c)
	}
}

// A global entry for a page replaces both the global entry for it (under
// any PCID) and the same PCID's entry for it, keeping one of them.
func TestInsertGlobalReplacesBoth(t *testing.T) {
	tl := mustNew(t, Config{Name: "t", Entries: 4, Ways: 4, PageShifts: []uint{12}})
	tl.Insert(Entry{VPN: 5, PFN: 1, PageShift: 12, PCID: 1, Global: true})
	tl.Insert(Entry{VPN: 5, PFN: 2, PageShift: 12, PCID: 0})
	tl.Insert(Entry{VPN: 6, PFN: 3, PageShift: 12, PCID: 0})
	tl.Insert(Entry{VPN: 5, PFN: 4, PageShift: 12, PCID: 0, Global: true})
	want := []Slot{
		{0, 0, Entry{VPN: 5, PFN: 4, PageShift: 12, PCID: 0, Global: true}},
		{0, 2, Entry{VPN: 6, PFN: 3, PageShift: 12, PCID: 0}},
	}
	if diff := cmp.Diff(want, tl.Entries()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, pcid := range []uint16{0, 1, 2} {
		if e, ok := tl.Lookup(5<<12, pcid); !ok || e.PFN != 4 {
			t.Errorf("PCID %d: %+v, %v; want PFN 4", pcid, e, ok)
		}
	}
}

func TestInsertUnheldSizePanics(t *testing.T) {
	tl := mustNew(t, Config{Name: "dtlb", Entries: 4, Ways: 4, PageShifts: []uint{12}})
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(fmt.Sprint(r), "page shift 21") {
			t.Errorf("recover() = %v, want a panic naming page shift 21", r)
		}
	}()
	tl.Insert(Entry{VPN: 1, PageShift: 21})
}

func TestPCIDIsolation(t *testing.T) {
	tl := mustNew(t, Config{Name: "t", Entries: 16, Ways: 4, PageShifts: []uint{12}})
	const va = 0x7fff_1234_5678
	tl.Insert(Entry{VPN: va >> 12, PFN: 0x111, PageShift: 12, PCID: 1})
	type res struct {
		PCID uint16
		Hit  bool
		PFN  uint64
	}
	var got []res
	look := func(pcid uint16) {
		e, ok := tl.Lookup(va, pcid)
		got = append(got, res{pcid, ok, e.PFN})
	}
	look(1) // process 1 runs
	look(2) // switch to process 2 (MOV CR3 with bit 63 set: no flush)
	tl.Insert(Entry{VPN: va >> 12, PFN: 0x222, PageShift: 12, PCID: 2})
	look(2)
	look(1) // back to process 1: its entry survived
	look(3)
	want := []res{{1, true, 0x111}, {2, false, 0}, {2, true, 0x222}, {1, true, 0x111}, {3, false, 0}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestGlobalHitsUnderAnyPCID(t *testing.T) {
	tl := mustNew(t, Config{Name: "t", Entries: 16, Ways: 4, PageShifts: []uint{12}})
	const va = 0xffff_8000_0010_2000 // a kernel address
	tl.Insert(Entry{VPN: va >> 12, PFN: 0x42, PageShift: 12, PCID: 1, Global: true})
	for _, pcid := range []uint16{0, 1, 2, 4095} {
		if e, ok := tl.Lookup(va+0x10, pcid); !ok || e.PFN != 0x42 {
			t.Errorf("global entry under PCID %d: %+v, %v; want a hit on PFN 0x42", pcid, e, ok)
		}
	}
}

// invalidationSetup fills a unified {4 KiB, 2 MiB} TLB with labelled entries
// around the 4 KiB page X and returns the labels by VPN/size/PCID.
func invalidationSetup(t *testing.T) (*TLB, func() []string) {
	const (
		X = 0x4020_3000 // the page INVLPG names; its 2 MiB page is 0x4020_0000
		Y = 0x5000_0000
		W = 0x6000_0000
	)
	tl := mustNew(t, Config{Name: "stlb", Entries: 64, Ways: 8, PageShifts: []uint{12, 21}})
	entries := []struct {
		label string
		e     Entry
	}{
		{"X/1", Entry{VPN: X >> 12, PageShift: 12, PCID: 1}},
		{"X/2", Entry{VPN: X >> 12, PageShift: 12, PCID: 2}},
		{"X/3/G", Entry{VPN: X >> 12, PageShift: 12, PCID: 3, Global: true}},
		{"X+4K/1", Entry{VPN: X>>12 + 1, PageShift: 12, PCID: 1}},
		{"Y/1", Entry{VPN: Y >> 12, PageShift: 12, PCID: 1}},
		{"Y/3/G", Entry{VPN: Y >> 12, PageShift: 12, PCID: 3, Global: true}},
		{"W/1/G", Entry{VPN: W >> 12, PageShift: 12, PCID: 1, Global: true}},
		{"2M(X)/1", Entry{VPN: X >> 21, PageShift: 21, PCID: 1}},
		{"2M(X)/2", Entry{VPN: X >> 21, PageShift: 21, PCID: 2}},
		{"2M(X)/4/G", Entry{VPN: X >> 21, PageShift: 21, PCID: 4, Global: true}},
		{"2M(Y)/1", Entry{VPN: Y >> 21, PageShift: 21, PCID: 1}},
	}
	names := map[Entry]string{}
	for i, x := range entries {
		x.e.PFN = uint64(i) // distinct entries
		names[x.e] = x.label
		if _, ev := tl.Insert(x.e); ev {
			t.Fatalf("setup evicted while inserting %s", x.label)
		}
	}
	left := func() []string {
		var out []string
		for _, s := range tl.Entries() {
			out = append(out, names[s.Entry])
		}
		slices.Sort(out)
		return out
	}
	return tl, left
}

func TestInvalidation(t *testing.T) {
	const X = 0x4020_3abc
	all := []string{"2M(X)/1", "2M(X)/2", "2M(X)/4/G", "2M(Y)/1", "W/1/G", "X+4K/1", "X/1", "X/2", "X/3/G", "Y/1", "Y/3/G"}
	without := func(drop ...string) []string {
		return slices.DeleteFunc(slices.Clone(all), func(s string) bool { return slices.Contains(drop, s) })
	}
	tests := []struct {
		name string
		op   func(*TLB) int
		want []string // entries left
	}{
		// SDM 4.10.4.1: INVLPG removes the page under the current PCID and
		// the global entries for it under any PCID, at every page size;
		// not the page under another PCID, not other pages.
		{"INVLPG X under PCID 1", func(tl *TLB) int { return tl.InvalidatePage(X, 1) },
			without("X/1", "X/3/G", "2M(X)/1", "2M(X)/4/G")},
		{"INVLPG X under PCID 2", func(tl *TLB) int { return tl.InvalidatePage(X, 2) },
			without("X/2", "X/3/G", "2M(X)/2", "2M(X)/4/G")},
		{"INVLPG X under PCID 9", func(tl *TLB) int { return tl.InvalidatePage(X, 9) },
			without("X/3/G", "2M(X)/4/G")},
		{"INVLPG unmapped page", func(tl *TLB) int { return tl.InvalidatePage(0x1234_5000, 1) }, all},
		// INVPCID type 0: that page, that PCID, no globals.
		{"INVPCID 0 X PCID 1", func(tl *TLB) int { return tl.InvalidateAddr(X, 1) },
			without("X/1", "2M(X)/1")},
		{"INVPCID 0 X PCID 3", func(tl *TLB) int { return tl.InvalidateAddr(X, 3) }, all},
		// INVPCID type 1 / MOV to CR3: a PCID's non-global entries.
		{"INVPCID 1 PCID 1", func(tl *TLB) int { return tl.InvalidatePCID(1) },
			without("X/1", "X+4K/1", "Y/1", "2M(X)/1", "2M(Y)/1")},
		{"INVPCID 1 PCID 3", func(tl *TLB) int { return tl.InvalidatePCID(3) }, all},
		// INVPCID type 3: all but globals; type 2: all.
		{"INVPCID 3", func(tl *TLB) int { return tl.InvalidateAll(true) },
			[]string{"2M(X)/4/G", "W/1/G", "X/3/G", "Y/3/G"}},
		{"INVPCID 2", func(tl *TLB) int { return tl.InvalidateAll(false) }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tl, left := invalidationSetup(t)
			if diff := cmp.Diff(all, left()); diff != "" {
				t.Fatalf("setup (-want +got):\n%s", diff)
			}
			n := tc.op(tl)
			got := left()
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("entries left (-want +got):\n%s", diff)
			}
			if removed := len(all) - len(got); n != removed || tl.n.Invalidations != uint64(removed) {
				t.Errorf("returned %d, counted %d, removed %d", n, tl.n.Invalidations, removed)
			}
		})
	}
}

// After INVLPG the page misses under the current PCID and the same page
// still hits under another PCID.
func TestInvalidatePageThenLookup(t *testing.T) {
	tl := mustNew(t, Config{Name: "t", Entries: 16, Ways: 4, PageShifts: []uint{12}})
	const va = 0x1000_5000
	tl.Insert(Entry{VPN: va >> 12, PFN: 1, PageShift: 12, PCID: 1})
	tl.Insert(Entry{VPN: va >> 12, PFN: 2, PageShift: 12, PCID: 2})
	tl.InvalidatePage(va, 1)
	if _, ok := tl.Lookup(va, 1); ok {
		t.Error("PCID 1 still hits after INVLPG under PCID 1")
	}
	if e, ok := tl.Lookup(va, 2); !ok || e.PFN != 2 {
		t.Errorf("PCID 2: %+v, %v; want a hit on PFN 2", e, ok)
	}
}

func TestMixedPageSizes(t *testing.T) {
	for _, shifts := range [][]uint{{12, 21}, {21, 12}, {12, 21, 30}, {21}} {
		t.Run(fmt.Sprint(shifts), func(t *testing.T) {
			tl := mustNew(t, Config{Name: "stlb", Entries: 1536, Ways: 12, PageShifts: shifts})
			const base = 0x7f12_3440_0000 // 2 MiB aligned
			const pfn2M = 0x1234          // PA 0x2_4680_0000
			tl.Insert(Entry{VPN: base >> 21, PFN: pfn2M, PageShift: 21, Writable: true})
			for va := uint64(base); va < base+1<<21; va += 1 << 12 {
				e, ok := tl.Lookup(va+0x123, 0)
				if !ok {
					t.Fatalf("4 KiB page %#x inside the 2 MiB page missed", va)
				}
				if pa, want := e.Translate(va+0x123), pfn2M<<21|(va-base+0x123); pa != want {
					t.Fatalf("PA of %#x = %#x, want %#x", va+0x123, pa, want)
				}
			}
			for _, va := range []uint64{base - 1, base + 1<<21} {
				if _, ok := tl.Lookup(va, 0); ok {
					t.Errorf("%#x, outside the 2 MiB page, hit", va)
				}
			}
			for _, s := range []uint{12, 21, 30} {
				if tl.Holds(s) != slices.Contains(shifts, s) {
					t.Errorf("Holds(%d) = %v", s, tl.Holds(s))
				}
			}
			if diff := cmp.Diff(shifts, tl.Config().PageShifts); diff != "" {
				t.Errorf("Config().PageShifts (-want +got):\n%s", diff)
			}
			if !slices.Contains(shifts, 12) {
				return
			}
			// A 4 KiB entry for a page inside the 2 MiB one is looked up
			// first (smallest page first).
			tl.Insert(Entry{VPN: base>>12 + 7, PFN: 0x99, PageShift: 12})
			if e, _ := tl.Lookup(base+7<<12, 0); e.PageShift != 12 || e.PFN != 0x99 {
				t.Errorf("got %+v, want the 4 KiB entry", e)
			}
			if e, _ := tl.Lookup(base+8<<12, 0); e.PageShift != 21 {
				t.Errorf("got %+v, want the 2 MiB entry", e)
			}
			// Same VPN number at another size does not match.
			tl.Insert(Entry{VPN: 3, PFN: 0x77, PageShift: 12})
			if e, ok := tl.Lookup(3<<21, 0); ok {
				t.Errorf("4 KiB VPN 3 answered a lookup of 2 MiB page 3: %+v", e)
			}
		})
	}
}

func TestIndex(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		va      uint64
		shift   uint
		set     int
		tag     uint64
		vpnBack uint64
	}{
		// CS:APP 3e Figure 9.20 / Section 9.6.4: 0x03d4 has VPN 0x0F,
		// TLBI 3, TLBT 0x03.
		{"csapp 0x03d4", Config{Name: "t", Entries: 16, Ways: 4, PageShifts: []uint{6}}, 0x03d4, 6, 3, 0x03, 0x0F},
		// Practice problem 9.11: 0x027c: VPN 0x09, TLBI 1, TLBT 0x02.
		{"csapp 0x027c", Config{Name: "t", Entries: 16, Ways: 4, PageShifts: []uint{6}}, 0x027c, 6, 1, 0x02, 0x09},
		// 64 entries, 4 ways, 16 sets: 4 index bits.
		{"dtlb 4K", Config{Name: "t", Entries: 64, Ways: 4, PageShifts: []uint{12}}, 0x7fff_abcd_e123, 12, 0xe, 0x7fff_abcd, 0x7fff_abcde},
		{"stlb 2M", Config{Name: "t", Entries: 1536, Ways: 12, PageShifts: []uint{12, 21}}, 0x7fff_abcd_e123, 21, 0x3ff_fd5e & 127, 0x3ff_fd5e >> 7, 0x3ff_fd5e},
	}
	for _, tc := range tests {
		tl := mustNew(t, tc.cfg)
		set, tag := tl.Index(tc.va, tc.shift)
		if set != tc.set || tag != tc.tag {
			t.Errorf("%s: Index(%#x, %d) = %d, %#x; want %d, %#x", tc.name, tc.va, tc.shift, set, tag, tc.set, tc.tag)
		}
		if v := tl.VPN(set, tag); v != tc.vpnBack {
			t.Errorf("%s: VPN(%d, %#x) = %#x, want %#x", tc.name, set, tag, v, tc.vpnBack)
		}
	}
}

// The TLB of the CS:APP small memory system (Figure 9.20), preset from the
// confirmed entries of ../shared/refdata/csapp-vm, and the book's worked
// example 0x03d4: TLB hit, PPN 0x0D, PA 0x354.
func TestCSAPPSmallMemorySystem(t *testing.T) {
	tl := mustNew(t, Config{Name: "tlb", Entries: 16, Ways: 4, PageShifts: []uint{6}})
	figure := []struct {
		set, way int
		tag, ppn uint64
		valid    bool
	}{
		{0, 0, 0x03, 0, false},
		{1, 0, 0x03, 0x2D, true},
		{2, 0, 0x02, 0, false},
		{3, 0, 0x07, 0, false},
		{3, 1, 0x03, 0x0D, true},
		{3, 2, 0x0A, 0x34, true},
		{3, 3, 0x02, 0, false},
	}
	for _, f := range figure {
		e := Entry{VPN: tl.VPN(f.set, f.tag), PFN: f.ppn, PageShift: 6}
		if err := tl.Set(f.set, f.way, e, f.valid); err != nil {
			t.Fatal(err)
		}
	}
	s, ok := tl.Probe(0x03d4, 0)
	want := Slot{Set: 3, Way: 1, Entry: Entry{VPN: 0x0F, PFN: 0x0D, PageShift: 6}}
	if diff := cmp.Diff(want, s); !ok || diff != "" {
		t.Fatalf("Probe(0x03d4) hit=%v (-want +got):\n%s", ok, diff)
	}
	if pa := s.Entry.Translate(0x03d4); pa != 0x354 {
		t.Errorf("PA = %#x, want 0x354", pa)
	}
	// Invalid entries keep their tags for display but never hit: VPN 0x0C
	// is (set 0, tag 0x03), invalid.
	if e, valid := tl.At(0, 0); valid || e.VPN != 0x0C {
		t.Errorf("At(0,0) = %+v, %v; want VPN 0x0C, invalid", e, valid)
	}
	if _, ok := tl.Lookup(0x0C<<6, 0); ok {
		t.Error("an invalid entry hit")
	}
	// 0x0b8f (practice problem 9.12, VPN 0x2E, TLBI 2, TLBT 0x0B): miss.
	if _, ok := tl.Lookup(0x0b8f, 0); ok {
		t.Error("0x0b8f hit")
	}
	wantEntries := []Slot{
		{1, 0, Entry{VPN: 0x0D, PFN: 0x2D, PageShift: 6}},
		{3, 1, Entry{VPN: 0x0F, PFN: 0x0D, PageShift: 6}},
		{3, 2, Entry{VPN: 0x2B, PFN: 0x34, PageShift: 6}},
	}
	if diff := cmp.Diff(wantEntries, tl.Entries()); diff != "" {
		t.Errorf("Entries (-want +got):\n%s", diff)
	}
}

func TestSetErrors(t *testing.T) {
	tl := mustNew(t, Config{Name: "tlb", Entries: 16, Ways: 4, PageShifts: []uint{6}})
	if err := tl.Set(3, 1, Entry{VPN: 0x0F, PageShift: 6}, true); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		set, way int
		e        Entry
		valid    bool
		want     string // "" for no error
	}{
		{"set too big", 4, 0, Entry{VPN: 4, PageShift: 6}, true, "set out of range (0 to 3)"},
		{"negative set", -1, 0, Entry{VPN: 4, PageShift: 6}, true, "set out of range"},
		{"way too big", 0, 4, Entry{VPN: 4, PageShift: 6}, true, "way out of range (0 to 3)"},
		{"wrong set", 1, 0, Entry{VPN: 0x0F, PageShift: 6}, true, "VPN 0xf belongs in set 3"},
		{"wrong set, invalid", 1, 0, Entry{VPN: 0x0F, PageShift: 6}, false, "belongs in set 3"},
		{"page size not held", 3, 0, Entry{VPN: 0x0F, PageShift: 12}, true, "page shift 12 is not a size this TLB holds"},
		{"VPN too wide", 3, 0, Entry{VPN: 1<<58 | 3, PageShift: 6}, true, "does not fit a 64-bit address"},
		{"duplicate", 3, 0, Entry{VPN: 0x0F, PageShift: 6}, true, "is already valid in way 1"},
		{"duplicate under another PCID is fine", 3, 0, Entry{VPN: 0x0F, PageShift: 6, PCID: 1}, true, ""},
		{"global under another PCID is fine", 3, 2, Entry{VPN: 0x0F, PageShift: 6, PCID: 2, Global: true}, true, ""},
		{"second global", 3, 3, Entry{VPN: 0x0F, PageShift: 6, PCID: 3, Global: true}, true, "is already valid in way 2"},
		{"same place is fine", 3, 1, Entry{VPN: 0x0F, PFN: 9, PageShift: 6}, true, ""},
		{"clear", 2, 2, Entry{}, false, ""},
	}
	for _, tc := range tests {
		err := tl.Set(tc.set, tc.way, tc.e, tc.valid)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestBadConfigs(t *testing.T) {
	good := Config{Name: "dtlb", Entries: 64, Ways: 4, PageShifts: []uint{12}}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no name", func(c *Config) { c.Name = "" }, "name: must not be empty"},
		{"zero ways", func(c *Config) { c.Ways = 0 }, `tlb "dtlb": ways: must be at least 1, not 0`},
		{"zero entries", func(c *Config) { c.Entries = 0 }, "entries: must be at least 1"},
		{"not a multiple", func(c *Config) { c.Entries = 65 }, "entries: 65 is not a multiple of ways (4)"},
		{"sets not a power of two", func(c *Config) { c.Entries = 48 }, "gives 12 sets, not a power of two"},
		{"unknown policy", func(c *Config) { c.Replacement = "lfu" }, `replacement: unknown replacement policy "lfu" (one of fifo, lru, plru, random, srrip`},
		{"plru too wide", func(c *Config) { c.Entries, c.Ways, c.Replacement = 128, 128, replacement.PLRU }, "replacement: tree-PLRU supports at most 64"},
		{"no page sizes", func(c *Config) { c.PageShifts = nil }, "page_shifts: must list at least one"},
		{"shift 0", func(c *Config) { c.PageShifts = []uint{0} }, "page_shifts: shift 0 is out of range"},
		{"shift 64", func(c *Config) { c.PageShifts = []uint{12, 64} }, "page_shifts: shift 64 is out of range"},
		{"shift + index too wide", func(c *Config) { c.PageShifts = []uint{62} }, "page_shifts: shift 62 + 4 index bits"},
		{"duplicate shift", func(c *Config) { c.PageShifts = []uint{12, 21, 12} }, "page_shifts: shift 12 is listed twice"},
	}
	for _, tc := range tests {
		c := good
		c.PageShifts = slices.Clone(good.PageShifts)
		tc.edit(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate() = %v, want an error containing %q", tc.name, err, tc.want)
		}
		if _, err2 := New(c); err2 == nil {
			t.Errorf("%s: New accepted the config", tc.name)
		}
	}
	// Odd shapes that are fine.
	for _, c := range []Config{
		{Name: "stlb", Entries: 1536, Ways: 12, Replacement: replacement.PLRU, PageShifts: []uint{12, 21}},
		{Name: "fa", Entries: 1, Ways: 1, PageShifts: []uint{30}},
		{Name: "csapp", Entries: 16, Ways: 4, PageShifts: []uint{6}},
	} {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

func TestRegister(t *testing.T) {
	tl := mustNew(t, Config{Name: "dtlb", Entries: 2, Ways: 2, PageShifts: []uint{12}})
	var s sim.Stats
	tl.Register(&s)
	run(tl, "abac")         // M M H M-b
	tl.InvalidateAll(false) // 2 entries
	want := []sim.Stat{
		{Name: "dtlb.evictions", Value: 1},
		{Name: "dtlb.fills", Value: 3},
		{Name: "dtlb.hits", Value: 1},
		{Name: "dtlb.invalidations", Value: 2},
		{Name: "dtlb.misses", Value: 3},
	}
	if diff := cmp.Diff(want, s.Under("dtlb")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if missed := s.Unregistered(&tl.n); len(missed) > 0 {
		t.Errorf("counters not registered: %v", missed)
	}
	s.Reset()
	if diff := cmp.Diff(Counts{}, tl.n); diff != "" {
		t.Errorf("after reset (-want +got):\n%s", diff)
	}
}

func TestProbeHasNoSideEffects(t *testing.T) {
	tl := mustNew(t, Config{Name: "t", Entries: 2, Ways: 2, PageShifts: []uint{12}})
	run(tl, "ab") // LRU victim: a
	tl.Probe(1<<12, 0)
	tl.Probe(9<<12, 0)
	if diff := cmp.Diff([]string{"M-a"}, run(tl, "c")); diff != "" {
		t.Errorf("Probe changed the LRU order (-want +got):\n%s", diff)
	}
	if c := tl.n; c.Hits != 0 || c.Misses != 3 {
		t.Errorf("Probe counted: %+v", c)
	}
}

func TestLookupDoesNotAllocate(t *testing.T) {
	for _, p := range policies {
		tl := mustNew(t, Config{Name: "stlb", Entries: 1536, Ways: 12, Replacement: p, PageShifts: []uint{12, 21}})
		tl.Insert(Entry{VPN: 5, PageShift: 12})
		tl.Insert(Entry{VPN: 1, PageShift: 21})
		allocs := testing.AllocsPerRun(100, func() {
			tl.Lookup(5<<12, 0)
			tl.Lookup(1<<21+0x5000, 0)
			tl.Lookup(0x9999_9000, 0)
			tl.Insert(Entry{VPN: 77, PageShift: 12})
		})
		if allocs != 0 {
			t.Errorf("%s: Lookup/Insert allocate %.1f times", p, allocs)
		}
	}
}

// benchLookup looks up a working set of pages that all hit, in a scattered
// order, and reports lookups per second.
func benchLookup(b *testing.B, cfg Config, shift uint8, pages int) {
	tl := mustNew(b, cfg)
	vas := make([]uint64, 1024)
	for i := range pages {
		tl.Insert(Entry{VPN: uint64(i), PFN: uint64(i), PageShift: shift})
	}
	for i := range vas {
		vas[i] = uint64((i*7919)%pages)<<shift | uint64(i*64)&(1<<shift-1)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, ok := tl.Lookup(vas[i&1023], 0); !ok {
			b.Fatal("miss")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

func BenchmarkLookup(b *testing.B) {
	b.Run("dtlb-64x4-4K-lru", func(b *testing.B) {
		benchLookup(b, Config{Name: "dtlb", Entries: 64, Ways: 4, PageShifts: []uint{12}}, 12, 64)
	})
	b.Run("dtlb-64x4-4K-plru", func(b *testing.B) {
		benchLookup(b, Config{Name: "dtlb", Entries: 64, Ways: 4, Replacement: replacement.PLRU, PageShifts: []uint{12}}, 12, 64)
	})
	b.Run("stlb-1536x12-4K-lru", func(b *testing.B) {
		benchLookup(b, Config{Name: "stlb", Entries: 1536, Ways: 12, PageShifts: []uint{12, 21}}, 12, 1536)
	})
	// 2 MiB hits in a unified TLB probe the 4 KiB sets first.
	b.Run("stlb-1536x12-2M-lru", func(b *testing.B) {
		benchLookup(b, Config{Name: "stlb", Entries: 1536, Ways: 12, PageShifts: []uint{12, 21}}, 21, 1536)
	})
}

func BenchmarkLookupMiss(b *testing.B) {
	tl := mustNew(b, Config{Name: "stlb", Entries: 1536, Ways: 12, PageShifts: []uint{12, 21}})
	for i := range 1536 {
		tl.Insert(Entry{VPN: uint64(i), PageShift: 12})
	}
	for i := 0; b.Loop(); i++ {
		tl.Lookup(uint64(i+1<<20)<<12, 0)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

// A streaming access pattern: 8-byte strides, so 512 lookups a 4 KiB page,
// over 64 pages (a trace with a >99% hit rate).
func BenchmarkLookupStream(b *testing.B) {
	tl := mustNew(b, Config{Name: "dtlb", Entries: 64, Ways: 4, PageShifts: []uint{12}})
	for i := range 64 {
		tl.Insert(Entry{VPN: uint64(i), PFN: uint64(i), PageShift: 12})
	}
	for i := 0; b.Loop(); i++ {
		if _, ok := tl.Lookup(uint64(i*8)&(64<<12-1), 0); !ok {
			b.Fatal("miss")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

// Again must agree with Lookup wherever it answers, and leave the TLB as
// Lookup would: a run of lookups through Again-then-Lookup and one through
// Lookup alone end with the same hits, misses and contents.
func TestAgainMatchesLookup(t *testing.T) {
	for _, pol := range policies {
		cfg := Config{Name: "t", Entries: 16, Ways: 4, Replacement: pol, PageShifts: []uint{12, 21}, Seed: 3}
		a, _ := New(cfg)
		b, _ := New(cfg)
		rng := sim.NewRNG(9)
		for i := 0; i < 20000; i++ {
			va := uint64(rng.IntN(40)) << 12
			if rng.IntN(4) == 0 {
				va = uint64(rng.IntN(8)) << 21
			}
			pcid := uint16(rng.IntN(2))
			ea, oka := a.Again(va, pcid)
			var gotA Entry
			if oka {
				gotA = *ea
			} else {
				gotA, oka = a.Lookup(va, pcid)
			}
			gotB, okb := b.Lookup(va, pcid)
			if oka != okb || gotA != gotB {
				t.Fatalf("%v step %d: Again/Lookup gave %v %v, Lookup %v %v", pol, i, gotA, oka, gotB, okb)
			}
			if !oka {
				shift := uint8(12)
				if va&(1<<21-1) == 0 && rng.IntN(2) == 0 {
					shift = 21
				}
				e := Entry{VPN: va >> shift, PFN: uint64(i), PageShift: shift, PCID: pcid}
				a.Insert(e)
				b.Insert(e)
			}
		}
		if a.n != b.n || !cmp.Equal(a.Entries(), b.Entries()) {
			t.Errorf("%v: counts %+v vs %+v, or contents differ", pol, a.n, b.n)
		}
	}
}
