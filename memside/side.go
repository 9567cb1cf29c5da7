package memside

import (
	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

// Config is what one core's memory side is made of.
type Config struct {
	// MMU translates; nil for a machine without translation, whose
	// addresses are physical.
	MMU       *mmu.MMU
	PageShift uint // log2 of the base page size: accesses split there
	// Fetch and Data are the first cache levels of the two sides (the same
	// port when the first level is unified).
	Fetch, Data sim.Port
	// Phys holds memory's bytes, for accesses that carry Data.
	Phys *dram.PhysMem
	Core uint16 // the core whose accesses these are
}

// Side is one core's memory side.
type Side struct {
	cfg  Config
	free []*inflight
	// Proc is the process the core runs (its PID), written into every
	// request; the machine sets it on a context switch.
	Proc uint32
	// Tracer, when set, picks the accesses to trace (the timeline).
	Tracer Tracer
}

// A Tracer picks the accesses whose every step is recorded, and sees each
// of them end: when it was presented, when its first page was translated,
// and when it ended, with the spans the levels recorded in its Trace.
type Tracer interface {
	Start(a *Access) *sim.Trace // nil: not this one
	End(a *Access, start, translated, end sim.Cycle)
}

// New returns the memory side cfg describes.
func New(cfg Config) *Side { return &Side{cfg: cfg} }

// Access presents a at cycle now (never before the engine's present). It
// returns the cycle the access is done and true, or false when it must wait;
// a.Done is then told, from an engine event. a.Out says what happened.
func (s *Side) Access(now sim.Cycle, a *Access) (sim.Cycle, bool) {
	f := s.get()
	f.a, f.va, f.left, f.start, f.trEnd = a, a.VA, max(a.Size, 1), now, now
	f.port = s.cfg.Data
	if a.Kind == sim.Fetch {
		f.port = s.cfg.Fetch
	}
	if s.Tracer != nil {
		a.Trace = s.Tracer.Start(a)
	}
	r := &f.req
	r.IP, r.Kind, r.Core, r.Proc, r.Trace = a.IP, a.Kind, s.cfg.Core, s.Proc, a.Trace
	a.Out = Outcome{}
	f.next()
	done, ok := f.run(now)
	if ok {
		s.finished(f, done)
	}
	return done, ok
}

func (s *Side) get() *inflight {
	if n := len(s.free); n > 0 {
		f := s.free[n-1]
		s.free = s.free[:n-1]
		return f
	}
	f := &inflight{s: s}
	f.tr.Done = f
	f.req.Done = f
	return f
}

// finished hands a finished access to the observer and recycles its state.
func (s *Side) finished(f *inflight, end sim.Cycle) {
	if s.Tracer != nil && f.a.Trace != nil {
		s.Tracer.End(f.a, f.start, f.trEnd, end)
	}
	f.a = nil
	s.free = append(s.free, f)
}
