package os

import (
	"flag"
	"fmt"
	"testing"

	"github.com/vmemu/vmemu/sim"
)

// A randomized test of the kernel with Linux's behaviours on, against a
// reference model of what every load must return: processes with areas of
// private anonymous memory, shared anonymous memory, MAP_HUGETLB memory and
// files mapped shared or private; stores, loads, fork, exit, munmap,
// mprotect and madvise of parts of areas, in small memory with swap so that
// reclaim (and the splitting of huge pages before it) runs. The kernel's
// books are checked after every operation (CheckInvariants). The machine's
// own differential test (machine/scenario/differential_test.go) runs the textbook
// kernel through scenarios; this one runs each behaviour here.

// rArea is an area of the model: [start, end), what backs it, and the
// offset of start in its file or object.
type rArea struct {
	start, end uint64
	kind       string // anon, shmem, shared, private, hugeanon, hugeshm
	file       string
	obj        map[uint64]uint64 // shmem, hugeshm: offset -> word
	off        uint64
	writable   bool
}

type rProc struct {
	p      *Process
	areas  []*rArea
	anon   map[uint64]uint64            // private anonymous words, by address
	copies map[uint64]map[uint64]uint64 // private file pages copied: page -> address -> word
}

type rModel struct {
	t     *testing.T
	w     *world
	rng   *sim.RNG
	files map[string]map[uint64]uint64 // file -> offset -> word written
	procs []*rProc
	huge  int // MAP_HUGETLB areas made, bounded so that the pool never runs dry
	ops   map[string]int
	// cores, when set, runs each operation on a thread of its process
	// placed on a random core, its accesses through that core's MMU
	// (random_cores_test.go); else the world makes them, on one core.
	cores *rCores
}

const rFilePages = 96

func (m *rModel) fileWord(f string, off uint64) uint64 {
	if v, ok := m.files[f][off]; ok {
		return v
	}
	return off
}

func (r *rProc) find(va uint64) *rArea {
	for _, a := range r.areas {
		if va >= a.start && va < a.end {
			return a
		}
	}
	return nil
}

// word is what a load of va must return.
func (m *rModel) word(r *rProc, a *rArea, va uint64) uint64 {
	switch a.kind {
	case "anon", "hugeanon":
		return r.anon[va]
	case "shmem", "hugeshm":
		return a.obj[a.off+va-a.start]
	case "shared":
		return m.fileWord(a.file, a.off+va-a.start)
	}
	if c, ok := r.copies[va&^(pg-1)]; ok {
		return c[va]
	}
	return m.fileWord(a.file, a.off+va-a.start)
}

func (m *rModel) setWord(r *rProc, a *rArea, va, v uint64) {
	switch a.kind {
	case "anon", "hugeanon":
		r.anon[va] = v
	case "shmem", "hugeshm":
		a.obj[a.off+va-a.start] = v
	case "shared":
		m.files[a.file][a.off+va-a.start] = v
	default:
		page := va &^ (pg - 1)
		c, ok := r.copies[page]
		if !ok {
			c = map[uint64]uint64{}
			for w := page; w < page+pg; w += 8 {
				c[w] = m.fileWord(a.file, a.off+w-a.start)
			}
			r.copies[page] = c
		}
		c[va] = v
	}
}

// forget drops the model's words of [start, end) of r (munmap, or
// MADV_DONTNEED of private memory).
func (r *rProc) forget(start, end uint64) {
	for va := range r.anon {
		if va >= start && va < end {
			delete(r.anon, va)
		}
	}
	for page := range r.copies {
		if page >= start && page < end {
			delete(r.copies, page)
		}
	}
}

// cut removes [start, end) from r's areas, keeping the rest.
func (r *rProc) cut(start, end uint64) {
	var keep []*rArea
	for _, a := range r.areas {
		if a.end <= start || a.start >= end {
			keep = append(keep, a)
			continue
		}
		if a.start < start {
			b := *a
			b.end = start
			keep = append(keep, &b)
		}
		if a.end > end {
			b := *a
			b.off += end - a.start
			b.start = end
			keep = append(keep, &b)
		}
	}
	r.areas = keep
	r.forget(start, end)
}

