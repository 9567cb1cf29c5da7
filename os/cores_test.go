package os

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/tlb"
)

// multi is a machine of four cores over a world's kernel, each with an MMU
// of its own whose walker takes its faults to the kernel on that core.
type multi struct {
	t *testing.T
	w *world
	k *Kernel
	u []*mmu.MMU
}

// shootdownCosts are the costs the tests of shootdowns use: each differs,
// so that a sum shows which went into it.
func shootdownCosts(c *Config) {
	c.Costs.IPISend, c.Costs.IPILatency, c.Costs.IRQEntry, c.Costs.IRQExit = 100, 1000, 300, 200
	c.Costs.Invlpg, c.Costs.Flush, c.Costs.Switch, c.Costs.Clone = 40, 500, 7, 3
}

func newMulti(t *testing.T, memory, swapPages uint64, pcid bool) *multi {
	t.Helper()
	w := newWorldWith(t, memory, swapPages, func(c *Config) { shootdownCosts(c); c.PCID = pcid })
	return &multi{t: t, w: w, k: w.k, u: coreMMUs(t, w.k, 4, mmu.PrefetchConfig{})}
}

// coreMMUs gives k n cores, each with a dTLB and an STLB of 4 KiB and
// 2 MiB pages, page-walk caches and the TLB prefetching pf, its walker's
// faults going to the kernel on that core.
func coreMMUs(t *testing.T, k *Kernel, n int, pf mmu.PrefetchConfig) []*mmu.MMU {
	t.Helper()
	g := mmu.Geometries["x86-64"]
	tc := func(name string, entries, ways int) tlb.Config {
		return tlb.Config{Name: name, Entries: entries, Ways: ways, PageShifts: []uint{12, 21}}
	}
	var us []*mmu.MMU
	for i := range n {
		wk, err := mmu.NewWalker(mmu.WalkerConfig{Geometry: g, Walks: 1, PWCEntries: []int{0, 0, 8, 4, 2}},
			k, pteLatency{}, k.FaultHandler(i))
		if err != nil {
			t.Fatal(err)
		}
		u, err := mmu.New(mmu.Config{DTLB: tc("dtlb", 64, 4), STLB: tc("stlb", 512, 8), Walker: mmu.WalkerConfig{Geometry: g},
			Prefetch: pf}, wk)
		if err != nil {
			t.Fatal(err)
		}
		us = append(us, u)
	}
	if err := k.SetCores(us); err != nil {
		t.Fatal(err)
	}
	return us
}

// access makes a load (store false) or a store of v at va by the thread
// core i runs, through its MMU; ok is false after a SIGSEGV.
func (m *multi) access(i int, va uint64, store bool, v uint64) (uint64, bool) {
	m.t.Helper()
	kind := sim.Load
	if store {
		kind = sim.Store
	}
	tr := mmu.Translation{VA: va, Kind: kind, User: true}
	done, ok := m.u[i].Translate(m.w.now, &tr)
	if !ok {
		m.t.Fatalf("core %d: translation of %#x waited", i, va)
	}
	m.w.now = done
	if tr.Faulted {
		return 0, false
	}
	if store {
		m.k.mem.SetUint64(tr.PA, v)
	}
	return m.k.mem.Uint64(tr.PA), true
}

func (m *multi) store(i int, va, v uint64) {
	m.t.Helper()
	if _, ok := m.access(i, va, true, v); !ok {
		m.t.Fatalf("core %d: store to %#x: SIGSEGV", i, va)
	}
}

func (m *multi) load(i int, va uint64) uint64 {
	m.t.Helper()
	v, ok := m.access(i, va, false, 0)
	if !ok {
		m.t.Fatalf("core %d: load of %#x: SIGSEGV", i, va)
	}
	return v
}

// run switches core i to thread th.
func (m *multi) run(i int, th *Thread) { m.w.now = m.k.SwitchTo(i, m.w.now, th) }

// on makes core i the one the next calls run on.
func (m *multi) on(i int) *Kernel {
	m.k.RunOn(i)
	return m.k
}

