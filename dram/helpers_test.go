package dram

import (
	"testing"

	"github.com/vmemu/vmemu/sim"
)

// recorder is a requester that notes when each read's data came back.
type recorder struct{ at map[uint64]sim.Cycle }

func (r *recorder) Complete(req *sim.Request, at sim.Cycle) { r.at[req.ID] = at }

// harness drives a Controller through its sim.Port, as a cache would.
type harness struct {
	t   *testing.T
	eng *sim.Engine
	ctl *Controller
	rec *recorder
}

func newHarness(t *testing.T, cfg Config, coreHz uint64) *harness {
	t.Helper()
	eng := &sim.Engine{}
	ctl, err := New(eng, cfg, coreHz, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, eng: eng, ctl: ctl, rec: &recorder{at: map[uint64]sim.Cycle{}}}
}

// read presents a read of addr at core cycle at, tagged id.
func (h *harness) read(at sim.Cycle, addr, id uint64) {
	h.eng.RunUntil(at)
	req := &sim.Request{Addr: addr, Size: 64, Kind: sim.Load, Done: h.rec, ID: id}
	if _, ok := h.ctl.Access(at, req); ok {
		h.t.Fatalf("read %d answered at once", id)
	}
}

// write presents a posted write of addr at core cycle at.
func (h *harness) write(at sim.Cycle, addr uint64) {
	h.eng.RunUntil(at)
	req := &sim.Request{Addr: addr, Size: 64, Kind: sim.Store}
	if done, ok := h.ctl.Access(at, req); !ok || done != at {
		h.t.Fatalf("posted write at %d: got %d, %v", at, done, ok)
	}
}

// done runs the engine dry and returns when read id's data came back.
func (h *harness) done(id uint64) sim.Cycle {
	h.eng.Run()
	at, ok := h.rec.at[id]
	if !ok {
		h.t.Fatalf("read %d never completed", id)
	}
	return at
}

func preset(t testing.TB, name string) Config {
	t.Helper()
	c, err := Preset(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// addr is the address of a location under cfg's mapping.
func addr(t testing.TB, cfg Config, l Location) uint64 {
	t.Helper()
	m, err := ParseMapping(cfg.Policy.Mapping, cfg.Geometry)
	if err != nil {
		t.Fatal(err)
	}
	return m.Encode(l)
}

// randomReads is n uniformly random line reads over span bytes, the i-th
// at cycle i*gap (gap 0: as fast as the controller accepts).
func randomReads(seed uint64, n int, span, gap uint64) []Record {
	rng := sim.NewRNG(seed)
	recs := make([]Record, n)
	for i := range recs {
		recs[i] = Record{Addr: uint64(rng.IntN(int(span/64))) * 64, Cycle: uint64(i) * gap}
	}
	return recs
}