func (m *rModel) pick(n int) int { return m.rng.IntN(n) }

// step makes one random operation and checks it.
func (m *rModel) step() {
	r := m.procs[m.pick(len(m.procs))]
	if m.cores != nil {
		m.cores.enter(m, r)
	}
	op := m.pick(100)
	switch {
	case op < 8 || len(r.areas) == 0:
		m.mmap(r)
	case op < 10 && len(m.procs) < 4:
		m.fork(r)
	case op < 11 && r != m.procs[0]:
		m.exit(r)
	case op < 14:
		m.munmap(r)
	case op < 17:
		m.mprotect(r)
	case op < 22:
		m.madvise(r)
	case op < 27:
		m.sweep(r)
	case op < 60:
		m.store(r)
	default:
		m.load(r)
	}
	if err := m.w.k.CheckInvariants(); err != nil {
		m.t.Fatalf("after op %v: %v", m.ops, err)
	}
}

// maxAreaPages bounds what a process maps, so that long runs stay within
// memory and swap.
const maxAreaPages = 6000

func (m *rModel) mmap(r *rProc) {
	w, k := m.w, m.w.k
	total := uint64(0)
	for _, a := range r.areas {
		total += (a.end - a.start) / pg
	}
	if total > maxAreaPages {
		a := r.areas[m.pick(len(r.areas))]
		w.call(k.Munmap(w.now, r.p, a.start, a.end-a.start))
		r.cut(a.start, a.end)
		m.ops["munmap whole"]++
		return
	}
	pages := uint64(1 + m.pick(1100))
	if m.pick(3) == 0 {
		pages = 512 * uint64(2+m.pick(3)) // room for huge pages
	}
	var a *rArea
	var start uint64
	switch kind := m.pick(10); {
	case kind < 4:
		start = w.call(k.Mmap(w.now, r.p, 0, pages*pg, ProtRead|ProtWrite, anonPriv, -1, 0))
		a = &rArea{kind: "anon"}
	case kind < 5:
		start = w.call(k.Mmap(w.now, r.p, 0, pages*pg, ProtRead|ProtWrite, MapShared|MapAnonymous, -1, 0))
		a = &rArea{kind: "shmem", obj: map[uint64]uint64{}}
	case kind < 6 && m.huge < 3 && r == m.procs[0] && k.cfg.HugeTLB2M > 0:
		m.huge++
		pages = 512
		shared := m.pick(2) == 0
		flags := anonPriv | MapHugeTLB
		a = &rArea{kind: "hugeanon"}
		if shared {
			flags = MapShared | MapAnonymous | MapHugeTLB
			a = &rArea{kind: "hugeshm", obj: map[uint64]uint64{}}
		}
		start = w.call(k.Mmap(w.now, r.p, 0, pages*pg, ProtRead|ProtWrite, flags, -1, 0))
	default:
		name := []string{"f1", "f2"}[m.pick(2)]
		off := uint64(m.pick(rFilePages/2)) * pg
		pages = 1 + uint64(m.pick(int(rFilePages-off/pg)))
		kind := []string{"shared", "private"}[m.pick(2)]
		flags := MapShared
		if kind == "private" {
			flags = MapPrivate
		}
		fd := w.call(k.Open(w.now, r.p, name, OpenRDWR))
		start = w.call(k.Mmap(w.now, r.p, 0, pages*pg, ProtRead|ProtWrite, flags, int(fd), off))
		a = &rArea{kind: kind, file: name, off: off}
	}
	a.start, a.end, a.writable = start, start+pages*pg, true
	r.areas = append(r.areas, a)
	m.ops["mmap "+a.kind]++
}

