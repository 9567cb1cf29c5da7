package memside

import (
	"github.com/vmemu/vmemu/cache"
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

// inflight is one access on its way: which page of it, and at which step.
type inflight struct {
	s         *Side
	a         *Access
	port      *cache.Cache
	va        uint64 // the part not done yet
	left      uint32
	piece     uint32 // bytes of the current page
	pa        uint64
	translate bool // the current piece still needs translating
	start     sim.Cycle
	trStart   sim.Cycle // when the current translation began
	trEnd     sim.Cycle // when the first page's translation ended
	tr        mmu.Translation
	req       sim.Request
}

// next sets up the next piece: the rest of the access within its page.
func (f *inflight) next() {
	f.piece = f.left
	if f.s.cfg.MMU == nil {
		f.pa = f.va
		if f.va == f.a.VA {
			f.a.Out.PA = f.va
		}
		return
	}
	page := uint64(1) << f.s.cfg.PageShift
	f.piece = uint32(min(uint64(f.left), page-f.va&(page-1)))
	f.translate = true
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
			if now = f.translated(at); f.a.Out.Faulted {
				return now, true
			}
		}
		if f.a.Data {
			f.carryData()
			if f.left == f.piece {
				f.a.Out.Moved, f.a.Out.MovedAt = true, now
			}
		}
		r := &f.req
		r.Addr, r.VA, r.Size, r.Issued = f.pa, f.va, f.piece, now
		at, ok := f.port.Access(now, r)
		if !ok {
			return 0, false
		}
		if now = f.cached(at); f.left == 0 {
			return now, true
		}
	}
}

// translateAt starts translating the current piece.
func (f *inflight) translateAt(now sim.Cycle) (sim.Cycle, bool) {
	t := &f.tr
	t.VA = f.va
	f.trStart = now
	return f.s.cfg.MMU.Translate(now, t)
}

// translated takes the translation ending at cycle at.
func (f *inflight) translated(at sim.Cycle) sim.Cycle {
	f.translate = false
	o := &f.a.Out
	o.FaultCycles += f.tr.FaultCycles
	o.Translation += at - f.trStart - f.tr.FaultCycles
	o.Walked = o.Walked || f.tr.Walked
	first := f.va == f.a.VA
	if first {
		f.trEnd = at
	}
	if f.tr.Faulted {
		o.Faulted, o.Cause, o.FaultVA = true, f.tr.Fault.Cause, f.tr.Fault.VA
		return at
	}
	f.pa = f.tr.PA
	if first {
		o.PA = f.pa
	}
	return at
}

// carryData moves the current piece's bytes, for an access that carries
// them. It happens as the piece is presented to the caches, so data moves
// in the order accesses are presented, as the caches' own state does;
// but a store's first page is written with its second, once both have
// translated. An instruction that faults has no effect (Intel SDM vol. 3A,
// 6.5: a fault is reported with the state before the instruction), so a
// store that faults on its second page leaves its first untouched.
func (f *inflight) carryData() {
	a := f.a
	before := f.va - a.VA // bytes of the pages before this one
	switch {
	case a.Kind != sim.Store:
		a.Out.Value |= f.s.cfg.Phys.Load(f.pa, f.piece) << (8 * before)
	case f.left > f.piece:
		// a first page: written with the last
	default:
		if before > 0 { // sizes are at most 8 bytes: one page before, at Out.PA
			f.s.cfg.Phys.Store(a.Out.PA, uint32(before), a.Value)
		}
		f.s.cfg.Phys.Store(f.pa, f.piece, a.Value>>(8*before))
	}
}

// cached takes the cache's answer for the current piece at cycle at.
func (f *inflight) cached(at sim.Cycle) sim.Cycle {
	o, r := &f.a.Out, &f.req
	if f.va == f.a.VA { // the first page: most accesses have only one
		o.Served, o.Missed, o.Merged, o.Evicted = r.Served, r.Missed, r.Merged, r.Evicted
	} else {
		f.merge(o)
	}
	f.va += uint64(f.piece)
	f.left -= f.piece
	if f.left > 0 {
		f.next()
	}
	return at
}

// merge adds a later page's answer to the outcome.
func (f *inflight) merge(o *Outcome) {
	r := &f.req
	o.Served = sim.Deeper(o.Served, r.Served)
	o.Missed, o.Merged = o.Missed || r.Missed, o.Merged || r.Merged
	if r.Evicted != 0 {
		o.Evicted = r.Evicted
	}
}

// TranslationDone continues an access whose walk had to wait.
func (f *inflight) TranslationDone(_ *mmu.Translation, at sim.Cycle) {
	now := f.translated(at)
	if f.a.Out.Faulted {
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
	f.s.finished(f, at)
	a.Done.AccessDone(a, at)
}
