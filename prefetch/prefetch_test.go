package prefetch

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

// issuer records what a prefetcher asks for, as a level would be asked.
type issuer struct {
	busy, size int
	asked      []ask
}

type ask struct {
	Line uint64 // the address asked for, in lines (64 B) or pages
	Here bool
}

func (l *issuer) Prefetch(addr uint64, here bool) bool {
	l.asked = append(l.asked, ask{addr >> 6, here})
	return true
}

func (l *issuer) MSHRs() (int, int) { return l.busy, l.size }

// take returns what was asked for since the last call.
func (l *issuer) take() []ask {
	a := l.asked
	l.asked = nil
	return a
}

func build(t *testing.T, name string, w Where, c Config) Prefetcher {
	t.Helper()
	if c.LineShift == 0 {
		c.LineShift = 6
	}
	if c.PageShift == 0 {
		c.PageShift = 12
	}
	p, err := New(name, w, c)
	if err != nil || p == nil {
		t.Fatalf("New(%q): %v, %v", name, p, err)
	}
	return p
}

func load(line uint64, ip uint64, hit bool, now sim.Cycle) *Access {
	return &Access{Addr: line << 6, IP: ip, Kind: sim.Load, Hit: hit, Now: now}
}

// The registry knows each prefetcher by where it may go, and refuses the
// rest by name.
func TestRegistry(t *testing.T) {
	for _, tc := range []struct {
		w    Where
		want []string
	}{
		{Data, []string{"berti", "ip-stride", "next-line", "none", "spp", "stream"}},
		{Instruction, []string{"fdip", "next-line", "none"}},
		{TLB, []string{"distance", "next-page", "none", "stride"}},
	} {
		if diff := cmp.Diff(tc.want, Names(tc.w)); diff != "" {
			t.Errorf("Names(%d) (-want +got):\n%s", tc.w, diff)
		}
	}
	if err := Check("fdip", Data); err == nil {
		t.Error("fdip accepted at a data level")
	}
	if p, err := New("none", Data, Config{}); p != nil || err != nil {
		t.Errorf("none built %v, %v", p, err)
	}
}

