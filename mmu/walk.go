package mmu

import "github.com/vmemu/vmemu/sim"

// walk is one walk in flight: where it is in the tree, and when.
type walk struct {
	w         *Walker
	q         *Query
	waiters   []*Query // queries to the same page that joined this walk
	idx       int      // its place in Walker.pool
	active    bool
	gen       uint64 // counts the queries this walk object has served
	suspended bool   // it waited once, so it ends through q.Done
	faults    int
	start     sim.Cycle
	t         sim.Cycle // when the next step happens
	level     int
	table     uint64 // physical address of the table at level
	perms     perms
	req       sim.Request
}

// maxFaults bounds how often one access may fault and be retried, so an OS
// that never mends a fault cannot hang the run.
const maxFaults = 4

// begin starts the walk at cycle t and runs steps for as long as the reads
// complete at once.
func (wk *walk) begin(t sim.Cycle) {
	wk.reset(t)
	wk.run()
}

// reset puts the walk at its start at cycle t: at the deepest page-walk-cache
// hit, or at the root.
func (wk *walk) reset(t sim.Cycle) {
	w, q := wk.w, wk.q
	wk.t = t
	if !w.geo.InRange(q.VA) {
		wk.fault(OutOfRange, 0, 0)
		return
	}
	wk.level, wk.table, wk.perms = w.geo.Levels, q.Root, allPerms()
	for l := 2; l <= w.geo.Levels; l++ {
		if c := w.pwc[l]; c != nil {
			if e, ok := c.lookup(q.PCID, q.VA>>w.geo.ShiftAt(l)); ok {
				wk.level, wk.table, wk.perms = l-1, e.next, e.perms
				break
			}
		}
	}
}

// run reads entries until the walk ends or a read must wait. The walk may be
// reused by a new query from inside a completion callback; gen tells.
func (wk *walk) run() {
	gen := wk.gen
	for wk.active && wk.gen == gen {
		wk.req.Addr = wk.entryAddr()
		wk.req.Size = uint32(wk.w.geo.EntryBytes)
		wk.req.Kind = sim.PTERead
		wk.req.IP, wk.req.Trace = wk.q.IP, wk.q.Trace
		done, ok := wk.w.port.Access(wk.t, &wk.req)
		if !ok {
			wk.suspended = true
			return
		}
		wk.t = done
		wk.read()
	}
}

// Complete is called when an entry read that had to wait arrives.
func (wk *walk) Complete(_ *sim.Request, at sim.Cycle) {
	wk.t = at
	wk.read()
	wk.run()
}

func (wk *walk) entryAddr() uint64 {
	return wk.table + wk.w.geo.Index(wk.q.VA, wk.level)*uint64(wk.w.geo.EntryBytes)
}

// read applies the entry just read (its value comes from memory now).
func (wk *walk) read() {
	w, q, g := wk.w, wk.q, &wk.w.geo
	addr := wk.entryAddr()
	e := w.mem.ReadPTE(addr)
	if q.Prefetch {
		w.n.PrefetchReads++
	} else {
		w.n.Reads++
		w.n.ReadsAt[min(int(wk.req.Served.Depth), len(w.n.ReadsAt)-1)]++
	}
	if q.Steps != nil {
		*q.Steps = append(*q.Steps, Step{wk.level, g.Index(q.VA, wk.level), addr, e, wk.req.Served})
	}
	if e&Present == 0 {
		wk.fault(NotPresent, wk.level, addr)
		return
	}
	leaf := wk.level == 1 || e&PageSize != 0
	if leaf && wk.level > 1 && !g.Large(wk.level) {
		wk.fault(ReservedBit, wk.level, addr) // PS where this level has no pages
		return
	}
	if e.ReservedBits(g.PABits, g.PageShift, g.ShiftAt(wk.level), leaf && wk.level > 1) != 0 {
		wk.fault(ReservedBit, wk.level, addr)
		return
	}
	wk.perms = wk.perms.and(e)
	if !leaf {
		wk.setBits(addr, e, Accessed)
		next := e.Frame(g.PABits, g.PageShift) << g.PageShift
		if c := w.pwc[wk.level]; c != nil {
			c.insert(q.PCID, q.VA>>g.ShiftAt(wk.level), next, wk.perms)
		}
		wk.level, wk.table = wk.level-1, next
		return
	}
	if c := wk.check(); c != nil {
		wk.fault(*c, wk.level, addr)
		return
	}
	bits := Accessed
	if q.Kind == sim.Store {
		bits |= Dirty
	}
	e = wk.setBits(addr, e, bits)
	shift := g.ShiftAt(wk.level)
	base := (e.Frame(g.PABits, g.PageShift) << g.PageShift) &^ (1<<shift - 1)
	q.PA, q.Leaf, q.Shift = base|q.VA&(1<<shift-1), e, shift
	q.Write, q.UserOK, q.Exec = wk.perms.write, wk.perms.user, wk.perms.exec
	w.finished(wk, wk.t)
}

// check applies the rights of the whole path to the access (supervisor
// writes honour R/W too, as with CR0.WP = 1).
func (wk *walk) check() *Cause {
	q := wk.q
	var c Cause
	switch {
	case q.Kind == sim.Store && !wk.perms.write:
		c = WriteProtect
	case q.User && !wk.perms.user:
		c = UserSupervisor
	case q.Kind == sim.Fetch && !wk.perms.exec:
		c = ExecuteNX
	default:
		return nil
	}
	return &c
}

// setBits sets Accessed or Dirty in memory if they are not set yet; the
// write is posted through the cache hierarchy.
func (wk *walk) setBits(addr uint64, e, bits PTE) PTE {
	if e&bits == bits {
		return e
	}
	e |= bits
	w := wk.w
	w.mem.WritePTE(addr, e)
	w.n.ADWrites++
	w.post = sim.Request{Addr: addr, Size: uint32(w.geo.EntryBytes), Kind: sim.PTEWrite, IP: wk.q.IP}
	w.port.Access(wk.t, &w.post)
	return e
}

// fault hands a fault to the OS; the walk restarts when the OS says so, or
// ends with the access abandoned.
func (wk *walk) fault(c Cause, level int, addr uint64) {
	w, q := wk.w, wk.q
	f := Fault{VA: q.VA, IP: q.IP, Kind: q.Kind, User: q.User, PCID: q.PCID, Cause: c, Level: level, EntryAddr: addr}
	q.Fault = f
	resume, retry := wk.t, false
	if !q.Prefetch {
		w.n.FaultsBy[c]++
	}
	if w.os != nil && wk.faults < maxFaults && !q.Prefetch {
		resume, retry = w.os.PageFault(wk.t, f)
		q.FaultCycles += max(resume, wk.t) - wk.t
	}
	if !retry {
		q.Faulted = true
		wk.t = max(resume, wk.t) // the access ends when the kernel is done
		w.finished(wk, wk.t)
		return
	}
	wk.faults++
	q.Faults = wk.faults
	wk.reset(max(resume, wk.t))
}