func (m *multi) ipis() []uint64 {
	out := make([]uint64, m.k.Cores())
	for i := range out {
		out[i] = m.k.CoreCounts(i).IPIs
	}
	return out
}

func (m *multi) check() {
	m.t.Helper()
	if err := m.k.CheckInvariants(); err != nil {
		m.t.Fatal(err)
	}
}

// scene is the set-up of most shootdown tests: process p with thread t0
// on core 0 and t1 on core 1, each with an area of 16 pages mapped; q, of
// another process, on core 2; r, a third process, on no core; core 3
// idle.
type scene struct {
	*multi
	p, q, r *Process
	t0, t1  *Thread
	a       uint64 // p's area
}

func newScene(t *testing.T, memory, swapPages uint64, pcid bool) *scene {
	m := newMulti(t, memory, swapPages, pcid)
	s := &scene{multi: m, p: m.w.proc(), q: m.w.proc(), r: m.w.proc()}
	s.t0 = s.p.Main()
	s.t1 = m.k.Thread(int(m.w.call(m.k.Clone(m.w.now, s.p))))
	s.run(0, s.t0)
	s.run(1, s.t1)
	s.run(2, s.q.Main())
	s.a = m.w.call(m.on(0).Mmap(m.w.now, s.p, 0, 16*pg, ProtRead|ProtWrite, anonPriv, -1, 0))
	m.w.call(m.k.Mmap(m.w.now, s.q, s.a, 16*pg, ProtRead|ProtWrite, anonPriv|MapFixed, -1, 0))
	s.store(2, s.a, 99) // q's own page at the same address, in core 2's TLB
	return s
}

// touch has core i store page n's number into pages from..to-1 of p's area.
func (s *scene) touch(i, from, to int) {
	for n := from; n < to; n++ {
		s.store(i, s.a+uint64(n)*pg, uint64(n))
	}
}

// segv says whether a load of page n of p's area by core i takes SIGSEGV.
func (s *scene) segv(i, n int) bool {
	_, ok := s.access(i, s.a+uint64(n)*pg, false, 0)
	return !ok
}

