package machine

import (
	"github.com/vmemu/vmemu/cache"
	"github.com/vmemu/vmemu/cpu"
	"github.com/vmemu/vmemu/mmu"
	kernel "github.com/vmemu/vmemu/os"
	"github.com/vmemu/vmemu/sim"
)

// memSide is the machine as the core sees it (cpu.Memory): each access is
// translated page by page, then presented to the first cache level of its
// side. Either step may have to wait (a walk or a miss through DRAM); the
// access then continues from the completion, and the core is told at the end.
type memSide struct {
	m     *Machine
	tl    *Timeline // nil unless a timeline is recorded
	free  []*inflight
	names []string
	procs []*kernel.Process // one per trace, for multi-trace runs
}

// inflight is one access on its way: which page of it, and at which step.
type inflight struct {
	s         *memSide
	a         *cpu.Access
	port      *cache.Cache
	va        uint64 // the part not done yet
	left      uint32
	piece     uint32 // bytes of the current page
	pa        uint64
	translate bool // the current piece still needs translating
	start     sim.Cycle
	trStart   sim.Cycle // when the current translation began
	trEnd     sim.Cycle // when the first page's translation ended
	firstPA   uint64
	walked    bool
	tr        mmu.Translation
	req       sim.Request
}

func newMemSide(m *Machine) *memSide {
	s := &memSide{m: m}
	for d := range m.Config.Levels() {
		s.names = append(s.names, m.Config.DepthName(d, false))
	}
	return s
}

// LevelNames names the cache levels by depth.
func (s *memSide) LevelNames() []string { return s.names }

// Switch makes the process of trace p current and returns what it cost.
func (s *memSide) Switch(now sim.Cycle, p int) sim.Cycle {
	if s.m.Kernel == nil || p >= len(s.procs) {
		return 0
	}
	return s.m.Kernel.Switch(now, s.procs[p]) - now
}

// Access translates and performs one access of the core.
func (s *memSide) Access(now sim.Cycle, a *cpu.Access) (sim.Cycle, bool) {
	f := s.get()
	f.a, f.va, f.left, f.start, f.trEnd, f.walked = a, a.VA, max(a.Size, 1), now, now, false
	f.port = s.m.Data
	if a.Kind == sim.Fetch {
		f.port = s.m.Fetch
	}
	a.Faulted, a.Depth, a.Translation, a.FaultCycles = false, 0, 0, 0
	f.next()
	done, ok := f.run(now)
	if ok {
		s.observe(f, done)
		s.put(f)
	}
	return done, ok
}

func (s *memSide) get() *inflight {
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

func (s *memSide) put(f *inflight) {
	f.a = nil
	s.free = append(s.free, f)
}

// next sets up the next piece: the rest of the access within its page.
func (f *inflight) next() {
	f.piece = f.left
	if f.s.m.MMU != nil {
		page := uint64(1) << f.s.m.Geometry.PageShift
		f.piece = uint32(min(uint64(f.left), page-f.va&(page-1)))
		f.translate = true
	} else {
		f.pa = f.va
		f.firstPA = f.va
	}
}

// run goes on from cycle now until the access is done (true) or a step
// must wait (false).
func (f *inflight) run(now sim.Cycle) (sim.Cycle, bool) {
	for {
		if f.translate {
			at, ok := f.translateAt(now)
			if !ok {
				return 0, false
			}
			now = f.translated(at)
			if f.a.Faulted {
				return now, true
			}
		}
		r := &f.req
		r.Addr, r.Size, r.Kind, r.Issued = f.pa, f.piece, f.a.Kind, now
		at, ok := f.port.Access(now, r)
		if !ok {
			return 0, false
		}
		if now = f.cached(at); f.left == 0 {
			return now, true
		}
	}
}

// translateAt translates the current piece, through the MMU's fast path
// when it can.
func (f *inflight) translateAt(now sim.Cycle) (sim.Cycle, bool) {
	u := f.s.m.MMU
	side := 0
	if f.a.Kind == sim.Fetch {
		side = 1
	}
	if pa, lat, ok := u.Fast(f.va, side, f.a.Kind == sim.Store); ok {
		f.tr.PA, f.tr.Faulted, f.tr.FaultCycles, f.tr.Walked = pa, false, 0, false
		return now + lat, true
	}
	f.tr.VA, f.tr.Kind, f.tr.User = f.va, f.a.Kind, true
	f.tr.Steps = nil
	f.trStart = now
	return u.Translate(now, &f.tr)
}

// translated takes the translation ending at cycle at.
func (f *inflight) translated(at sim.Cycle) sim.Cycle {
	f.translate = false
	a := f.a
	a.FaultCycles += f.tr.FaultCycles
	a.Translation += at - f.trStart - f.tr.FaultCycles
	f.walked = f.walked || f.tr.Walked
	if f.va == a.VA {
		f.trEnd, f.firstPA = at, f.tr.PA
	}
	if f.tr.Faulted {
		a.Faulted = true
		return at
	}
	f.pa = f.tr.PA
	return at
}

// cached takes the cache's answer for the current piece at cycle at.
func (f *inflight) cached(at sim.Cycle) sim.Cycle {
	f.a.Depth = max(f.a.Depth, int(f.req.Depth))
	f.va += uint64(f.piece)
	f.left -= f.piece
	if f.left > 0 {
		f.next()
	}
	return at
}

// TranslationDone continues an access whose walk had to wait.
func (f *inflight) TranslationDone(_ *mmu.Translation, at sim.Cycle) {
	now := f.translated(at)
	if f.a.Faulted {
		f.finish(now)
		return
	}
	if done, ok := f.run(now); ok {
		f.finish(done)
	}
}

// Complete continues an access whose cache access had to wait.
func (f *inflight) Complete(_ *sim.Request, at sim.Cycle) {
	now := f.cached(at)
	if f.left == 0 {
		f.finish(now)
		return
	}
	if done, ok := f.run(now); ok {
		f.finish(done)
	}
}

func (f *inflight) finish(at sim.Cycle) {
	a := f.a
	f.s.observe(f, at)
	f.s.put(f)
	a.Done.AccessDone(a, at)
}

// observe gives a finished access to the timeline, if one is recorded.
func (s *memSide) observe(f *inflight, end sim.Cycle) {
	if s.tl == nil {
		return
	}
	a := f.a
	side := 0
	if a.Kind == sim.Fetch {
		side = 1
	}
	s.tl.record(accessSpan{kind: a.Kind, va: a.VA, pa: f.firstPA, start: f.start, end: end, trEnd: f.trEnd,
		walked: f.walked, faultCycles: a.FaultCycles, depth: a.Depth, faulted: a.Faulted}, side)
}
