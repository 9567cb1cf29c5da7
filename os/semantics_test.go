package os

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const anonPriv = MapPrivate | MapAnonymous

// fork: the child writes N pages of its heap; N COW faults; each reads its
// own values; after the child exits, the parent's writes copy nothing.
func TestForkCopyOnWrite(t *testing.T) {
	w := newWorld(t, 64<<20, 0)
	parent := w.proc()
	const n = 8
	base := w.call(w.k.Mmap(w.now, parent, 0, n*4096, ProtRead|ProtWrite, anonPriv, -1, 0))
	for i := uint64(0); i < n; i++ {
		w.store(parent, base+i*4096, 100+i)
	}
	pid := w.call(w.k.Fork(w.now, parent))
	child := w.k.Process(int(pid))
	for i := uint64(0); i < n; i++ {
		w.store(child, base+i*4096, 200+i)
	}
	if child.N.COW != n {
		t.Errorf("child COW faults = %d, want %d", child.N.COW, n)
	}
	for i := uint64(0); i < n; i++ {
		if p, c := w.mustLoad(parent, base+i*4096), w.mustLoad(child, base+i*4096); p != 100+i || c != 200+i {
			t.Fatalf("page %d: parent reads %d, child %d; want %d and %d", i, p, c, 100+i, 200+i)
		}
	}
	w.call(w.k.Exit(w.now, child, 0))
	if got := w.call(w.k.Wait(w.now, parent, -1)); got != pid {
		t.Errorf("wait returned %d, want %d", got, pid)
	}
	before := parent.N.COW
	for i := uint64(0); i < n; i++ {
		w.store(parent, base+i*4096, 300+i)
	}
	if parent.N.COW != before || w.k.N.COWCopies != n {
		t.Errorf("after the child exited the parent took %d COW faults (copies in all %d); want none more, %d copies",
			parent.N.COW-before, w.k.N.COWCopies, n)
	}
}

func placeFile(t *testing.T, w *world, name string, pages int) []byte {
	t.Helper()
	data := make([]byte, pages*4096)
	for i := range data {
		data[i] = byte(i*7 + i/4096)
	}
	if _, err := w.k.PlaceFile(name, data); err != nil {
		t.Fatal(err)
	}
	return data
}

// Two processes map one file MAP_SHARED at different addresses: a store by
// one is seen by the other; both entries point at one frame; msync puts it
// in the file.
func TestSharedFileMapping(t *testing.T) {
	w := newWorld(t, 64<<20, 0)
	placeFile(t, w, "f", 2)
	a, b := w.proc(), w.proc()
	fda := w.call(w.k.Open(w.now, a, "f", OpenRDWR))
	fdb := w.call(w.k.Open(w.now, b, "f", OpenRDWR))
	va := w.call(w.k.Mmap(w.now, a, 0x10000000, 8192, ProtRead|ProtWrite, MapShared, int(fda), 0))
	vb := w.call(w.k.Mmap(w.now, b, 0x20000000, 8192, ProtRead|ProtWrite, MapShared, int(fdb), 0))
	if va == vb {
		t.Fatalf("both mapped at %#x; the test wants different addresses", va)
	}
	w.store(a, va+4096+16, 0x1111)
	if got := w.mustLoad(b, vb+4096+16); got != 0x1111 {
		t.Errorf("b reads %#x, want 0x1111", got)
	}
	ea, _ := w.k.leaf(a, va+4096)
	eb, _ := w.k.leaf(b, vb+4096)
	if w.k.frameOf(ea) != w.k.frameOf(eb) {
		t.Errorf("frames %#x and %#x, want one", w.k.frameOf(ea), w.k.frameOf(eb))
	}
	w.call(w.k.Msync(w.now, a, va, 8192))
	data, _ := w.k.FileContents("f")
	if !bytes.Equal(data[4096+16:4096+24], le64(0x1111)) {
		t.Errorf("file after msync has % x", data[4096+16:4096+24])
	}
}

// Two processes map one file MAP_PRIVATE: one writes; one COW fault per
// written page; the other still reads the file's bytes; the file is
// unchanged.
func TestPrivateFileMapping(t *testing.T) {
	w := newWorld(t, 64<<20, 0)
	orig := placeFile(t, w, "f", 3)
	a, b := w.proc(), w.proc()
	fda := w.call(w.k.Open(w.now, a, "f", OpenRead))
	fdb := w.call(w.k.Open(w.now, b, "f", OpenRead))
	va := w.call(w.k.Mmap(w.now, a, 0, 3*4096, ProtRead|ProtWrite, MapPrivate, int(fda), 0))
	vb := w.call(w.k.Mmap(w.now, b, 0, 3*4096, ProtRead, MapPrivate, int(fdb), 0))
	for i := uint64(0); i < 3; i++ {
		w.mustLoad(a, va+i*4096)
		w.mustLoad(b, vb+i*4096)
	}
	w.store(a, va, 0xdead)
	w.store(a, va+2*4096+8, 0xbeef)
	w.store(a, va+8, 0xfeed) // the same page again: no new fault
	if a.N.COW != 2 {
		t.Errorf("COW faults = %d, want 2", a.N.COW)
	}
	for i := uint64(0); i < 3; i++ {
		if got, want := w.mustLoad(b, vb+i*4096), le(orig[i*4096:]); got != want {
			t.Errorf("b page %d reads %#x, want the file's %#x", i, got, want)
		}
	}
	if w.mustLoad(a, va) != 0xdead {
		t.Error("a lost its write")
	}
	w.call(w.k.Msync(w.now, a, va, 3*4096))
	if data, _ := w.k.FileContents("f"); !bytes.Equal(data, orig) {
		t.Error("the file changed")
	}
	if !w.store(b, vb, 1) && w.segv != 1 {
		t.Errorf("a write to b's read-only mapping: %d SIGSEGVs, want 1", w.segv)
	}
}