// Shootdowns across cores: each case runs on the scene, with PCIDs and
// without, or with one of them where they differ; then the IPIs each core
// received, the cores skipped and the flushes they made later are
// compared, and the kernel's books (every TLB entry of every core against
// the page tables) are checked. q's core 2 is never interrupted: nothing
// touches its address space. It is long because its table is: one case a
// kind of path that shoots down, each a few lines of steps.
func TestShootdowns(t *testing.T) {
	both := []bool{true, false}
	for _, c := range []struct {
		name  string
		pcids []bool
		run   func(s *scene)
		ipis  []uint64
		skips uint64 // cores skipped under the lazy-TLB rule
		lazy  uint64 // flushes of cores switching back to what a skip left
	}{
		{"munmap by a sibling thread", both, unmaps(0, 1, [2]int{0, 8}), []uint64{0, 1, 0, 0}, 0, 0},
		{"two munmaps, two interrupts", both, unmaps(0, 1, [2]int{0, 4}, [2]int{4, 8}), []uint64{0, 2, 0, 0}, 0, 0},
		{"munmap on core 1 interrupts core 0", both, unmaps(1, 0, [2]int{0, 2}), []uint64{1, 0, 0, 0}, 0, 0},
		{"mprotect", both, func(s *scene) {
			s.touch(1, 0, 4)
			s.w.call(s.on(0).Mprotect(s.w.now, s.p, s.a, 4*pg, ProtRead))
			if _, ok := s.access(1, s.a+2*pg, true, 5); ok {
				s.t.Error("core 1 stored through a page made read-only on core 0")
			}
			if got := s.load(1, s.a+2*pg); got != 2 {
				s.t.Errorf("core 1 reads %d, want 2", got)
			}
		}, []uint64{0, 1, 0, 0}, 0, 0},
		{"madvise DONTNEED", both, func(s *scene) {
			s.touch(1, 0, 4)
			s.w.call(s.on(0).Madvise(s.w.now, s.p, s.a, 4*pg, MadvDontneed))
			if got := s.load(1, s.a+pg); got != 0 {
				s.t.Errorf("core 1 reads %d from a page DONTNEED dropped, want 0", got)
			}
		}, []uint64{0, 1, 0, 0}, 0, 0},
		{"a core running another process is skipped, then flushes", []bool{true}, func(s *scene) {
			s.touch(1, 0, 4)
			s.run(1, s.r.Main())
			s.w.call(s.on(0).Munmap(s.w.now, s.p, s.a, 4*pg))
			s.check() // core 1 still holds the pages, and may: it flushes on its switch back
			before := s.w.now
			s.run(1, s.t1)
			if got := s.w.now - before; got != 7+500 {
				s.t.Errorf("switch back: %d cycles, want the switch and a flush (507)", got)
			}
			if !s.segv(1, 2) {
				s.t.Error("core 1 reached a page unmapped while it ran another process")
			}
		}, []uint64{0, 0, 0, 0}, 1, 1},
		{"without PCIDs the switch away flushed: nothing to skip", []bool{false}, func(s *scene) {
			s.touch(1, 0, 4)
			s.run(1, s.r.Main())
			s.w.call(s.on(0).Munmap(s.w.now, s.p, s.a, 4*pg))
			s.run(1, s.t1)
			if !s.segv(1, 2) {
				s.t.Error("core 1 reached a page unmapped while it ran another process")
			}
		}, []uint64{0, 0, 0, 0}, 0, 0},
		{"COW after fork, the parent's threads on two cores", both, func(s *scene) {
			s.store(0, s.a, 7)
			if s.load(1, s.a) != 7 {
				s.t.Fatal("core 1 does not see core 0's store")
			}
			child := s.w.k.Process(int(s.w.call(s.on(0).Fork(s.w.now, s.p)))) // write-protects: IPI 1
			s.run(3, child.Main())
			if s.load(3, s.a) != 7 {
				s.t.Error("the child does not see the page as it was")
			}
			s.store(0, s.a, 9) // the parent's COW break: IPI 2
			if got := s.load(1, s.a); got != 9 {
				s.t.Errorf("core 1 reads %d through the old frame, want 9", got)
			}
			if got := s.load(3, s.a); got != 7 {
				s.t.Errorf("the child reads %d, want its 7", got)
			}
		}, []uint64{0, 2, 0, 0}, 0, 0},
		{"exit_group flushes the other thread's core", both, func(s *scene) {
			s.touch(1, 0, 4)
			s.w.call(s.on(0).Exit(s.w.now, s.p, 0))
			if !s.t1.Exited || s.k.SD.RemoteFlushes != 1 {
				s.t.Errorf("t1 exited %v, remote flushes %d; want true, 1", s.t1.Exited, s.k.SD.RemoteFlushes)
			}
			s.run(0, s.r.Main())
			s.run(1, s.k.Thread(int(s.w.call(s.k.Clone(s.w.now, s.q))))) // a thread of q
		}, []uint64{0, 1, 0, 0}, 0, 0},
		{"a thread exits, its sibling joins it", []bool{true}, func(s *scene) {
			s.touch(1, 0, 2)
			s.w.call(s.on(1).ExitThread(s.w.now, s.t1, 3))
			s.run(1, s.r.Main())
			if got := s.w.call(s.on(0).Join(s.w.now, s.p, s.t1.TID)); got != uint64(s.t1.TID) {
				s.t.Errorf("join: %d, want %d", got, s.t1.TID)
			}
			if _, errno, _ := s.k.Join(s.w.now, s.p, s.t1.TID); errno != ESRCH {
				s.t.Errorf("second join: %v, want ESRCH", errno)
			}
			if s.p.Exited {
				s.t.Error("the process ended with a thread still alive")
			}
			s.w.call(s.on(0).Munmap(s.w.now, s.p, s.a, 2*pg)) // core 1 left p: no IPI
		}, []uint64{0, 0, 0, 0}, 1, 0},
	} {
		for _, pcid := range c.pcids {
			t.Run(fmt.Sprintf("%s/pcid=%v", c.name, pcid), func(t *testing.T) {
				s := newScene(t, 64*mib, 0, pcid)
				c.run(s)
				if d := cmp.Diff(c.ipis, s.ipis()); d != "" {
					t.Errorf("IPIs per core (-want +got):\n%s", d)
				}
				if s.k.SD.LazySkips != c.skips || s.k.SD.LazyFlushes != c.lazy {
					t.Errorf("lazy skips %d, lazy flushes %d; want %d, %d", s.k.SD.LazySkips, s.k.SD.LazyFlushes, c.skips, c.lazy)
				}
				if s.k.SD.IPIs != sum(c.ipis) {
					t.Errorf("%d IPIs in all, want %d", s.k.SD.IPIs, sum(c.ipis))
				}
				if got := s.load(2, s.a); got != 99 {
					t.Errorf("q reads %d on core 2, want its 99", got)
				}
				s.check()
			})
		}
	}
}