func (m *rModel) fork(r *rProc) {
	w := m.w
	pid := w.call(w.k.Fork(w.now, r.p))
	c := &rProc{p: w.k.Process(int(pid)), anon: map[uint64]uint64{}, copies: map[uint64]map[uint64]uint64{}}
	for _, a := range r.areas {
		b := *a
		c.areas = append(c.areas, &b)
	}
	for va, v := range r.anon {
		c.anon[va] = v
	}
	for page, words := range r.copies {
		cp := map[uint64]uint64{}
		for va, v := range words {
			cp[va] = v
		}
		c.copies[page] = cp
	}
	m.procs = append(m.procs, c)
	if m.cores != nil {
		m.cores.born(m, c)
	}
	m.ops["fork"]++
}

func (m *rModel) exit(r *rProc) {
	w := m.w
	w.call(w.k.Exit(w.now, r.p, 0))
	for i, q := range m.procs {
		if q == r {
			m.procs = append(m.procs[:i], m.procs[i+1:]...)
			break
		}
	}
	m.ops["exit"]++
}

// subrange picks a page range inside one of r's areas, whole huge pages in
// a MAP_HUGETLB one.
func (m *rModel) subrange(r *rProc) (*rArea, uint64, uint64) {
	a := r.areas[m.pick(len(r.areas))]
	unit := uint64(pg)
	if a.kind == "hugeanon" || a.kind == "hugeshm" {
		unit = 2 * mib
	}
	n := (a.end - a.start) / unit
	lo := uint64(m.pick(int(n)))
	hi := lo + 1 + uint64(m.pick(int(n-lo)))
	return a, a.start + lo*unit, a.start + hi*unit
}

func (m *rModel) munmap(r *rProc) {
	w := m.w
	_, lo, hi := m.subrange(r)
	w.call(w.k.Munmap(w.now, r.p, lo, hi-lo))
	r.cut(lo, hi)
	m.ops["munmap"]++
}

// mprotect takes write away from part of an area and gives it back: the
// model does not change, the kernel splits and rewrites entries.
func (m *rModel) mprotect(r *rProc) {
	w := m.w
	_, lo, hi := m.subrange(r)
	w.call(w.k.Mprotect(w.now, r.p, lo, hi-lo, ProtRead))
	if m.pick(2) == 0 {
		m.load(r)
	}
	w.call(w.k.Mprotect(w.now, r.p, lo, hi-lo, ProtRead|ProtWrite))
	m.ops["mprotect"]++
}

func (m *rModel) madvise(r *rProc) {
	w := m.w
	a, lo, hi := m.subrange(r)
	advice := []int{MadvDontneed, MadvHugepage, MadvNohugepage, MadvWillneed, MadvSequential, MadvRandom, MadvNormal}[m.pick(7)]
	w.call(w.k.Madvise(w.now, r.p, lo, hi-lo, advice))
	if advice == MadvDontneed && (a.kind == "anon" || a.kind == "hugeanon" || a.kind == "private") {
		r.forget(lo, hi)
	}
	m.ops[fmt.Sprintf("madvise %d", advice)]++
}

func (m *rModel) address(r *rProc) (*rArea, uint64) {
	a := r.areas[m.pick(len(r.areas))]
	return a, a.start + uint64(m.pick(int((a.end-a.start)/8)))*8
}

func (m *rModel) store(r *rProc) {
	a, va := m.address(r)
	m.storeAt(r, a, va)
	m.ops["store"]++
}

// storeAt stores a random word at va of a, in the kernel and the model.
func (m *rModel) storeAt(r *rProc, a *rArea, va uint64) {
	v := m.rng.Uint64()
	if !m.storeWord(r, va, v) {
		m.t.Fatalf("pid %d store to %#x (%s): SIGSEGV %v", r.p.PID, va, a.kind, r.p.SignalReasons)
	}
	m.setWord(r, a, va, v)
}

// sweep stores a word in each of up to 256 pages of an area, in order.
func (m *rModel) sweep(r *rProc) {
	a, lo, hi := m.subrange(r)
	hi = min(hi, lo+256*pg)
	for va := lo + uint64(m.pick(pg/8))*8; va < hi; va += pg {
		m.storeAt(r, a, va)
	}
	m.ops["sweep"]++
}

