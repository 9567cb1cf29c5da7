package os

import "testing"

// Shared anonymous memory: shared with children across fork, swapped out
// and read back under memory pressure, and freed when no area maps it.
func TestSharedAnonymous(t *testing.T) {
	const frames = 64
	w := newWorldWith(t, frames*pg, 4*frames, nil)
	p := w.proc()
	const pages = 16
	s := w.call(w.k.Mmap(w.now, p, 0, pages*pg, ProtRead|ProtWrite, MapShared|MapAnonymous, -1, 0))
	w.store(p, s, 1)
	c := w.k.Process(int(w.call(w.k.Fork(w.now, p))))
	for i := uint64(0); i < pages; i++ {
		w.store(c, s+i*pg+8, 0x700+i)
	}
	// The parent fills memory twice over, pushing the shared pages out.
	big := w.call(w.k.Mmap(w.now, p, 0, 2*frames*pg, ProtRead|ProtWrite, anonPriv, -1, 0))
	for i := uint64(0); i < 2*frames; i++ {
		w.store(p, big+i*pg, i)
	}
	for i := uint64(0); i < pages; i++ {
		if got := w.mustLoad(p, s+i*pg+8); got != 0x700+i {
			t.Fatalf("parent reads shared page %d as %#x, want the child's %#x", i, got, 0x700+i)
		}
	}
	if got := w.mustLoad(c, s); got != 1 {
		t.Errorf("child reads %#x, want the parent's 1", got)
	}
	if p.Faults.SwapIns == 0 {
		t.Error("no shared page came back from swap: the test wants memory pressure")
	}
	if err := w.k.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
	w.call(w.k.Munmap(w.now, p, s, pages*pg))
	if len(w.k.objects) != 1 {
		t.Errorf("%d shared objects after the parent's munmap, want the child's one", len(w.k.objects))
	}
	w.call(w.k.Exit(w.now, c, 0))
	if len(w.k.objects) != 0 || w.k.swap.Used() != len(w.k.swapRefs) {
		t.Errorf("after the last area went: %d objects; %d swap slots in use, %d named by entries",
			len(w.k.objects), w.k.swap.Used(), len(w.k.swapRefs))
	}
	if err := w.k.CheckInvariants(); err != nil {
		t.Error(err)
	}
}