// unmaps is a case of TestShootdowns: core user stores to the pages of
// p's area the ranges cover, core by unmaps each range, and core user
// then faults on every page.
func unmaps(by, user int, ranges ...[2]int) func(s *scene) {
	return func(s *scene) {
		for _, r := range ranges {
			s.touch(user, r[0], r[1])
		}
		for _, r := range ranges {
			s.w.call(s.on(by).Munmap(s.w.now, s.p, s.a+uint64(r[0])*pg, uint64(r[1]-r[0])*pg))
		}
		for _, r := range ranges {
			for n := r[0]; n < r[1]; n++ {
				if !s.segv(user, n) {
					s.t.Errorf("core %d reached page %d, unmapped on core %d", user, n, by)
				}
			}
		}
	}
}

func sum(xs []uint64) uint64 {
	n := uint64(0)
	for _, x := range xs {
		n += x
	}
	return n
}

// One munmap's cycles: the initiator sends one IPI, invalidates its own 8
// pages, then waits for the acknowledgment (delivery, the target's entry
// and its 8 INVLPGs, the way back); the target's interrupt, queued for it,
// costs entry, flush and exit from the IPI's arrival.
func TestShootdownCycles(t *testing.T) {
	s := newScene(t, 64*mib, 0, true)
	s.touch(0, 0, 8)
	s.touch(1, 0, 8)
	start := s.w.now
	_, _, done := s.on(0).Munmap(start, s.p, s.a, 8*pg)
	t0 := start + 50 // the system call's entry
	if want := t0 + 100 + 1000 + 300 + 8*40 + 1000; done != want {
		t.Errorf("munmap returns at %d, want %d", done, want)
	}
	want := []Interrupt{{At: t0 + 100 + 1000, Cycles: 300 + 8*40 + 200, From: 0}}
	if d := cmp.Diff(want, s.k.PendingInterrupts(1)); d != "" {
		t.Errorf("core 1's interrupts (-want +got):\n%s", d)
	}
	got := []uint64{s.k.SD.InitiatorCycles, s.k.SD.TargetCycles, s.k.SD.RemoteInvlpgs, s.k.N.Invlpgs}
	if d := cmp.Diff([]uint64{100 + 1000 + 300 + 8*40 + 1000 - 8*40, 300 + 8*40 + 200, 8, 8}, got); d != "" {
		t.Errorf("initiator cycles, target cycles, remote and local INVLPGs (-want +got):\n%s", d)
	}
	if resume := s.k.TakeInterrupts(1, t0+5000); resume != t0+5000 || len(s.k.PendingInterrupts(1)) != 0 {
		t.Errorf("core 1 at %d takes its interrupt, resumes at %d, left %v", t0+5000, resume, s.k.PendingInterrupts(1))
	}
}