func (m *rModel) load(r *rProc) {
	a, va := m.address(r)
	got, ok := m.loadWord(r, va)
	if want := m.word(r, a, va); !ok || got != want {
		m.t.Fatalf("pid %d load of %#x (%s area %#x-%#x): %#x (ok %v), want %#x; ops %v", r.p.PID, va, a.kind, a.start, a.end, got, ok, want, m.ops)
	}
	m.ops["load"]++
}

// storeWord stores v at va for r: the world's way, or through a core's
// MMU; false after a SIGSEGV.
func (m *rModel) storeWord(r *rProc, va uint64, v uint64) bool {
	if m.cores != nil {
		_, ok := m.cores.access(m, va, true, v)
		return ok
	}
	return m.w.store(r.p, va, v)
}

// loadWord loads the word at va for r, as storeWord stores.
func (m *rModel) loadWord(r *rProc, va uint64) (uint64, bool) {
	if m.cores != nil {
		return m.cores.access(m, va, false, 0)
	}
	return m.w.load(r.p, va)
}

var (
	randomOps   = flag.Int("random-ops", 1000, "operations per seed of TestRandomAgainstModel")
	randomSeeds = flag.Uint64("random-seeds", 2, "seeds of TestRandomAgainstModel (1 to N)")
)

func TestRandomAgainstModel(t *testing.T) {
	always := func(c *Config) { linux(c); c.THP = THPAlways }
	for _, c := range []struct {
		name     string
		memory   uint64 // frames below the MAP_HUGETLB pool
		pool     uint64 // MAP_HUGETLB pages of 2 MiB
		pressure bool   // memory is short: pages must go to swap
		set      func(*Config)
		cores    bool // two threads a process, on four cores with MMUs
	}{
		{"textbook", 6 * mib, 0, true, nil, false},
		{"linux", 6 * mib, 16, true, linux, false},
		{"thp-always-short", 6 * mib, 16, true, always, false},
		{"thp-always-random-frames", 6 * mib, 16, true, func(c *Config) { always(c); c.RandomFrames = true }, false},
		{"thp-always", 64 * mib, 16, false, always, false},
		{"textbook-cores", 6 * mib, 0, true, nil, true},
		{"linux-cores-pcid", 4 * mib, 16, true, func(c *Config) { linux(c); c.PCID = true }, true},
		{"thp-always-cores-pcid", 6 * mib, 16, true, func(c *Config) { always(c); c.PCID = true }, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			swapped := uint64(0)
			for seed := uint64(1); seed <= *randomSeeds; seed++ {
				w := newWorldWith(t, c.memory+c.pool*2*mib, 8192, func(cfg *Config) {
					if c.set != nil {
						c.set(cfg)
					}
					if c.cores {
						shootdownCosts(cfg)
					}
					cfg.Seed, cfg.HugeTLB2M = seed, c.pool
				})
				for _, f := range []string{"f1", "f2"} {
					data := make([]byte, rFilePages*pg)
					for off := 0; off < len(data); off += 8 {
						copy(data[off:], le64(uint64(off)))
					}
					if _, err := w.k.PlaceFile(f, data); err != nil {
						t.Fatal(err)
					}
				}
				m := &rModel{t: t, w: w, rng: sim.NewRNG(seed), files: map[string]map[uint64]uint64{"f1": {}, "f2": {}}, ops: map[string]int{}}
				p := w.proc()
				m.procs = []*rProc{{p: p, anon: map[uint64]uint64{}, copies: map[uint64]map[uint64]uint64{}}}
				if c.cores {
					m.cores = newRCores(t, w, 4)
					m.cores.born(m, m.procs[0])
				}
				for i := 0; i < *randomOps; i++ {
					m.step()
				}
				swapped += w.k.N.SwapOuts
				t.Logf("seed %d: %v; faults %+v; shootdowns %+v", seed, m.ops, w.k.N.Faults, w.k.SD)
				if c.cores && w.k.SD.IPIs == 0 {
					t.Error("no IPI: the threads on other cores were never interrupted")
				}
			}
			if c.pressure && swapped == 0 {
				t.Error("no page went to swap: the test wants memory pressure")
			}
		})
	}
}
