package prefetch

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

// Berti by hand, as the paper's timeliness argument goes. One instruction
// misses on every other line, lines 100, 102, 104, ..., one access every
// 100 cycles, and every fill takes 150 cycles. When the fill of the miss
// made at t arrives, the accesses of that instruction made by t - 150 are
// the ones whose prefetch would have been in time: those of 200, 300, ...
// cycles before (never the one 100 before), at deltas +4, +6, ... lines,
// at most 8 of them, most recent first: +4 .. +18.
//
// Delta +2j is found by the fills k >= j (k = 0, 1, ...). After 16 fills
// (searches)
// the deltas are sorted by how many of the 16 found them: +4 in 14, +6 in
// 13, +8 in 12 (more than 11: into the L1D), +10 in 11, +12 in 10, +14 in 9
// (more than 8: the L2), +16 in 8, +18 in 7 (more than 6: the L2, and
// replaceable). The next access prefetches with all of them.
func TestBertiTimelyDeltas(t *testing.T) {
	l := &issuer{size: 16}
	p := build(t, "berti", Data, Config{})
	const ip = 0x400
	for k := uint64(0); k < 16; k++ {
		now := sim.Cycle(100 * k)
		p.Operate(load(100+2*k, ip, false, now), l)
		p.Fill(&Fill{Addr: (100 + 2*k) << 6, IP: ip, Missed: now, At: now + 150}, l)
	}
	if got := l.take(); got != nil {
		t.Fatalf("prefetched before its deltas were sorted: %v", got)
	}
	p.Operate(load(132, ip, false, 1600), l)
	want := []ask{{136, true}, {138, true}, {140, true}, {142, false}, {144, false}, {146, false}, {148, false}, {150, false}}
	if diff := cmp.Diff(want, l.take()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// With 70% or more of the L1D's MSHRs busy, the L1D's deltas go to the
	// L2 too.
	l.busy = 12
	p.Operate(load(134, ip, true, 1700), l)
	for _, a := range l.take() {
		if a.Here {
			t.Errorf("%v into the L1D with 12 of 16 MSHRs busy", a)
		}
	}
	// Another instruction has no deltas: nothing.
	p.Operate(load(900, ip+4, false, 1800), l)
	if got := l.take(); got != nil {
		t.Errorf("an instruction without deltas prefetched %v", got)
	}
}

// A first use of a prefetched line teaches Berti too, with the latency the
// prefetch took (kept from its fill).
func TestBertiLearnsFromPrefetchedLines(t *testing.T) {
	l := &issuer{size: 16}
	p := build(t, "berti", Data, Config{}).(*berti)
	const ip = 0x80
	p.Operate(load(10, ip, false, 0), l)                                        // in the history at 0
	p.Fill(&Fill{Addr: 13 << 6, Prefetch: true, IP: ip, Missed: 40, At: 90}, l) // took 50 cycles
	p.Operate(&Access{Addr: 13 << 6, IP: ip, Kind: sim.Load, Hit: true, UsedPrefetch: true, Now: 60}, l)
	e, tg := p.table[0], p.tags[0]
	if !tg.valid || tg.key != ip || e.searches != 1 || e.deltas[0] != (bertiDelta{delta: 3, conf: 1}) {
		t.Errorf("entry after one search: %+v, tag %+v", e, tg)
	}
}