// More pages than the limit: every core flushes its address space rather
// than invalidating page by page.
func TestShootdownOverLimitFlushes(t *testing.T) {
	s := newScene(t, 64*mib, 0, true)
	s.k.cfg.ShootdownLimit = 4
	s.touch(1, 0, 8)
	s.w.call(s.on(0).Munmap(s.w.now, s.p, s.a, 8*pg))
	if s.k.SD.RemoteFlushes != 1 || s.k.SD.RemoteInvlpgs != 0 {
		t.Errorf("remote flushes %d, INVLPGs %d; want 1, 0", s.k.SD.RemoteFlushes, s.k.SD.RemoteInvlpgs)
	}
	if q := s.k.PendingInterrupts(1); len(q) != 1 || q[0].Cycles != 300+500+200 {
		t.Errorf("core 1's interrupts: %v, want one of entry, flush and exit (1000 cycles)", q)
	}
	s.check()
}

// Reclaim on core 0 takes pages that core 1 (p's other thread) and core 2
// (q) map: each fault path that evicted pages interrupts each core running
// an address space it took pages from, once; the cores read their words
// back from swap.
func TestReclaimShootdowns(t *testing.T) {
	for _, pcid := range []bool{true, false} {
		s := newScene(t, 2*mib, 1024, pcid)
		s.touch(1, 0, 16)
		b := s.w.call(s.on(0).Mmap(s.w.now, s.p, 0, 1024*pg, ProtRead|ProtWrite, anonPriv, -1, 0))
		for n := uint64(0); n < 1024; n++ {
			ev, before := s.k.N.Evictions, s.ipis()
			s.store(0, b+n*pg, n)
			after := s.ipis()
			d1, d2 := after[1]-before[1], after[2]-before[2]
			if d1 > 1 || d2 > 1 || (s.k.N.Evictions > ev) != (d1+d2 > 0) || after[0]+after[3] != 0 {
				t.Fatalf("PCID %v: store %d evicted %d pages and sent IPIs %v (before %v); want one to each of cores 1 and 2 at most, some if it evicted",
					pcid, n, s.k.N.Evictions-ev, after, before)
			}
			if n%64 == 0 {
				s.check()
			}
		}
		if got := s.ipis(); got[1] == 0 || got[2] == 0 || s.k.N.SwapOuts == 0 {
			t.Fatalf("PCID %v: IPIs %v, %d pages swapped out; want some to cores 1 and 2, and swapping", pcid, got, s.k.N.SwapOuts)
		}
		for n := range 16 {
			if got := s.load(1, s.a+uint64(n)*pg); got != uint64(n) {
				t.Errorf("PCID %v: core 1 reads %d from page %d, want %d", pcid, got, n, n)
			}
		}
		if got := s.load(2, s.a); got != 99 {
			t.Errorf("PCID %v: q reads %d on core 2, want its 99", pcid, got)
		}
		s.check()
	}
}

// Each thread's faults are its own; its process's are all of them
// (getrusage's RUSAGE_SELF).
func TestThreadFaultsRollUp(t *testing.T) {
	s := newScene(t, 64*mib, 0, true)
	s.touch(0, 0, 3)
	s.touch(1, 3, 8)
	got := []uint64{s.t0.Faults.Minor, s.t1.Faults.Minor, s.p.Faults.Minor}
	if d := cmp.Diff([]uint64{3, 5, 8}, got); d != "" {
		t.Errorf("minor faults of t0, t1, p (-want +got):\n%s", d)
	}
	s.check()
}

// Cloning charges the system call and Costs.Clone; a thread's id comes
// from the process ids' space, and its process's exit ends it.
func TestClone(t *testing.T) {
	s := newScene(t, 64*mib, 0, true)
	start := s.w.now
	tid, errno, done := s.on(0).Clone(start, s.p)
	if errno != OK || done != start+50+3 || int(tid) <= s.r.PID {
		t.Errorf("clone: tid %d %v at %d; want a new id above %d, OK, at %d", tid, errno, done, s.r.PID, start+53)
	}
	th := s.k.Thread(int(tid))
	if th == nil || th.Proc != s.p || th.Core() != -1 || len(s.p.Live()) != 3 {
		t.Fatalf("thread %+v; want one of p on no core, p with 3 live threads", th)
	}
	s.w.call(s.k.Exit(s.w.now, s.p, 1))
	if !th.Exited || th.Status != 1 {
		t.Errorf("after exit_group: exited %v status %d", th.Exited, th.Status)
	}
	if _, errno, _ := s.k.Clone(s.w.now, s.p); errno != ESRCH {
		t.Errorf("clone of an exited process: %v, want ESRCH", errno)
	}
}

