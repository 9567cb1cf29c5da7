package os

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A file of 1.5 pages mapped over 4 pages (Linux's mmap(2), "SIGBUS"): the
// last page holding file data reads the file, then zeros past its end; an
// access to a page wholly past the end is SIGBUS, private or shared, read
// or write, and so is it through fault-around's window; MAP_POPULATE stops
// at the end, and a read() into such a page is EFAULT, not a signal.
func TestSigbusPastEndOfFile(t *testing.T) {
	for _, tc := range []struct {
		name   string
		flags  int
		linux  bool // with fault-around and readahead
		writes bool
	}{
		{"private read", MapPrivate, false, false},
		{"private write", MapPrivate, false, true},
		{"shared write", MapShared, false, true},
		{"private read, Linux", MapPrivate | MapPopulate, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, 16<<20, 0)
			if tc.linux {
				w.k.cfg.FaultAround, w.k.cfg.Readahead = 16*4096, 32*4096
			}
			p := w.proc()
			data := make([]byte, 6144)
			for i := range data {
				data[i] = byte(i*7 + 1)
			}
			if _, err := w.k.PlaceFile("f", data); err != nil {
				t.Fatal(err)
			}
			fd := w.call(w.k.Open(w.now, p, "f", OpenRDWR))
			va := w.call(w.k.Mmap(w.now, p, 0, 4*4096, ProtRead|ProtWrite, tc.flags, int(fd), 0))
			if got := w.mustLoad(p, va+4096); got != le(data[4096:]) {
				t.Errorf("the last page with data: %#x, want the file's %#x", got, le(data[4096:]))
			}
			if got := w.mustLoad(p, va+6144); got != 0 {
				t.Errorf("past the end in the last page: %#x, want 0", got)
			}
			var ok [2]bool
			for i, off := range []uint64{2 * 4096, 3*4096 + 8} {
				if tc.writes {
					ok[i] = w.store(p, va+off, 1)
				} else {
					_, ok[i] = w.load(p, va+off)
				}
			}
			if ok != [2]bool{} || p.N.Sigbus != 2 || p.N.Segv != 0 || w.k.N.Sigbus != 2 {
				t.Errorf("pages past the end: allowed %v; %d SIGBUS, %d SIGSEGV; want both refused with SIGBUS", ok, p.N.Sigbus, p.N.Segv)
			}
			if diff := cmp.Diff([]string{SIGBUS, SIGBUS}, p.SignalNames); diff != "" {
				t.Errorf("signals (-want +got):\n%s", diff)
			}
			if _, errno, _ := w.k.Read(w.now, p, int(fd), va+2*4096, 8); errno != EFAULT || p.N.Sigbus != 2 {
				t.Errorf("read() into a page past the end: %v, %d SIGBUS; want EFAULT and no signal", errno, p.N.Sigbus)
			}
		})
	}
}
