package scenario

import (
	flagpkg "flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/vmemu/vmemu/machine"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

var dumpDiff = flagpkg.String("diff-dump", "", "write the differential scenario to this file")

var diffOps = flagpkg.Int("diff-ops", 6000, "operations of the differential test (make fuzz runs 100000)")

// The reference model of what every load must return: processes with
// areas; anonymous and private-file pages hold their own words, shared-file
// pages read and write the file's. A word never written reads as zero
// (anonymous) or as its offset in the file ("words=" files).
type refArea struct {
	start, pages uint64
	kind         string // anon, shared, private
	file         string
	fileOff      uint64 // bytes
	writable     bool
	words        map[uint64]uint64            // anon: offset in area -> value
	copies       map[uint64]map[uint64]uint64 // private: page -> its words, once copied
}

type refProc struct {
	name  string
	areas []*refArea
}

type refModel struct {
	// big adds areas of 2 and 4 MiB at 2 MiB-aligned addresses, where
	// transparent huge pages can go.
	big   bool
	rng   *sim.RNG
	files map[string]map[uint64]uint64 // file -> offset -> value written
	procs []*refProc
	next  uint64 // next free address for MAP_FIXED areas
	kids  int
	lines []string
}

const diffFileBytes = 16 * 4096

func (m *refModel) emit(format string, a ...any) {
	m.lines = append(m.lines, fmt.Sprintf(format, a...))
}

func (m *refModel) fileWord(f string, off uint64) uint64 {
	if v, ok := m.files[f][off]; ok {
		return v
	}
	return off
}

// read is what a load of the word at va must return, or false for SIGSEGV.
func (m *refModel) read(p *refProc, va uint64) (uint64, bool) {
	a := p.find(va)
	if a == nil {
		return 0, false
	}
	off := va - a.start
	switch a.kind {
	case "anon":
		return a.words[off], true
	case "shared":
		return m.fileWord(a.file, a.fileOff+off), true
	}
	if c, ok := a.copies[off>>12]; ok {
		return c[off], true
	}
	return m.fileWord(a.file, a.fileOff+off), true
}

// write stores v at va, or reports false (SIGSEGV).
func (m *refModel) write(p *refProc, va, v uint64) bool {
	a := p.find(va)
	if a == nil || !a.writable {
		return false
	}
	off := va - a.start
	switch a.kind {
	case "anon":
		a.words[off] = v
	case "shared":
		m.files[a.file][a.fileOff+off] = v
	default:
		page := off >> 12
		c, ok := a.copies[page]
		if !ok { // copy-on-write: the page as the file has it now
			c = map[uint64]uint64{}
			for w := page << 12; w < (page+1)<<12; w += 8 {
				if v, ok := m.files[a.file][a.fileOff+w]; ok {
					c[w] = v
				} else {
					c[w] = a.fileOff + w
				}
			}
			a.copies[page] = c
		}
		c[off] = v
	}
	return true
}

func (p *refProc) find(va uint64) *refArea {
	for _, a := range p.areas {
		if va >= a.start && va < a.start+a.pages*4096 {
			return a
		}
	}
	return nil
}

func (a *refArea) clone() *refArea {
	c := *a
	c.words = map[uint64]uint64{}
	for k, v := range a.words {
		c.words[k] = v
	}
	c.copies = map[uint64]map[uint64]uint64{}
	for k, v := range a.copies {
		cp := map[uint64]uint64{}
		for kk, vv := range v {
			cp[kk] = vv
		}
		c.copies[k] = cp
	}
	return &c
}

// step emits one random operation and updates the model.
func (m *refModel) step() {
	p := m.procs[m.rng.IntN(len(m.procs))]
	switch r := m.rng.IntN(100); {
	case r < 6 || len(p.areas) == 0:
		m.mmap(p)
	case r < 7 && m.big:
		m.mmapBig(p)
	case r < 8 && len(m.procs) < 4:
		m.kids++
		c := &refProc{name: fmt.Sprintf("c%d", m.kids)}
		for _, a := range p.areas {
			c.areas = append(c.areas, a.clone())
		}
		m.procs = append(m.procs, c)
		m.emit("%s = %s fork", c.name, p.name)
	case r < 9 && p.name != "p1":
		m.emit("%s exit 0", p.name)
		for i, q := range m.procs {
			if q == p {
				m.procs = append(m.procs[:i], m.procs[i+1:]...)
				break
			}
		}
	case r < 11:
		i := m.rng.IntN(len(p.areas))
		a := p.areas[i]
		m.emit("%s munmap %#x %d", p.name, a.start, a.pages*4096)
		p.areas = append(p.areas[:i], p.areas[i+1:]...)
		m.emit("%s load %#x 8 == SIGSEGV", p.name, a.start)
	case r < 13:
		a := p.areas[m.rng.IntN(len(p.areas))]
		a.writable = !a.writable
		prot := "PROT_READ"
		if a.writable {
			prot = "PROT_READ|PROT_WRITE"
		}
		m.emit("%s mprotect %#x %d %s", p.name, a.start, a.pages*4096, prot)
	case r < 15:
		m.madvise(p)
	case r < 55:
		va := m.addr(p)
		v := m.rng.Uint64() >> 1
		if m.write(p, va, v) {
			m.emit("%s store %#x 8 %#x", p.name, va, v)
		} else {
			m.emit("%s store %#x 8 %#x == SIGSEGV", p.name, va, v)
		}
	default:
		va := m.addr(p)
		if v, ok := m.read(p, va); ok {
			m.emit("%s load %#x 8 == %#x", p.name, va, v)
		} else {
			m.emit("%s load %#x 8 == SIGSEGV", p.name, va)
		}
	}
}

// addr picks a word in one of p's areas (words of a few pages often, so
// pages are reused and shared).
func (m *refModel) addr(p *refProc) uint64 {
	a := p.areas[m.rng.IntN(len(p.areas))]
	return a.start + uint64(m.rng.IntN(int(a.pages)))*4096 + uint64(m.rng.IntN(8))*8
}

// mmap maps 1 to 8 pages with MAP_FIXED at one of 64 slots of 64 KiB, over
// whatever the process had there: the address space stays small, so its
// page tables do too, and areas are replaced as well as made.
func (m *refModel) mmap(p *refProc) {
	pages := uint64(1 + m.rng.IntN(8))
	start := m.next + uint64(m.rng.IntN(64))*0x10000
	for i := 0; i < len(p.areas); i++ {
		if p.areas[i].start == start {
			p.areas = append(p.areas[:i], p.areas[i+1:]...)
			i--
		}
	}
	a := &refArea{start: start, pages: pages, writable: true, words: map[uint64]uint64{}, copies: map[uint64]map[uint64]uint64{}}
	switch m.rng.IntN(3) {
	case 0:
		a.kind = "anon"
		m.emit("%s mmap %#x %d PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED -1 0", p.name, a.start, pages*4096)
	default:
		a.kind = []string{"shared", "private"}[m.rng.IntN(2)]
		a.file = []string{"f0", "f1"}[m.rng.IntN(2)]
		a.fileOff = uint64(m.rng.IntN(int(diffFileBytes/4096-pages+1))) * 4096
		fd := fmt.Sprintf("fd_%s_%s", p.name, a.file)
		m.emit("%s = %s open %s O_RDWR", fd, p.name, a.file)
		flags := "MAP_SHARED"
		if a.kind == "private" {
			flags = "MAP_PRIVATE"
		}
		m.emit("%s mmap %#x %d PROT_READ|PROT_WRITE %s|MAP_FIXED %s %d", p.name, a.start, pages*4096, flags, fd, a.fileOff)
	}
	p.areas = append(p.areas, a)
}

// bigBase is where the big areas go: 8 slots of 4 MiB.
const bigBase = 0x40000000

// mmapBig maps an anonymous area of 2 or 4 MiB, or a page more or less,
// at one of 8 slots of 4 MiB, over whatever the process had there: a
// transparent huge page fits where an aligned 2 MiB lies inside.
func (m *refModel) mmapBig(p *refProc) {
	pages := uint64([]int{511, 512, 513, 1024}[m.rng.IntN(4)])
	start := bigBase + uint64(m.rng.IntN(8))<<22
	for i := 0; i < len(p.areas); i++ {
		if p.areas[i].start == start {
			p.areas = append(p.areas[:i], p.areas[i+1:]...)
			i--
		}
	}
	a := &refArea{start: start, pages: pages, kind: "anon", writable: true, words: map[uint64]uint64{}, copies: map[uint64]map[uint64]uint64{}}
	populate := []string{"", "|MAP_POPULATE"}[m.rng.IntN(2)] // memory fills, reclaim must split
	m.emit("%s mmap %#x %d PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED%s -1 0", p.name, a.start, pages*4096, populate)
	if m.rng.IntN(2) == 0 { // as thp.c does, for THP in madvise mode
		m.emit("%s madvise %#x %d MADV_HUGEPAGE == 0", p.name, a.start, pages*4096)
	}
	p.areas = append(p.areas, a)
}

// madvise gives advice for some pages of one of p's areas. Only
// MADV_DONTNEED changes what loads return: anonymous pages read as zeros
// again, private file pages as the file has them.
func (m *refModel) madvise(p *refProc) {
	a := p.areas[m.rng.IntN(len(p.areas))]
	first := uint64(m.rng.IntN(int(a.pages)))
	n := 1 + uint64(m.rng.IntN(int(a.pages-first)))
	advice := []string{"MADV_DONTNEED", "MADV_HUGEPAGE", "MADV_NOHUGEPAGE", "MADV_WILLNEED", "MADV_SEQUENTIAL", "MADV_RANDOM"}[m.rng.IntN(6)]
	m.emit("%s madvise %#x %d %s == 0", p.name, a.start+first*4096, n*4096, advice)
	if advice != "MADV_DONTNEED" {
		return
	}
	for pg := first; pg < first+n; pg++ {
		delete(a.copies, pg)
		for w := pg << 12; w < (pg+1)<<12; w += 8 {
			delete(a.words, w)
		}
	}
}

// A random mix of fork, mmap (anonymous, shared and private files),
// munmap, mprotect, madvise, exit, stores and loads, under memory
// pressure, against the reference model: every load must return what the
// model says. It runs on the textbook kernel, and on Linux's (the zero
// page, fault-around and readahead on) with transparent huge pages never,
// on MADV_HUGEPAGE and always; areas of 2 and 4 MiB, some populated at
// once, fill memory, so that huge pages are made, split by fork, munmap,
// mprotect, madvise and reclaim, and swapped.
func TestDifferentialAgainstReferenceModel(t *testing.T) {
	for _, c := range []struct {
		name   string
		big    bool   // areas where huge pages fit
		thp    bool   // huge pages must be made and split
		memory string // small enough to swap, large enough for some huge pages
		sets   []string
	}{
		{"textbook", false, false, "512KiB", []string{"os.zero_page=false", "os.fault_around=0", "os.readahead=0", "os.thp=never"}},
		{"linux, thp never", true, false, "4MiB", []string{"os.thp=never"}},
		{"linux, thp madvise", true, true, "12MiB", nil},
		{"linux, thp always", true, true, "12MiB", []string{"os.thp=always"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := &refModel{big: c.big, rng: sim.NewRNG(2026), files: map[string]map[uint64]uint64{"f0": {}, "f1": {}},
				procs: []*refProc{{name: "p1"}}, next: 0x10000000}
			m.emit("set os.memory=%s", c.memory)
			m.emit("set disk.swap=64MiB")
			for _, kv := range c.sets {
				m.emit("set %s", kv)
			}
			m.emit("file f0 words=%d", diffFileBytes)
			m.emit("file f1 words=%d", diffFileBytes)
			for i := 0; i < *diffOps; i++ {
				m.step()
			}
			sc := runDifferential(t, m)
			if c.thp && (sc.Total.Get("thp") == 0 || sc.Total.Get("splits") == 0) {
				t.Errorf("the run made %d huge pages and split %d; want some of each", sc.Total.Get("thp"), sc.Total.Get("splits"))
			}
			if !c.thp && sc.Total.Get("thp") != 0 {
				t.Errorf("%d huge pages with THP off", sc.Total.Get("thp"))
			}
		})
	}
}

// runDifferential runs the model's scenario with the kernel's books checked
// after every line, and compares every load with the model.
func runDifferential(t *testing.T, m *refModel) *report.ScenarioReport {
	text := strings.Join(m.lines, "\n") + "\n"
	if *dumpDiff != "" {
		os.WriteFile(*dumpDiff, []byte(text), 0o644)
	}
	s, err := traces.ParseScenario("differential.emu", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := config.Load("default")
	for _, kv := range s.Settings() {
		if err := cfg.SetArg(kv); err != nil {
			t.Fatal(err)
		}
	}
	mach, err := machine.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := run(mach, s, Options{}, true)
	if err != nil {
		t.Fatal(err)
	}
	sc := rep.Scenario
	for i, mm := range sc.Mismatches {
		if i == 10 {
			t.Errorf("... %d mismatches in all", len(sc.Mismatches))
			break
		}
		t.Errorf("line %d (%s): want %s, got %s", mm.Line, m.lines[mm.Line-1], mm.Want, mm.Got)
	}
	if sc.SwapOuts == 0 || sc.COWCopies == 0 {
		t.Errorf("the run did not exercise swap (%d outs) or copy-on-write (%d copies)", sc.SwapOuts, sc.COWCopies)
	}
	t.Logf("%d operations: %d swap-outs, %d swap-ins, %d COW copies, %d write-backs, %d SIGSEGVs; faults %v",
		len(s.Ops), sc.SwapOuts, sc.SwapIns, sc.COWCopies, sc.Writebacks, sc.Total.Get("segv"), sc.Total)
	return sc
}