// TakeInterrupts: a core takes the interrupts that reached it, one after
// another, overlapping them with the time it was waiting; one sent while
// an interrupt taken before ran starts after it (before: that one's
// arrival and cycles, taken at 0).
func TestTakeInterrupts(t *testing.T) {
	for _, c := range []struct {
		name   string
		before *Interrupt
		irqs   []Interrupt
		now    sim.Cycle
		resume sim.Cycle
		left   int
	}{
		{"sent while the one taken before ran", &Interrupt{At: 0, Cycles: 150}, []Interrupt{{At: 120, Cycles: 50}}, 150, 200, 0},
		{"sent after the one taken before", &Interrupt{At: 0, Cycles: 150}, []Interrupt{{At: 160, Cycles: 50}}, 200, 210, 0},
		{"none", nil, nil, 100, 100, 0},
		{"not yet arrived", nil, []Interrupt{{At: 200, Cycles: 50}}, 100, 100, 1},
		{"arrived while the core waited, over", nil, []Interrupt{{At: 10, Cycles: 50}}, 100, 100, 0},
		{"arrived while the core waited, still running", nil, []Interrupt{{At: 80, Cycles: 50}}, 100, 130, 0},
		{"one after another", nil, []Interrupt{{At: 80, Cycles: 50}, {At: 90, Cycles: 50}}, 100, 180, 0},
		{"one arriving during another", nil, []Interrupt{{At: 100, Cycles: 50}, {At: 120, Cycles: 50}}, 100, 200, 0},
		{"one arriving after the others end", nil, []Interrupt{{At: 100, Cycles: 50}, {At: 151, Cycles: 50}}, 100, 150, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, 16*mib, 0)
			if err := w.k.SetCores(make([]*mmu.MMU, 2)); err != nil {
				t.Fatal(err)
			}
			if c.before != nil {
				w.k.interrupt(1, *c.before)
				w.k.TakeInterrupts(1, 0)
			}
			for _, q := range c.irqs {
				w.k.interrupt(1, q)
			}
			if got := w.k.TakeInterrupts(1, c.now); got != c.resume || len(w.k.PendingInterrupts(1)) != c.left {
				t.Errorf("resume %d with %d left, want %d with %d", got, len(w.k.PendingInterrupts(1)), c.resume, c.left)
			}
		})
	}
}

// SetCores refuses what it cannot make: no cores, more than sim.MaxCores,
// fewer cores than the ones running threads.
func TestSetCores(t *testing.T) {
	s := newScene(t, 64*mib, 0, true)
	for _, n := range []int{0, sim.MaxCores + 1, 2} {
		if err := s.k.SetCores(make([]*mmu.MMU, n)); err == nil {
			t.Errorf("SetCores(%d) with cores 0-2 running threads: no error", n)
		}
	}
	if err := s.k.SetCores(s.u[:3]); err != nil {
		t.Errorf("SetCores(3) with cores 0-2 running: %v", err)
	}
}

// CheckInvariants finds what a missed shootdown would leave: an entry
// translating as the tables no longer do, a core left out of a mask while
// it holds entries, a thread's faults that do not add up.
func TestCheckInvariantsCatchesStaleEntries(t *testing.T) {
	for _, c := range []struct {
		name  string
		spoil func(s *scene)
		want  string
	}{
		{"write right taken away behind the TLB's back", func(s *scene) {
			e, addr := s.k.leaf(s.p, s.a)
			s.k.WritePTE(addr, e&^mmu.Writable)
		}, "writable, the tables read-only"},
		{"core that ran p dropped from its mask", func(s *scene) {
			s.run(1, s.r.Main())
			s.p.cpus &^= bit(1)
		}, "whose mask leaves the core out"},
		{"core both in the mask and stale", func(s *scene) { s.p.stale |= bit(1) }, "both hold its entries and must flush"},
		{"a fault counted for the process only", func(s *scene) { s.p.Faults.Minor++ }, "do not add up"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newScene(t, 64*mib, 0, true)
			s.touch(1, 0, 1)
			s.check()
			c.spoil(s)
			if err := s.k.CheckInvariants(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("CheckInvariants: %v; want an error saying %q", err, c.want)
			}
		})
	}
}

