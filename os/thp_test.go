package os

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

// touch makes p's access to va as the hardware would (faults and the
// Accessed and Dirty bits) without moving any bytes.
func (w *world) touch(p *Process, va uint64, write bool) {
	w.t.Helper()
	if _, ok := w.pa(p, va, write); !ok {
		w.t.Fatalf("access to %#x by pid %d: SIGSEGV", va, p.PID)
	}
}

// thpProgram is thp.c's fault-count part against a world.
type thpProgram struct {
	w   *world
	p   *Process
	out []string
}

const mib = 1 << 20

// amap is thp.c's amap: an anonymous area 2 MiB longer than asked, cut to
// a 2 MiB-aligned start, advised MADV_HUGEPAGE or MADV_NOHUGEPAGE.
func (tp *thpProgram) amap(length uint64, huge bool) uint64 {
	w := tp.w
	a := w.call(w.k.Mmap(w.now, tp.p, 0, length+2*mib, ProtRead|ProtWrite, anonPriv, -1, 0))
	a = (a + 2*mib - 1) &^ (2*mib - 1)
	advice := MadvNohugepage
	if huge {
		advice = MadvHugepage
	}
	w.call(w.k.Madvise(w.now, tp.p, a, length, advice))
	return a
}

func (tp *thpProgram) each(p *Process, base, length uint64, write bool) uint64 {
	before := p.Faults.Minor + p.Faults.Major
	for i := uint64(0); i < length; i += pg {
		tp.w.touch(p, base+i, write)
	}
	return p.Faults.Minor + p.Faults.Major - before
}

func (tp *thpProgram) run(huge int) {
	w, p := tp.w, tp.p
	const length = 64 * mib
	a := tp.amap(length, huge == 1)
	f := tp.each(p, a, length, true)
	tp.out = append(tp.out, fmt.Sprintf("thp=%d write_first_touch 64MiB minflt=%d anonhuge_kb=%d", huge, f, w.k.AnonHuge(p)>>10))
	b := tp.amap(length, huge == 1)
	r := tp.each(p, b, length, false)
	wr := tp.each(p, b, length, true)
	tp.out = append(tp.out, fmt.Sprintf("thp=%d read_then_write 64MiB read_minflt=%d write_minflt=%d anonhuge_kb=%d", huge, r, wr, w.k.AnonHuge(p)>>10))
	c := w.k.Process(int(w.call(w.k.Fork(w.now, p))))
	f = tp.each(c, a, length, true)
	tp.out = append(tp.out, fmt.Sprintf("thp=%d fork_child_write 64MiB minflt=%d anonhuge_kb=%d", huge, f, w.k.AnonHuge(c)>>10))
	w.call(w.k.Exit(w.now, c, 0))
	w.call(w.k.Wait(w.now, p, c.PID))
	f = tp.each(p, a, length, true)
	tp.out = append(tp.out, fmt.Sprintf("thp=%d parent_write_after_child_exit minflt=%d anonhuge_kb=%d", huge, f, w.k.AnonHuge(p)>>10))
	w.call(w.k.Munmap(w.now, p, a, length))
	w.call(w.k.Munmap(w.now, p, b, length))
	if err := w.k.CheckInvariants(); err != nil {
		w.t.Fatal(err)
	}
}

// thp.c's fault counts (THP in madvise mode, both runs of thp.txt): 64 MiB
// advised MADV_HUGEPAGE takes one fault per 2 MiB, a read maps the huge
// zero page and the write after it a huge page; after fork the child's
// writes split its mappings and copy 4 KiB pages (16384 faults), and the
// parent, alone again after the child's exit, keeps its huge pages whole
// (32 faults). The 1 GiB chase's timings are the machine's, not the
// kernel's.
func TestTHPCLinux(t *testing.T) {
	w := newWorldWith(t, 512*mib, 0, linux)
	tp := &thpProgram{w: w, p: w.proc()}
	tp.run(0)
	tp.run(1)
	var want []string
	for _, l := range refLines(t, "thp.txt", "", func(l string) bool { return !strings.Contains(l, "chase") }) {
		want = append(want, lessRuntime(l))
	}
	if len(want) != 16 || !cmp.Equal(want[:8], want[8:]) {
		t.Fatalf("thp.txt: want two runs of 8 equal counts, have %q", want)
	}
	if diff := cmp.Diff(want[:8], tp.out); diff != "" {
		t.Errorf("thp.c (-Linux +kernel):\n%s", diff)
	}
}

