package mmu

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

// slowPort answers through the engine, as DRAM does.
type slowPort struct {
	e       *sim.Engine
	latency sim.Cycle
	reqs    []*sim.Request
	reads   int
}

func (p *slowPort) Access(now sim.Cycle, req *sim.Request) (sim.Cycle, bool) {
	if req.Done == nil {
		return now, true
	}
	p.reads++
	p.reqs = append(p.reqs, req)
	p.e.Schedule(now+p.latency, p, uint64(len(p.reqs)-1))
	return 0, false
}

func (p *slowPort) Handle(now sim.Cycle, i uint64) { p.reqs[i].Done.Complete(p.reqs[i], now) }

type doneAt map[*Query]sim.Cycle

func (d doneAt) WalkDone(q *Query, at sim.Cycle) { d[q] = at }

// Three walks at once with two walkers: two to one page merge; the third
// page waits for a walker only if both are busy.
func TestAsyncWalksOverlapAndMerge(t *testing.T) {
	tb := newTables(x86())
	for i := uint64(0); i < 4; i++ {
		tb.mapPage(0x10000+i<<30, 0x100+i, 1, Present|User) // different PDPTEs: no PWC help
	}
	e := &sim.Engine{}
	port := &slowPort{e: e, latency: 50}
	w, err := NewWalker(WalkerConfig{Geometry: tb.g, Walks: 2}, tb.mem, port, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := doneAt{}
	qs := []*Query{
		{VA: 0x10000, Kind: sim.Load, Root: tb.root(), Done: d},
		{VA: 0x10008, Kind: sim.Load, Root: tb.root(), Done: d}, // same page: merges
		{VA: 0x10000 + 1<<30, Kind: sim.Load, Root: tb.root(), Done: d},
		{VA: 0x10000 + 2<<30, Kind: sim.Load, Root: tb.root(), Done: d}, // waits for a walker
	}
	for _, q := range qs {
		if _, ok := w.Walk(0, q); ok {
			t.Fatal("a walk through a slow port finished at once")
		}
	}
	e.Run()
	got := []sim.Cycle{d[qs[0]], d[qs[1]], d[qs[2]], d[qs[3]]}
	want := []sim.Cycle{200, 200, 200, 400}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("completion cycles (-want +got):\n%s", diff)
	}
	for i, q := range qs {
		if want := uint64(0x100+[]uint64{0, 0, 1, 2}[i])<<12 | q.VA&0xfff; q.PA != want {
			t.Errorf("query %d: PA %#x, want %#x", i, q.PA, want)
		}
	}
	if port.reads != 12 || w.n.Merged != 1 || w.n.Waited != 1 {
		t.Errorf("reads %d merged %d waited %d; want 12, 1, 1", port.reads, w.n.Merged, w.n.Waited)
	}
}
