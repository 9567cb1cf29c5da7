package os

import (
	"reflect"
	"testing"

	"github.com/vmemu/vmemu/sim"
)

// Counts names every count of Faults once, each a different field, and add
// adds every one.
func TestFaultsCountsNamesEveryField(t *testing.T) {
	var f, g Faults
	names, fields := map[string]bool{}, map[*uint64]bool{}
	for i, c := range g.Counts() {
		names[c.Name], fields[c.N] = true, true
		*c.N = uint64(i + 1)
	}
	if n := reflect.TypeOf(f).NumField(); len(names) != n || len(fields) != n {
		t.Errorf("%d names and %d fields for the %d counts of Faults", len(names), len(fields), n)
	}
	f.add(g)
	f.add(g)
	for i, c := range f.Counts() {
		if *c.N != 2*uint64(i+1) {
			t.Errorf("%s after adding %d twice: %d", c.Name, i+1, *c.N)
		}
	}
}

// Faults are counted as getrusage counts them, beside the kernel's own
// counts, which keep their meaning: a fault that read the disk is major in
// both; a copy-on-write is a COW fault there and a minor fault here; a
// write that finds its page alone is minor in both. So with the textbook
// kernel and with Linux's behaviours.
func TestFaultAccounting(t *testing.T) {
	for _, set := range []func(*Config){nil, linux} {
		faultAccounting(t, set)
	}
}

func faultAccounting(t *testing.T, set func(*Config)) {
	const frames = 64
	w := newWorldWith(t, frames*pg, 4*frames, set)
	placeFile(t, w, "f", 2)
	p := w.proc()
	fd := int(w.call(w.k.Open(w.now, p, "f", OpenRead)))
	m := w.call(w.k.Mmap(w.now, p, 0, 2*pg, ProtRead|ProtWrite, MapPrivate, fd, 0))
	w.mustLoad(p, m) // read from the disk: major
	w.mustLoad(p, m+pg)
	w.store(p, m, 1) // copy-on-write
	w.store(p, m+pg, 2)
	a := w.call(w.k.Mmap(w.now, p, 0, 2*frames*pg, ProtRead|ProtWrite, anonPriv, -1, 0))
	for i := uint64(0); i < 2*frames; i++ {
		w.store(p, a+i*pg, i) // memory fills: pages go to swap
	}
	w.mustLoad(p, a) // back from swap: major
	z := w.call(w.k.Mmap(w.now, p, 0, pg, ProtRead|ProtWrite, anonPriv, -1, 0))
	w.mustLoad(p, z) // the zero page (Linux) or a zeroed page of its own
	w.store(p, z, 3) // a fresh page (Linux: a COW of the zero page)
	n := w.k.N
	if p.Faults.Major != n.MajorFaults || p.Faults.Minor != n.MinorFaults+n.COWFaults {
		t.Errorf("getrusage counts %d major, %d minor; the kernel's %d major, %d minor + %d COW",
			p.Faults.Major, p.Faults.Minor, n.MajorFaults, n.MinorFaults, n.COWFaults)
	}
	if p.Faults.COW < 2 || p.Faults.SwapIns != n.SwapIns || p.Faults != w.k.N.Faults {
		t.Errorf("process %+v, kernel %+v; want 2 copies or more, %d swap-ins, and the totals equal", p.Faults, w.k.N.Faults, n.SwapIns)
	}
}

// RegisterFaults puts every getrusage count in the registry, live.
func TestRegisterFaults(t *testing.T) {
	w := newWorld(t, 16<<20, 0)
	var s sim.Stats
	w.k.RegisterFaults(&s)
	p := w.proc()
	a := w.call(w.k.Mmap(w.now, p, 0, pg, ProtRead|ProtWrite, anonPriv, -1, 0))
	w.store(p, a, 1)
	if got, ok := s.Get("os.faults.minor"); got != 1 || !ok || len(s.Under("os.faults")) != 12 {
		t.Errorf("os.faults.minor = %d (%v) after one fault, %d counts registered; want 1, 12", got, ok, len(s.Under("os.faults")))
	}
}