func le(b []byte) uint64 {
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// A process touches twice as much memory as there is, with a distinct value
// in every page, and reads them all back.
func TestMemoryPressure(t *testing.T) {
	const frames = 64
	w := newWorld(t, frames*4096, 4*frames)
	p := w.proc()
	const pages = 2 * frames
	base := w.call(w.k.Mmap(w.now, p, 0, pages*4096, ProtRead|ProtWrite, anonPriv, -1, 0))
	for i := uint64(0); i < pages; i++ {
		if !w.store(p, base+i*4096+8*(i%512), 0xabc000+i) {
			t.Fatalf("store to page %d: SIGSEGV (%v)", i, w.k.Err())
		}
	}
	for i := uint64(0); i < pages; i++ {
		if got := w.mustLoad(p, base+i*4096+8*(i%512)); got != 0xabc000+i {
			t.Fatalf("page %d reads %#x, want %#x", i, got, 0xabc000+i)
		}
	}
	n := w.k.N
	if n.SwapOuts == 0 || n.SwapIns == 0 || n.MajorFaults < pages/2 {
		t.Errorf("swap outs %d, ins %d, major faults %d; want swapping", n.SwapOuts, n.SwapIns, n.MajorFaults)
	}
}

// Bad accesses deliver SIGSEGV with a reason; bad arguments give Linux's
// errno; the process goes on.
func TestSegvAndErrno(t *testing.T) {
	w := newWorld(t, 16<<20, 0)
	p := w.proc()
	ro := w.call(w.k.Mmap(w.now, p, 0, 4096, ProtRead, anonPriv, -1, 0))
	w.store(p, 0x123000, 1) // no area
	w.store(p, ro, 1)       // read-only area
	w.load(p, ro)           // fine
	w.call(w.k.Mprotect(w.now, p, ro, 4096, ProtNone))
	w.load(p, ro) // PROT_NONE
	want := []string{"no area mapped there", "write to a read-only area", "access to a PROT_NONE area"}
	if diff := cmp.Diff(want, p.SignalReasons); diff != "" {
		t.Errorf("signals (-want +got):\n%s", diff)
	}
	errs := []Errno{}
	for _, call := range []func() (uint64, Errno, uint64){
		func() (uint64, Errno, uint64) {
			r, e, d := w.k.Mmap(w.now, p, 0, 0, ProtRead, anonPriv, -1, 0)
			return r, e, uint64(d)
		},
		func() (uint64, Errno, uint64) {
			r, e, d := w.k.Mmap(w.now, p, 0, 4096, ProtRead, MapShared, 42, 0)
			return r, e, uint64(d)
		},
		func() (uint64, Errno, uint64) { r, e, d := w.k.Munmap(w.now, p, 0x1001, 4096); return r, e, uint64(d) },
		func() (uint64, Errno, uint64) {
			r, e, d := w.k.Open(w.now, p, "nofile", OpenRead)
			return r, e, uint64(d)
		},
		func() (uint64, Errno, uint64) { r, e, d := w.k.Read(w.now, p, 9, 0, 1); return r, e, uint64(d) },
		func() (uint64, Errno, uint64) { r, e, d := w.k.Wait(w.now, p, -1); return r, e, uint64(d) },
	} {
		_, e, _ := call()
		errs = append(errs, e)
	}
	if diff := cmp.Diff([]Errno{EINVAL, EBADF, EINVAL, ENOENT, EBADF, ECHILD}, errs); diff != "" {
		t.Errorf("errnos (-want +got):\n%s", diff)
	}
}

// MAP_POPULATE of an area larger than memory swaps the first pages out as
// the last come in, as Linux does, rather than running out of frames: each
// page is a fault of its own, whose frame is not held once it is mapped.
func TestPopulateLargerThanMemory(t *testing.T) {
	for _, c := range []struct {
		name string
		set  func(*Config)
	}{{"textbook", nil}, {"linux", linux}} {
		w := newWorldWith(t, 1<<20, 1024, c.set)
		p := w.proc()
		a := w.call(w.k.Mmap(w.now, p, 0, 2<<20, ProtRead|ProtWrite, anonPriv|MapPopulate, -1, 0))
		if w.k.N.SwapOuts == 0 {
			t.Errorf("%s: 2 MiB populated in 1 MiB and nothing swapped out", c.name)
		}
		if v := w.mustLoad(p, a); v != 0 || w.k.Err() != nil {
			t.Errorf("%s: first word %#x, kernel error %v", c.name, v, w.k.Err())
		}
	}
}
