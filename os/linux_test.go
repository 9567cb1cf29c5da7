package os

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/mmu"
)

// The programs of testdata/refdata/linux (faults.c, thp.c), run through the
// kernel's own calls, give the fault counts Linux 6.18 gave them
// (faults.txt, thp.txt). Timings (ns_per_fault, us, fork_us) are the VM's
// and are left out; every count is compared.

const pg = 4096

// refLines reads the lines of a reference output from the line after
// header up to the next "## " line (or the end), keeping only the fields
// that count things: the program's name and its key=value counts.
func refLines(t *testing.T, file, header string, keep func(line string) bool) []string {
	t.Helper()
	f, err := os.Open("../testdata/refdata/linux/" + file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	in := header == ""
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			in = line == header
		case in && !strings.HasPrefix(line, "#") && keep(line):
			out = append(out, countsOnly(line))
		}
	}
	return out
}

// countsOnly drops a reference line's timings and comments.
func countsOnly(line string) string {
	var keep []string
	for _, f := range strings.Fields(line) {
		name, _, isKV := strings.Cut(f, "=")
		switch {
		case strings.HasPrefix(f, "("):
			return strings.Join(keep, " ")
		case isKV && (strings.HasPrefix(name, "ns_") || name == "us" || name == "fork_us"):
		default:
			keep = append(keep, f)
		}
	}
	return strings.Join(keep, " ")
}

// runtimeFaults are faults in a reference count that come from the C
// program's runtime, not from the memory it measures: each program's first
// measured loop (anon_write_first_touch: 259 for 256 pages, 4099 for 4096;
// thp.c's first write_first_touch: 16387 for 16384) holds the program's
// first clock_gettime call, whose first touches of the vDSO's pages are, by
// all signs, those three faults: the same loop later in thp.c, after
// clock_gettime has run, takes 32 with huge pages, not 35. A scenario has
// no C runtime, so the kernel's count is three less.
var runtimeFaults = map[string]int{"anon_write_first_touch": 3, "thp=0 write_first_touch": 3}

// lessRuntime takes the runtime's faults out of a reference line.
func lessRuntime(line string) string {
	f := strings.Fields(line)
	n := runtimeFaults[f[0]]
	if len(f) > 1 && n == 0 {
		n = runtimeFaults[f[0]+" "+f[1]]
	}
	if n == 0 {
		return line
	}
	for i, kv := range f {
		if v, ok := strings.CutPrefix(kv, "minflt="); ok {
			var got int
			fmt.Sscan(v, &got)
			f[i] = fmt.Sprintf("minflt=%d", got-n)
		}
	}
	return strings.Join(f, " ")
}

// faultsProgram is faults.c against a world, printing what it prints.
type faultsProgram struct {
	w   *world
	p   *Process
	n   uint64
	out []string
}

// faults counts what f costs p in minor and major faults.
func (fp *faultsProgram) faults(p *Process, f func()) (uint64, uint64) {
	min, maj := p.Faults.Minor, p.Faults.Major
	f()
	return p.Faults.Minor - min, p.Faults.Major - maj
}

func (fp *faultsProgram) printf(format string, a ...any) {
	fp.out = append(fp.out, fmt.Sprintf(format, a...))
}

// each calls f for every page of the n at base.
func (fp *faultsProgram) each(base uint64, f func(va, i uint64)) {
	for i := uint64(0); i < fp.n; i++ {
		f(base+i*pg, i)
	}
}

func (fp *faultsProgram) storeByte(p *Process, va uint64, b byte) {
	if pa, ok := fp.w.pa(p, va, true); ok {
		fp.w.k.mem.Store(pa, 1, uint64(b))
	} else {
		fp.w.t.Fatalf("store to %#x: SIGSEGV", va)
	}
}

func (fp *faultsProgram) loadByte(p *Process, va uint64) byte {
	pa, ok := fp.w.pa(p, va, false)
	if !ok {
		fp.w.t.Fatalf("load of %#x: SIGSEGV", va)
	}
	return byte(fp.w.k.mem.Load(pa, 1))
}

// unalignedHint is where the file mappings go: Linux's mmap placed faults.c's
// 1 MiB file mappings at addresses that are not 64 KiB-aligned (a mapping
// smaller than 2 MiB gets no THP alignment), so fault-around's windows over
// 256 pages are 17, not 16 (at 4096 pages the 16 MiB mapping was 2
// MiB-aligned: 256 windows exactly). Three pages into a window here.
func unalignedHint(i uint64) uint64 { return 0x500000000000 + i<<32 + hintOff }

var hintOff uint64 = 3 * pg

