package os

import (
	"encoding/binary"
	"testing"

	"github.com/vmemu/vmemu/disk"
	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

// world is a kernel with a disk, for tests of its semantics: accesses are
// made as the hardware makes them (a fault when the entry is not present or
// not writable), without caches or TLBs.
type world struct {
	t    *testing.T
	k    *Kernel
	now  sim.Cycle
	segv int
}

func newWorld(t *testing.T, memory uint64, swapPages uint64) *world {
	t.Helper()
	return newWorldWith(t, memory, swapPages, nil)
}

// linux sets the kernel up as Linux 6.18 runs by default: the zero page,
// 64 KiB fault-around, 128 KiB readahead, THP for madvised areas.
func linux(c *Config) {
	c.ZeroPage, c.FaultAround, c.Readahead, c.THP = true, 64<<10, 128<<10, THPMadvise
}

// newWorldWith is newWorld with the configuration changed by set.
func newWorldWith(t *testing.T, memory uint64, swapPages uint64, set func(*Config)) *world {
	t.Helper()
	cfg := Config{Geometry: mmu.Geometries["x86-64"], MemoryBytes: memory, Seed: 1,
		Costs: Costs{Fault: 1000, Zero: 100, Copy: 200, Syscall: 50, ForkBase: 1000, ForkEntry: 10, PerByte: 16}}
	if set != nil {
		set(&cfg)
	}
	k, err := New(cfg, dram.NewPhysMem())
	if err != nil {
		t.Fatal(err)
	}
	dev, err := disk.NewPreset("ssd-nvme", 4_000_000_000)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := disk.NewFS(dev, 0, dev.Blocks()/2)
	if err != nil {
		t.Fatal(err)
	}
	var swap *disk.Swap
	if swapPages > 0 {
		if swap, err = disk.NewSwap(dev, dev.Blocks()/2, swapPages, 4096); err != nil {
			t.Fatal(err)
		}
	}
	k.SetDisk(fs, swap)
	return &world{t: t, k: k}
}

func (w *world) proc() *Process {
	p, err := w.k.NewProcess()
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

// pa translates va for an access of p as the hardware would, taking the
// faults it would; false after a SIGSEGV.
func (w *world) pa(p *Process, va uint64, write bool) (uint64, bool) {
	k := w.k
	k.Switch(w.now, p)
	kind := sim.Load
	if write {
		kind = sim.Store
	}
	for tries := 0; tries < 5; tries++ {
		e, addr, level := k.lookup(p, va)
		cause := mmu.NotPresent
		if e&mmu.Present != 0 {
			if !write || e&mmu.Writable != 0 {
				bits := mmu.Accessed
				if write {
					bits |= mmu.Dirty
				}
				k.WritePTE(addr, e|bits)
				if level > 1 {
					return k.hugePhys(e, va, level), true
				}
				return k.frameOf(e)<<12 | va&0xfff, true
			}
			cause = mmu.WriteProtect
		}
		done, ok := k.PageFault(w.now, mmu.Fault{VA: va, Kind: kind, User: true, Cause: cause})
		w.now = done
		if !ok {
			w.segv++
			return 0, false
		}
	}
	w.t.Fatalf("fault at %#x never mended", va)
	return 0, false
}

func (w *world) store(p *Process, va, v uint64) bool {
	pa, ok := w.pa(p, va, true)
	if ok {
		w.k.mem.SetUint64(pa, v)
	}
	return ok
}

func (w *world) load(p *Process, va uint64) (uint64, bool) {
	pa, ok := w.pa(p, va, false)
	if !ok {
		return 0, false
	}
	return w.k.mem.Uint64(pa), true
}

func (w *world) mustLoad(p *Process, va uint64) uint64 {
	w.t.Helper()
	v, ok := w.load(p, va)
	if !ok {
		w.t.Fatalf("load of %#x by %d: SIGSEGV", va, p.PID)
	}
	return v
}

// call checks a system call's errno and returns its value.
func (w *world) call(ret uint64, errno Errno, done sim.Cycle) uint64 {
	w.t.Helper()
	w.now = done
	if errno != OK {
		w.t.Fatalf("system call failed: %v", errno)
	}
	return ret
}

func le64(v uint64) []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, v)
	return b
}
