package os

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
