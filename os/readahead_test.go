package os

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// diskReads is what the disk read since the last call: requests and pages.
type diskReads struct{ Requests, Pages uint64 }

func (w *world) diskReads(last *diskReads) diskReads {
	n := w.k.fs.Device().Counters()
	d := diskReads{n.Reads - last.Requests, n.BytesRead/pg - last.Pages}
	*last = diskReads{n.Reads, n.BytesRead / pg}
	return d
}

// read() of a file page by page, with a 128 KiB window: Linux's sequential
// readahead starts with 16 KiB (four times the request), then each window's
// mark starts the next, twice as large up to 128 KiB, one disk request each
// (page_cache_sync_ra, page_cache_async_ra, get_init_ra_size,
// get_next_ra_size).
func TestSequentialReadahead(t *testing.T) {
	w := newWorldWith(t, 64<<20, 0, func(c *Config) { c.Readahead = 128 << 10 })
	placeFile(t, w, "f", 128)
	p := w.proc()
	fd := int(w.call(w.k.Open(w.now, p, "f", OpenRead)))
	buf := w.call(w.k.Mmap(w.now, p, 0, pg, ProtRead|ProtWrite, anonPriv|MapPopulate, -1, 0))
	var last diskReads
	w.diskReads(&last)
	got := map[uint64]diskReads{}
	for i := uint64(0); i < 128; i++ {
		w.call(w.k.Read(w.now, p, fd, buf, pg))
		if d := w.diskReads(&last); d != (diskReads{}) {
			got[i] = d
		}
	}
	want := map[uint64]diskReads{0: {1, 4}, 1: {1, 8}, 4: {1, 16}, 12: {1, 32}, 28: {1, 32}, 60: {1, 32}, 92: {1, 4}} // the last cut at the end of the file
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("disk reads by the read() of each page (-want +got):\n%s", diff)
	}
	if p.Faults.Readahead != 127 {
		t.Errorf("pages read ahead %d, want 127 (all but the first one asked for)", p.Faults.Readahead)
	}
}

// Faults on a file mapping read around the faulting page (128 KiB, a quarter
// of it asynchronous), MADV_SEQUENTIAL reads ahead as read() does, and
// MADV_RANDOM reads the page alone.
func TestFaultReadahead(t *testing.T) {
	for _, c := range []struct {
		name   string
		advice int
		fault  uint64
		want   diskReads
		lo, hi uint64 // the pages now cached
	}{
		{"read-around", MadvNormal, 40, diskReads{1, 32}, 24, 56},
		{"read-around at the start", MadvNormal, 3, diskReads{1, 32}, 0, 32},
		{"sequential", MadvSequential, 40, diskReads{1, 32}, 40, 72},
		{"random", MadvRandom, 40, diskReads{1, 1}, 40, 41},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorldWith(t, 64<<20, 0, func(cfg *Config) { cfg.Readahead = 128 << 10 })
			placeFile(t, w, "f", 128)
			p := w.proc()
			fd := int(w.call(w.k.Open(w.now, p, "f", OpenRead)))
			m := w.call(w.k.Mmap(w.now, p, 0, 128*pg, ProtRead, MapPrivate, fd, 0))
			w.call(w.k.Madvise(w.now, p, m, 128*pg, c.advice))
			var last diskReads
			w.diskReads(&last)
			w.touch(p, m+c.fault*pg, false)
			if got := w.diskReads(&last); got != c.want {
				t.Errorf("disk reads %+v, want %+v", got, c.want)
			}
			f := w.k.files["f"]
			var cached []uint64
			for _, i := range sortedKeys(f.pages) {
				cached = append(cached, i)
			}
			if diff := cmp.Diff(span(c.lo, c.hi), cached); diff != "" {
				t.Errorf("cached pages (-want +got):\n%s", diff)
			}
			if p.Faults.Major != 1 {
				t.Errorf("faults %+v, want one major", p.Faults)
			}
		})
	}
}

// Whether a fault is major depends on whether its page has arrived from
// the disk, in emulated time: two MADV_WILLNEED requests queue on the disk;
// between their ends, a fault on the first's pages is minor and maps its
// arrived neighbours only, and a fault on the second's waits for it (major).
func TestReadaheadArrival(t *testing.T) {
	w := newWorldWith(t, 64<<20, 0, func(c *Config) { linux(c); c.Readahead = 32 << 10 })
	placeFile(t, w, "f", 64)
	p := w.proc()
	fd := int(w.call(w.k.Open(w.now, p, "f", OpenRead)))
	m := w.call(w.k.Mmap(w.now, p, 0, 64*pg, ProtRead, MapPrivate, fd, 0))
	w.call(w.k.Madvise(w.now, p, m, 8*pg, MadvWillneed))
	w.call(w.k.Madvise(w.now, p, m+8*pg, 8*pg, MadvWillneed))
	f := w.k.files["f"]
	first, second := w.k.frames.infos[f.pages[0]].arrive, w.k.frames.infos[f.pages[8]].arrive
	if !(w.now < first && first < second) {
		t.Fatalf("calls end at %d, first request at %d, second at %d: want the calls not to wait, the requests queued", w.now, first, second)
	}
	w.now = first
	w.touch(p, m, false)
	got, _ := mapped(w.k, p, m, 16)
	if !equal(got, span(0, 8)) || p.Faults.Major != 0 || w.now >= second {
		t.Errorf("fault at the first request's end: mapped %v, %d major, ended at %d; want pages 0-7, minor, before %d",
			got, p.Faults.Major, w.now, second)
	}
	w.touch(p, m+9*pg, false)
	if p.Faults.Major != 1 || w.now < second {
		t.Errorf("fault on a page in flight: %d major, ended at %d; want major, not before %d", p.Faults.Major, w.now, second)
	}
}
