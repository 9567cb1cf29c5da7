package os

import (
	"testing"

	"github.com/vmemu/vmemu/mmu"
)

// mapped lists the pages of [base, base+n pages) p has present entries
// for, and whether any is writable.
func mapped(k *Kernel, p *Process, base, n uint64) (pages []uint64, writable bool) {
	for i := uint64(0); i < n; i++ {
		if e, _ := k.leaf(p, base+i*pg); e&mmu.Present != 0 {
			pages = append(pages, i)
			writable = writable || e&mmu.Writable != 0
		}
	}
	return pages, writable
}

func span(lo, hi uint64) []uint64 {
	var out []uint64
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}

// Fault-around maps, beside the faulting page, the cached pages of its
// aligned 64 KiB window: within the area and the file, read-only in a
// private area, writable in a shared one; a write fault maps one page.
func TestFaultAround(t *testing.T) {
	const filePages = 40
	for _, c := range []struct {
		name       string
		skew       uint64 // pages past a 64 KiB boundary the area starts
		pages      uint64 // area length
		flags      int
		fault      uint64 // page of the area faulted
		write      bool
		uncached   uint64 // a file page dropped from the cache first (0: none)
		want       []uint64
		wantWrites bool
	}{
		{"aligned", 0, 32, MapPrivate, 5, false, 0, span(0, 16), false},
		{"area starts inside the window", 3, 32, MapPrivate, 0, false, 0, span(0, 13), false},
		{"file ends inside the window", 0, 48, MapPrivate, 33, false, 0, span(32, filePages), false},
		{"area ends inside the window", 0, 20, MapPrivate, 17, false, 0, span(16, 20), false},
		{"a page not cached", 0, 32, MapPrivate, 0, false, 9, append(span(0, 9), span(10, 16)...), false},
		{"shared: writable", 0, 32, MapShared, 5, false, 0, span(0, 16), true},
		{"write fault", 0, 32, MapPrivate, 5, true, 0, []uint64{5}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorldWith(t, 16<<20, 0, func(cfg *Config) { cfg.FaultAround = 64 << 10 })
			placeFile(t, w, "f", filePages)
			p := w.proc()
			fd := int(w.call(w.k.Open(w.now, p, "f", OpenRDWR)))
			buf := w.call(w.k.Mmap(w.now, p, 0, filePages*pg, ProtRead|ProtWrite, anonPriv, -1, 0))
			w.call(w.k.Read(w.now, p, fd, buf, filePages*pg)) // every page into the cache
			if c.uncached != 0 {
				w.call(w.k.Fadvise(w.now, p, fd, c.uncached*pg, pg, FadvDontneed))
			}
			base := w.call(w.k.Mmap(w.now, p, 0x400000000000+c.skew*pg, c.pages*pg, ProtRead|ProtWrite, c.flags, fd, 0))
			before := p.Faults
			w.touch(p, base+c.fault*pg, c.write)
			got, writable := mapped(w.k, p, base, c.pages)
			if !equal(got, c.want) || writable != c.wantWrites {
				t.Errorf("mapped pages %v (writable %v), want %v (%v)", got, writable, c.want, c.wantWrites)
			}
			around, minor := p.Faults.FaultAround-before.FaultAround, p.Faults.Minor-before.Minor
			if n := uint64(len(c.want)) - 1; around != n || minor != 1 {
				t.Errorf("%d minor faults, %d pages mapped around; want one, and %d", minor, around, n)
			}
			if err := w.k.CheckInvariants(); err != nil {
				t.Error(err)
			}
		})
	}
}

func equal(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