func (fp *faultsProgram) anonymous() uint64 {
	w, p, n := fp.w, fp.p, fp.n
	a := w.call(w.k.Mmap(w.now, p, 0, n*pg, ProtRead|ProtWrite, anonPriv, -1, 0))
	min, _ := fp.faults(p, func() { fp.each(a, func(va, i uint64) { fp.storeByte(p, va, byte(i)) }) })
	fp.printf("anon_write_first_touch pages=%d minflt=%d", n, min)
	b := w.call(w.k.Mmap(w.now, p, 0, n*pg, ProtRead|ProtWrite, anonPriv, -1, 0))
	read, _ := fp.faults(p, func() { fp.each(b, func(va, _ uint64) { fp.loadByte(p, va) }) })
	write, _ := fp.faults(p, func() { fp.each(b, func(va, _ uint64) { fp.storeByte(p, va, 1) }) })
	fp.printf("anon_read_then_write pages=%d read_minflt=%d write_minflt=%d", n, read, write)
	return a
}

func (fp *faultsProgram) fork(a uint64) {
	w, p, n := fp.w, fp.p, fp.n
	c := w.k.Process(int(w.call(w.k.Fork(w.now, p))))
	write, _ := fp.faults(c, func() { fp.each(a, func(va, _ uint64) { fp.storeByte(c, va, 7) }) })
	reread, _ := fp.faults(c, func() {
		fp.each(a, func(va, _ uint64) {
			if fp.loadByte(c, va) != 7 {
				w.t.Fatalf("child reads a[%#x] = %d, want 7", va, fp.loadByte(c, va))
			}
		})
	})
	fp.printf("fork_child_cow pages=%d write_minflt=%d reread_minflt=%d", n, write, reread)
	w.call(w.k.Exit(w.now, c, 0))
	w.call(w.k.Wait(w.now, p, c.PID))
	fp.printf("fork_parent resident_pages=%d", w.k.resident(p))
	min, _ := fp.faults(p, func() { fp.each(a, func(va, _ uint64) { fp.storeByte(p, va, 9) }) })
	fp.printf("parent_write_after_child_exit pages=%d minflt=%d", n, min)
	c = w.k.Process(int(w.call(w.k.Fork(w.now, p))))
	min, _ = fp.faults(p, func() { fp.each(a, func(va, _ uint64) { fp.storeByte(p, va, 10) }) })
	w.call(w.k.Exit(w.now, c, 0))
	w.call(w.k.Wait(w.now, p, c.PID))
	fp.printf("parent_write_child_alive pages=%d minflt=%d", n, min)
}

// files makes data.bin of n pages with write(), then maps it.
func (fp *faultsProgram) files() {
	w, p, n := fp.w, fp.p, fp.n
	fd := int(w.call(w.k.Open(w.now, p, "data.bin", OpenRDWR|OpenCreate|OpenTrunc)))
	page := w.call(w.k.Mmap(w.now, p, 0, pg, ProtRead|ProtWrite, anonPriv, -1, 0)) // malloc(PG)
	for i := uint64(0); i < n; i++ {
		for off := uint64(0); off < pg; off += 8 {
			w.store(p, page+off, 0x0101010101010101*(i&0xff))
		}
		w.call(w.k.Write(w.now, p, fd, page, pg))
	}
	w.call(w.k.Fsync(w.now, p, fd))
	dn := int(w.call(w.k.Open(w.now, p, "copy.out", OpenWrite|OpenCreate|OpenTrunc)))
	mmapcopy := func(note string) {
		m := w.call(w.k.Mmap(w.now, p, unalignedHint(0), n*pg, ProtRead, MapPrivate, fd, 0))
		min, maj := fp.faults(p, func() { w.call(w.k.Write(w.now, p, dn, m, n*pg)) })
		fp.printf("%s pages=%d minflt=%d majflt=%d", note, n, min, maj)
		w.call(w.k.Munmap(w.now, p, m, n*pg))
	}
	mmapcopy("mmapcopy_to_file")
	w.call(w.k.Fadvise(w.now, p, fd, 0, 0, FadvDontneed))
	mmapcopy("mmapcopy_to_file_cold")

	touch := func(prot int, read, write bool) (uint64, uint64) {
		m := w.call(w.k.Mmap(w.now, p, unalignedHint(0), n*pg, prot, MapPrivate, fd, 0))
		var r, wr uint64
		if read {
			r, _ = fp.faults(p, func() {
				fp.each(m, func(va, i uint64) {
					if got := fp.loadByte(p, va); got != byte(i) {
						w.t.Fatalf("page %d of the file reads %d, want %d", i, got, byte(i))
					}
				})
			})
		}
		if write {
			wr, _ = fp.faults(p, func() { fp.each(m, func(va, _ uint64) { fp.storeByte(p, va, 1) }) })
		}
		w.call(w.k.Munmap(w.now, p, m, n*pg))
		return r, wr
	}
	r, _ := touch(ProtRead, true, false)
	fp.printf("file_private_read_touch pages=%d minflt=%d", n, r)
	_, wr := touch(ProtRead|ProtWrite, false, true)
	fp.printf("file_private_write_touch pages=%d minflt=%d", n, wr)
	r, wr = touch(ProtRead|ProtWrite, true, true)
	fp.printf("file_private_read_then_write pages=%d read_minflt=%d write_minflt=%d", n, r, wr)

	s1 := w.call(w.k.Mmap(w.now, p, unalignedHint(1), n*pg, ProtRead|ProtWrite, MapShared, fd, 0))
	s2 := w.call(w.k.Mmap(w.now, p, unalignedHint(2), n*pg, ProtRead|ProtWrite, MapShared, fd, 0))
	wr, _ = fp.faults(p, func() { fp.each(s1, func(va, _ uint64) { fp.storeByte(p, va, 42) }) })
	seen := 0
	r, _ = fp.faults(p, func() {
		fp.each(s2, func(va, _ uint64) {
			if fp.loadByte(p, va) == 42 {
				seen++
			}
		})
	})
	differ := 0
	if s1 != s2 {
		differ = 1
	}
	fp.printf("file_shared_write_then_other_read pages=%d write_minflt=%d read_minflt=%d seen=%d addr_differ=%d", n, wr, r, seen, differ)
}