// A huge-page fault costs one fault and 512 pages' zeroing, not 512
// faults; the huge zero page costs one fault, and the write after it a
// fault and the zeroing of a new huge page.
func TestTHPFaultCost(t *testing.T) {
	w := newWorldWith(t, 64*mib, 0, linux)
	p := w.proc()
	tp := &thpProgram{w: w, p: p}
	c := w.k.cfg.Costs
	cost := func(va uint64, write bool) sim.Cycle {
		start := w.now
		w.touch(p, va, write)
		return w.now - start
	}
	a := tp.amap(4*mib, true)
	small := w.call(w.k.Mmap(w.now, p, 0, pg, ProtRead|ProtWrite, anonPriv, -1, 0))
	got := []sim.Cycle{cost(a, true), cost(a+2*mib, false), cost(a+2*mib+pg, true), cost(small, true)}
	want := []sim.Cycle{c.Fault + 512*c.Zero, c.Fault, c.Fault + 512*c.Zero, c.Fault + c.Zero}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cycles of a huge write fault, a huge zero-page read, the write after it, a 4 KiB write (-want +got):\n%s", diff)
	}
}

// With every 2 MiB of memory holding some page (random frames), a fault
// that may map a huge page maps 4 KiB instead, and says so.
func TestTHPFallback(t *testing.T) {
	w := newWorldWith(t, 16*mib, 0, func(c *Config) { linux(c); c.RandomFrames = true })
	p := w.proc()
	small := w.call(w.k.Mmap(w.now, p, 0, 1024*pg, ProtRead|ProtWrite, anonPriv, -1, 0))
	for i := uint64(0); i < 1024; i++ {
		w.touch(p, small+i*pg, true)
	}
	a := (&thpProgram{w: w, p: p}).amap(2*mib, true)
	w.touch(p, a, true)
	if p.Faults.THP != 0 || p.Faults.THPFallbacks != 1 {
		t.Errorf("faults %+v: want no huge page, one fallback", p.Faults)
	}
	if e, _, level := w.k.lookup(p, a); level != 1 || e == 0 {
		t.Errorf("after the fallback, entry %v at level %d; want a 4 KiB one", e, level)
	}
}

// Reclaim splits a huge page before swapping, and munmap, mprotect and
// MADV_DONTNEED of part of one split it; every word written stays.
func TestTHPSplits(t *testing.T) {
	const frames = 4096 // 16 MiB
	w := newWorldWith(t, frames*pg, 4*frames, func(c *Config) { linux(c); c.THP = THPAlways })
	p := w.proc()
	tp := &thpProgram{w: w, p: p}
	a := tp.amap(10*mib, true)
	for i := uint64(0); i < 10*mib; i += pg {
		w.store(p, a+i+8, a+i)
	}
	if p.Faults.THP != 5 {
		t.Fatalf("%d huge pages, want 5", p.Faults.THP)
	}
	w.call(w.k.Munmap(w.now, p, a+pg, pg))
	w.call(w.k.Mprotect(w.now, p, a+2*mib+3*pg, pg, ProtRead))
	w.call(w.k.Madvise(w.now, p, a+4*mib+5*pg, pg, MadvDontneed))
	if p.Faults.Splits != 3 {
		t.Errorf("%d splits after munmap, mprotect and madvise of a page of each, want 3", p.Faults.Splits)
	}
	// Twice memory's worth of other pages: reclaim splits the two huge
	// pages left whole, and their pages go to swap.
	b := tp.amap(2*frames*pg, false)
	for i := uint64(0); i < 2*frames*pg; i += pg {
		w.store(p, b+i, i)
	}
	if p.Faults.Splits != 5 {
		t.Errorf("%d splits in all, want 5", p.Faults.Splits)
	}
	for i := uint64(0); i < 10*mib; i += pg {
		want := a + i
		switch i {
		case pg:
			continue // unmapped
		case 4*mib + 5*pg:
			want = 0 // dropped
		}
		if got := w.mustLoad(p, a+i+8); got != want {
			t.Fatalf("page %#x reads %#x, want %#x", a+i, got, want)
		}
	}
	if w.k.N.SwapOuts == 0 || len(w.k.huge) != 0 {
		t.Errorf("%d pages to swap, %d huge pages left; want swapping, every huge page split", w.k.N.SwapOuts, len(w.k.huge))
	}
	if err := w.k.CheckInvariants(); err != nil {
		t.Error(err)
	}
}