// RegisterShootdowns covers every shootdown counter, over all cores and
// per core, each with a doc.
func TestShootdownCountersRegistered(t *testing.T) {
	s := newScene(t, 64*mib, 0, true)
	var st sim.Stats
	s.k.RegisterShootdowns(&st)
	if missed := st.Unregistered(&s.k.SD); len(missed) > 0 {
		t.Errorf("counters not registered: %v", missed)
	}
	for i := range s.k.Cores() {
		if missed := st.Unregistered(&s.k.cores[i].n); len(missed) > 0 {
			t.Errorf("core %d: counters not registered: %v", i, missed)
		}
	}
	s.touch(1, 0, 1)
	s.w.call(s.on(0).Munmap(s.w.now, s.p, s.a, pg))
	snap := st.Snapshot()
	if snap.Value("os.shootdown.ipis") != 1 || snap.Value("os.shootdown.core1.ipis") != 1 || snap.Value("os.shootdown.core2.ipis") != 0 {
		t.Errorf("registry: %d IPIs, core 1 %d, core 2 %d; want 1, 1, 0", snap.Value("os.shootdown.ipis"),
			snap.Value("os.shootdown.core1.ipis"), snap.Value("os.shootdown.core2.ipis"))
	}
	for _, i := range st.Infos() {
		if i.Doc == "" {
			t.Errorf("%s has no doc", i.Name)
		}
	}
}

// A remote shootdown in the steady state allocates nothing: core 1 loads 4
// pages of p's area, a path on core 0 invalidates them (one by one, or
// over a limit of 2 by a flush) and core 1 takes the IPI, again and again.
func TestShootdownSteadyStateAllocs(t *testing.T) {
	for _, c := range []struct {
		name           string
		limit          int
		invlpgs, flush uint64 // remote work of one round
	}{
		{"INVLPG each page", 32, 4, 0},
		{"over the limit, a flush", 2, 0, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newScene(t, 64*mib, 0, true)
			s.k.cfg.ShootdownLimit = c.limit
			var tr mmu.Translation // s.load's own would escape: one allocation a load
			round := func() {
				for n := range 4 {
					tr = mmu.Translation{VA: s.a + uint64(n)*pg, Kind: sim.Load, User: true}
					done, ok := s.u[1].Translate(s.w.now, &tr)
					if !ok || tr.Faulted {
						t.Fatalf("core 1's load of page %d: waited or faulted", n)
					}
					s.w.now = done
				}
				k := s.on(0)
				k.enter(s.w.now, 0)
				for n := range 4 {
					k.invalidate(s.p, s.a+uint64(n)*pg)
				}
				s.w.now = k.TakeInterrupts(1, k.leave()+10_000)
			}
			s.touch(1, 0, 4)
			round() // the scratch lists grow here
			before := s.k.SD
			const runs = 20
			if a := testing.AllocsPerRun(runs, round); a != 0 {
				t.Errorf("%v allocations a shootdown, want 0", a)
			}
			d := s.k.SD
			got := []uint64{d.IPIs - before.IPIs, d.RemoteInvlpgs - before.RemoteInvlpgs, d.RemoteFlushes - before.RemoteFlushes}
			// AllocsPerRun runs round once more to warm up.
			if d := cmp.Diff([]uint64{runs + 1, (runs + 1) * c.invlpgs, (runs + 1) * c.flush}, got); d != "" {
				t.Errorf("IPIs, remote INVLPGs, remote flushes (-want +got):\n%s", d)
			}
			s.check()
		})
	}
}
