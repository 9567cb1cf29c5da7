package os

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// madvise's errors are Linux's: an unaligned address or an unknown advice
// is EINVAL; a range with no area at all, or with holes, ENOMEM (the mapped
// parts advised all the same); a MAP_HUGETLB area cut inside a page EINVAL.
func TestMadviseErrors(t *testing.T) {
	w := newWorldWith(t, 64<<20, 0, func(c *Config) { linux(c); c.HugeTLB2M = 2 })
	p := w.proc()
	a := w.call(w.k.Mmap(w.now, p, 0x100000000, 8*pg, ProtRead|ProtWrite, anonPriv, -1, 0))
	b := w.call(w.k.Mmap(w.now, p, a+10*pg, 4*pg, ProtRead|ProtWrite, anonPriv, -1, 0))
	h := w.call(w.k.Mmap(w.now, p, 0, 2*mib, ProtRead|ProtWrite, anonPriv|MapHugeTLB, -1, 0))
	for _, c := range []struct {
		name        string
		addr, n     uint64
		advice      int
		want        Errno
		wantAdvised bool // a's first page ends up advised MADV_SEQUENTIAL
	}{
		{"fine", a, 8 * pg, MadvSequential, OK, true},
		{"unaligned", a + 8, pg, MadvSequential, EINVAL, false},
		{"unknown advice", a, pg, 99, EINVAL, false},
		{"MADV_FREE is not modelled", a, pg, 8, EINVAL, false},
		{"nothing mapped", 0x200000000, pg, MadvSequential, ENOMEM, false},
		{"a hole between areas", a, b + 4*pg - a, MadvSequential, ENOMEM, true},
		{"length 0", a + 8*pg, 0, MadvDontneed, OK, false},
		{"huge area cut inside a page", h + pg, pg, MadvRandom, EINVAL, false},
		{"huge DONTNEED from inside a page", h + pg, 2 * mib, MadvDontneed, EINVAL, false},
		{"huge DONTNEED of a whole page", h, 2 * mib, MadvDontneed, OK, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			w.call(w.k.Madvise(w.now, p, a, 8*pg, MadvNormal))
			if _, got, _ := w.k.Madvise(w.now, p, c.addr, c.n, c.advice); got != c.want {
				t.Errorf("madvise: %v, want %v", got, c.want)
			}
			if got := p.MM.Find(a).Advice&AdviseSequential != 0; got != c.wantAdvised {
				t.Errorf("first area advised sequential: %v, want %v", got, c.wantAdvised)
			}
		})
	}
}

// MADV_DONTNEED drops pages: private anonymous memory reads zeros again, a
// private file page the file again, a shared page keeps what was written.
func TestMadviseDontneed(t *testing.T) {
	w := newWorldWith(t, 64<<20, 0, linux)
	orig := placeFile(t, w, "f", 4)
	p := w.proc()
	fd := int(w.call(w.k.Open(w.now, p, "f", OpenRDWR)))
	areas := map[string]uint64{
		"anon":    w.call(w.k.Mmap(w.now, p, 0, 4*pg, ProtRead|ProtWrite, anonPriv, -1, 0)),
		"shmem":   w.call(w.k.Mmap(w.now, p, 0, 4*pg, ProtRead|ProtWrite, MapShared|MapAnonymous, -1, 0)),
		"private": w.call(w.k.Mmap(w.now, p, 0, 4*pg, ProtRead|ProtWrite, MapPrivate, fd, 0)),
		"shared":  w.call(w.k.Mmap(w.now, p, 0, 4*pg, ProtRead|ProtWrite, MapShared, fd, 0)),
	}
	// The shared area writes its file's page 2, the private one page 1,
	// which it then drops: it reads the file's page 1 again.
	page := map[string]uint64{"anon": 1, "shmem": 1, "private": 1, "shared": 2}
	for name, va := range areas {
		w.store(p, va+page[name]*pg+16, 0xfeed)
		w.call(w.k.Madvise(w.now, p, va+page[name]*pg, pg, MadvDontneed))
	}
	got := map[string]uint64{}
	for name, va := range areas {
		got[name] = w.mustLoad(p, va+page[name]*pg+16)
	}
	want := map[string]uint64{"anon": 0, "shmem": 0xfeed, "private": le(orig[pg+16:]), "shared": 0xfeed}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("words after MADV_DONTNEED (-want +got):\n%s", diff)
	}
	if err := w.k.CheckInvariants(); err != nil {
		t.Error(err)
	}
}

// MADV_WILLNEED of anonymous memory in swap reads it back into the swap
// cache without waiting; the fault that wants it later is minor.
func TestMadviseWillneedSwap(t *testing.T) {
	const frames = 64
	w := newWorldWith(t, frames*pg, 4*frames, nil)
	p := w.proc()
	const pages = 2 * frames
	base := w.call(w.k.Mmap(w.now, p, 0, pages*pg, ProtRead|ProtWrite, anonPriv, -1, 0))
	for i := uint64(0); i < pages; i++ {
		w.store(p, base+i*pg, 0x500+i)
	}
	w.call(w.k.Munmap(w.now, p, base+8*pg, (pages-8)*pg)) // room for the pages to come back
	w.call(w.k.Madvise(w.now, p, base, 8*pg, MadvWillneed))
	w.now += 1 << 30 // long after the disk is done
	before := p.Faults
	for i := uint64(0); i < 8; i++ {
		if got := w.mustLoad(p, base+i*pg); got != 0x500+i {
			t.Fatalf("page %d reads %#x, want %#x", i, got, 0x500+i)
		}
	}
	if p.Faults.Major != before.Major || p.Faults.Readahead == 0 {
		t.Errorf("faults %+v (before %+v): want the pages read ahead and no major fault", p.Faults, before)
	}
}