// resident counts the pages p has in memory (a huge page counts whole).
func (k *Kernel) resident(p *Process) uint64 {
	n := uint64(0)
	for _, v := range p.MM.VMAs {
		k.forEachLeaf(p, v.Start, v.End, func(_, _ uint64, e mmu.PTE, level int) {
			if e&mmu.Present != 0 {
				n += 1 << (k.hugeShift(level) - k.pageShift())
			}
		})
	}
	return n
}

// Linux's mmapcopy_to_file_cold (16 minor, 1 major at 256 pages; 247 and
// 9, 256 in all, at 4096) is what its readahead gives with a window of at
// least 4 MiB: the whole 1 MiB file in one request, one fault waiting for
// it. The VM's read_ahead_kb was not recorded; with the 128 KiB default,
// Linux's own code (fault-around skips a page marked PG_readahead, which
// must fault to start the next window) would take a fault more for every
// window's mark that falls inside a fault-around window: 25 faults at 256
// pages, 257 at 4096, not the 17 and 256 measured.
// TestColdCopyByReadahead shows the counts for each window.
func linuxVM(c *Config) {
	linux(c)
	c.Readahead = 4 << 20
}

func TestFaultsCLinux256(t *testing.T) {
	w := newWorldWith(t, 256<<20, 0, linuxVM)
	fp := &faultsProgram{w: w, p: w.proc(), n: 256}
	a := fp.anonymous()
	fp.fork(a)
	fp.files()
	var want []string
	for _, l := range refLines(t, "faults.txt", "## ./faults 256", func(string) bool { return true }) {
		want = append(want, lessRuntime(l))
	}
	if diff := cmp.Diff(want, fp.out); diff != "" {
		t.Errorf("faults.c at 256 pages (-Linux +kernel):\n%s", diff)
	}
	if err := w.k.CheckInvariants(); err != nil {
		t.Error(err)
	}
}

// A cold 1 MiB mmapcopy (faults.c) against the readahead window: one major
// fault a window (the next window, started by the previous one's mark, is
// still on its way from the NVMe disk when the copy reaches it, since the
// copy runs at kernel speed), and beside fault-around's 17 windows one
// fault more for each mark inside one (marks at 3/4 of the first window,
// then at each window's start, which the unaligned mapping puts inside a
// fault-around window).
func TestColdCopyByReadahead(t *testing.T) {
	for _, c := range []struct {
		window   uint64
		min, maj uint64
	}{
		{128 << 10, 17, 8}, // 8 windows; marks at pages 24, 32, 64, ... 224: 8 more faults
		{256 << 10, 17, 4}, // marks at 48, 64, 128, 192
		{512 << 10, 17, 2}, // marks at 96, 128
		{1 << 20, 17, 1},   // one window, mark at 192
		{4 << 20, 16, 1},   // one window; the mark is on the page that faulted
	} {
		w := newWorldWith(t, 256<<20, 0, func(cfg *Config) { linux(cfg); cfg.Readahead = c.window })
		fp := &faultsProgram{w: w, p: w.proc(), n: 256}
		fp.files()
		want := fmt.Sprintf("mmapcopy_to_file_cold pages=256 minflt=%d majflt=%d", c.min, c.maj)
		if fp.out[1] != want {
			t.Errorf("readahead %d KiB: %q, want %q", c.window>>10, fp.out[1], want)
		}
	}
}
