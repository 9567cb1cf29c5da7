package memside

import (
	"github.com/vmemu/vmemu/cache"
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
	// level when it is unified).
	Fetch, Data *cache.Cache
	// Phys holds memory's bytes, for accesses that carry Data.
	Phys *dram.PhysMem
	Core uint16 // the core whose accesses these are
}

// Side is one core's memory side.
type Side struct {
	cfg Config
	// next is the state the next access takes; it stays for the one
	// after when the access finishes at once (most do), and is replaced
	// from free when the access must wait.
	next *inflight
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
	f := s.next
	if f == nil {
		f = s.get()
		s.next = f
	}
	f.a, f.va, f.left, f.start, f.trEnd = a, a.VA, max(a.Size, 1), now, now
	f.port = s.cfg.Data
	if a.Kind == sim.Fetch {
		f.port = s.cfg.Fetch
	}
	if s.Tracer != nil {
		a.Trace = s.Tracer.Start(a)
	}
	r := &f.req
	r.IP, r.Kind, r.Proc, r.Trace = a.IP, a.Kind, s.Proc, a.Trace
	t := &f.tr
	t.IP, t.Kind, t.Steps, t.Trace = a.IP, a.Kind, a.Steps, a.Trace
	a.Out = Outcome{}
	f.next()
	done, ok := f.run(now)
	if !ok {
		s.next = nil // f waits; finished returns it to free
		return 0, false
	}
	if a.Trace != nil {
		s.traced(f, done)
	}
	return done, true
}

func (s *Side) get() *inflight {
	if n := len(s.free); n > 0 {
		f := s.free[n-1]
		s.free = s.free[:n-1]
		return f
	}
	f := &inflight{s: s}
	f.tr.Done, f.tr.User = f, true
	f.req.Done, f.req.Core = f, s.cfg.Core
	return f
}

// finished hands an access that had to wait to the tracer, if it traces
// it, and recycles its state.
func (s *Side) finished(f *inflight, end sim.Cycle) {
	if f.a.Trace != nil {
		s.traced(f, end)
	}
	f.a = nil
	s.free = append(s.free, f)
}

// traced tells the tracer that an access it traces is done.
func (s *Side) traced(f *inflight, end sim.Cycle) {
	if s.Tracer != nil {
		s.Tracer.End(f.a, f.start, f.trEnd, end)
	}
}

// BranchLookahead is how many instructions ahead of fetch the front end
// is to tell Branch of the branches it predicts: the lookahead of the
// instruction side's prefetcher if it follows branches (fdip), else 0.
func (s *Side) BranchLookahead() int { return s.cfg.Fetch.BranchLookahead() }

// Branch tells the instruction side's prefetcher of a branch on the path
// the front end predicts, at cycle now.
func (s *Side) Branch(now sim.Cycle, ip uint64, taken bool, target uint64) {
	s.cfg.Fetch.Branch(now, ip, taken, target)
}