// next-line asks for the Degree lines after every access's line.
func TestNextLine(t *testing.T) {
	l := &issuer{size: 16}
	p := build(t, "next-line", Data, Config{Degree: 2})
	p.Operate(&Access{Addr: 10<<6 + 17, Kind: sim.Load}, l)
	if diff := cmp.Diff([]ask{{11, true}, {12, true}}, l.take()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// ip-stride follows ChampSim's: the first access of an instruction only
// fills its entry, the second learns a stride, the third, repeating it,
// prefetches three strides ahead, into this level while fewer than half
// its MSHRs are busy. Two instructions interleaved keep apart.
func TestIPStride(t *testing.T) {
	l := &issuer{size: 16}
	p := build(t, "ip-stride", Data, Config{})
	steps := []struct {
		line, ip uint64
		busy     int
		want     []ask
	}{
		{100, 0xA, 0, nil},
		{500, 0xB, 0, nil},
		{104, 0xA, 0, nil}, // stride 4 learnt
		{497, 0xB, 0, nil}, // stride -3 learnt
		{108, 0xA, 0, []ask{{112, true}, {116, true}, {120, true}}},
		{494, 0xB, 8, []ask{{491, false}, {488, false}, {485, false}}}, // half the MSHRs busy: below
		{110, 0xA, 0, nil}, // a new stride: learnt, not used
		{112, 0xA, 0, []ask{{114, true}, {116, true}, {118, true}}},
	}
	for i, s := range steps {
		l.busy = s.busy
		p.Operate(load(s.line, s.ip, false, 0), l)
		if diff := cmp.Diff(s.want, l.take()); diff != "" {
			t.Errorf("step %d (-want +got):\n%s", i, diff)
		}
	}
}

// The stream prefetcher trains on three accesses in one direction within
// a page, then asks for two lines a lookup past the furthest asked for, at
// most Distance ahead, never past the page.
func TestStream(t *testing.T) {
	l := &issuer{size: 48}
	p := build(t, "stream", Data, Config{Distance: 4})
	page := uint64(0x40) // lines 0x40..0x7f are one 4 KiB page
	steps := []struct {
		off  uint64
		want []ask
	}{
		{10, nil},                           // allocates the page's entry
		{11, nil},                           // a direction: up
		{12, []ask{{13, true}, {14, true}}}, // confirmed: two past 12
		{13, []ask{{15, true}, {16, true}}}, // past the furthest asked for (14), up to 13+4 = 17
		{14, []ask{{17, true}, {18, true}}},
		{15, []ask{{19, true}}}, // at most 4 ahead: 19
	}
	for i, s := range steps {
		p.Operate(load(page+s.off, 1, false, 0), l)
		want := s.want
		for j := range want {
			want[j].Line += page
		}
		if diff := cmp.Diff(want, l.take()); diff != "" {
			t.Errorf("step %d (-want +got):\n%s", i, diff)
		}
	}
	// Down a page to its first line: nothing below it is asked for.
	for _, off := range []uint64{3, 2, 1} {
		p.Operate(load(2*page+off, 1, false, 0), l)
	}
	if diff := cmp.Diff([]ask{{2 * page, true}}, l.take()); diff != "" {
		t.Errorf("down to the page's start (-want +got):\n%s", diff)
	}
	// Half the MSHRs or more busy: into the level below.
	l.busy = 24
	for _, off := range []uint64{20, 21, 22} {
		p.Operate(load(3*page+off, 1, false, 0), l)
	}
	if diff := cmp.Diff([]ask{{3*page + 23, false}, {3*page + 24, false}}, l.take()); diff != "" {
		t.Errorf("busy (-want +got):\n%s", diff)
	}
}

// The TLB prefetchers of Kandiraju and Sivasubramaniam, by hand. Pages
// are 4 KiB: issuer's "lines" are addresses >> 6, so a page is 64 of them.
func TestTLBPrefetchers(t *testing.T) {
	pageOf := func(a []ask) []uint64 {
		var out []uint64
		for _, x := range a {
			out = append(out, x.Line>>6)
		}
		return out
	}
	miss := func(p Prefetcher, l *issuer, page, ip uint64) []uint64 {
		p.Operate(&Access{Addr: page<<12 | 0x123, IP: ip, Kind: sim.Load}, l)
		return pageOf(l.take())
	}
	c := Config{LineShift: 12, PageShift: 12}
	l := &issuer{size: 2}

	np := build(t, "next-page", TLB, Config{LineShift: 12, PageShift: 12, Degree: 2})
	if diff := cmp.Diff([]uint64{8, 9}, miss(np, l, 7, 0)); diff != "" {
		t.Errorf("next-page (-want +got):\n%s", diff)
	}

	// stride: an instruction's misses at pages 10, 13, 16: the third
	// repeats the stride of 3 and asks for 19; another instruction's
	// misses in between do not disturb it.
	sp := build(t, "stride", TLB, c)
	var got []uint64
	for _, m := range []struct{ page, ip uint64 }{{10, 0x40}, {500, 0x41}, {13, 0x40}, {400, 0x41}, {16, 0x40}} {
		got = append(got, miss(sp, l, m.page, m.ip)...)
	}
	if diff := cmp.Diff([]uint64{19}, got); diff != "" {
		t.Errorf("stride (-want +got):\n%s", diff)
	}

	// distance: misses at pages 1, 2, 4, 5, 7, 8 are at distances 1, 2, 1,
	// 2, 1. The miss at 4 teaches the table 1 -> 2, the one at 5 teaches
	// 2 -> 1 and, at distance 1, finds 1 -> 2: it asks for 7. The miss at
	// 7 (distance 2) finds 2 -> 1 and asks for 8; the one at 8 asks for 10.
	dp := build(t, "distance", TLB, c)
	got = nil
	for _, page := range []uint64{1, 2, 4, 5, 7, 8} {
		got = append(got, miss(dp, l, page, 0)...)
	}
	if diff := cmp.Diff([]uint64{7, 8, 10}, got); diff != "" {
		t.Errorf("distance (-want +got):\n%s", diff)
	}
}

// fdip prefetches each fetch block its taken branches close: from the last
// target to the branch, at most Degree lines from the block's end.
func TestFDIP(t *testing.T) {
	l := &issuer{size: 8}
	p := build(t, "fdip", Instruction, Config{Degree: 3}).(Brancher)
	p.Branch(0x1000, true, 0x2010, l)  // the first taken branch: only a target
	p.Branch(0x2030, false, 0x2034, l) // not taken: the block goes on
	p.Branch(0x2090, true, 0x1000, l)  // closes 0x2010..0x2090: lines 0x80..0x82
	p.Branch(0x1300, true, 0x5000, l)  // a long block 0x1000..0x1300: its last 3 lines
	want := []ask{{0x80, true}, {0x81, true}, {0x82, true}, {0x4a, true}, {0x4b, true}, {0x4c, true}}
	if diff := cmp.Diff(want, l.take()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if p.Lookahead() != 256 {
		t.Errorf("lookahead %d, want 256", p.Lookahead())
	}
}
