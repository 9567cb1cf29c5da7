package tlb

import "testing"

func (t *TLB) lookupPFN(va uint64, pcid uint16) (uint64, bool) {
	set, way := t.find(va, pcid)
	if way < 0 {
		t.n.Misses++
		return 0, false
	}
	t.n.Hits++
	t.touch(set, way)
	return t.ents[set*t.ways+way].PFN, true
}

func (t *TLB) lookupPtr(va uint64, pcid uint16) *Entry {
	set, way := t.find(va, pcid)
	if way < 0 {
		t.n.Misses++
		return nil
	}
	t.n.Hits++
	t.touch(set, way)
	return &t.ents[set*t.ways+way]
}

func BenchmarkExpFind(b *testing.B) {
	tl := mustNew(b, Config{Name: "dtlb", Entries: 64, Ways: 4, PageShifts: []uint{12}})
	for i := range 64 {
		tl.Insert(Entry{VPN: uint64(i), PFN: uint64(i), PageShift: 12})
	}
	for i := 0; b.Loop(); i++ {
		tl.find(uint64(i*8)&(64<<12-1), 0)
	}
}
func BenchmarkExpPFN(b *testing.B) {
	tl := mustNew(b, Config{Name: "dtlb", Entries: 64, Ways: 4, PageShifts: []uint{12}})
	for i := range 64 {
		tl.Insert(Entry{VPN: uint64(i), PFN: uint64(i), PageShift: 12})
	}
	for i := 0; b.Loop(); i++ {
		tl.lookupPFN(uint64(i*8)&(64<<12-1), 0)
	}
}
func BenchmarkExpPtr(b *testing.B) {
	tl := mustNew(b, Config{Name: "dtlb", Entries: 64, Ways: 4, PageShifts: []uint{12}})
	for i := range 64 {
		tl.Insert(Entry{VPN: uint64(i), PFN: uint64(i), PageShift: 12})
	}
	for i := 0; b.Loop(); i++ {
		tl.lookupPtr(uint64(i*8)&(64<<12-1), 0)
	}
}
