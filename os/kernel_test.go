package os

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

func newKernel(t *testing.T, memory uint64, random bool) (*Kernel, *Process) {
	t.Helper()
	k, err := New(Config{Geometry: mmu.Geometries["x86-64"], MemoryBytes: memory, RandomFrames: random, Seed: 7,
		Costs: Costs{Fault: 1000, Zero: 200}}, dram.NewPhysMem())
	if err != nil {
		t.Fatal(err)
	}
	p, err := k.NewProcess()
	if err != nil {
		t.Fatal(err)
	}
	k.MapEverything(p)
	return k, p
}

// leafAddr walks p's tables by hand and returns where va's leaf entry is.
func leafAddr(k *Kernel, p *Process, va uint64) uint64 {
	g := k.cfg.Geometry
	table := p.Root
	for l := g.Levels; l > 1; l-- {
		table = k.ReadPTE(table+g.Index(va, l)*8).Frame(g.PABits, g.PageShift) << g.PageShift
	}
	return table + g.Index(va, 1)*8
}

func TestMapSharesTablePages(t *testing.T) {
	k, p := newKernel(t, 1<<30, false)
	// Two neighbouring pages share all four tables; a page 1 GiB away
	// shares only the root.
	for _, va := range []uint64{0x7f0000000000, 0x7f0000001000, 0x7f0040000000} {
		if err := k.mapPage(p, va, 0x500+va>>12&0xff, mmu.Present|mmu.User, anonFrame); err != nil {
			t.Fatal(err)
		}
	}
	if k.N.TableFrames != 1+3+2 {
		t.Errorf("table frames = %d, want 6 (root, 3 for the first page, PD and PT for the far one)", k.N.TableFrames)
	}
	a, b := leafAddr(k, p, 0x7f0000000000), leafAddr(k, p, 0x7f0000001000)
	if b != a+8 {
		t.Errorf("neighbouring leaves at %#x and %#x, want adjacent entries of one table", a, b)
	}
	if e := k.ReadPTE(a); e.Frame(52, 12) != 0x500 || e&mmu.Present == 0 {
		t.Errorf("leaf = %v", e)
	}
}

func TestFramesInOrderAndRandom(t *testing.T) {
	first := func(random bool) []uint64 {
		k, _ := newKernel(t, 1<<20, random)
		var out []uint64
		for i := 0; i < 5; i++ {
			f, err := k.frames.alloc()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, f)
		}
		return out
	}
	if diff := cmp.Diff([]uint64{2, 3, 4, 5, 6}, first(false)); diff != "" {
		t.Errorf("in order (root is frame 1):\n%s", diff)
	}
	a, b := first(true), first(true)
	if !cmp.Equal(a, b) || cmp.Equal(a, []uint64{2, 3, 4, 5, 6}) {
		t.Errorf("random frames %v and %v: want equal for one seed, and not in order", a, b)
	}
}

func TestPageFaults(t *testing.T) {
	k, p := newKernel(t, 1<<20, false)
	h := k
	va := uint64(0x601234)
	done, retry := h.PageFault(100, mmu.Fault{VA: va, Kind: sim.Load, Cause: mmu.NotPresent})
	if !retry || done != 100+1000+200 {
		t.Errorf("demand-zero fault: done %d retry %v, want 1300 true", done, retry)
	}
	if e := k.ReadPTE(leafAddr(k, p, va)); e&(mmu.Present|mmu.Writable|mmu.User) != mmu.Present|mmu.Writable|mmu.User {
		t.Errorf("mapped leaf %v, want P W U", e)
	}
	k.DemandZero = false
	if _, retry := h.PageFault(0, mmu.Fault{VA: 0x900000, Cause: mmu.NotPresent}); retry {
		t.Error("with demand-zero off a not-present fault was mended")
	}
	if k.N.MinorFaults != 1 {
		t.Errorf("minor faults = %d, want 1", k.N.MinorFaults)
	}
}

func TestOutOfMemory(t *testing.T) {
	k, _ := newKernel(t, 8<<12, false) // 8 frames: frame 0 unused, the root, 6 more
	h := k
	var last bool
	for i := uint64(0); i < 8; i++ {
		_, last = h.PageFault(0, mmu.Fault{VA: (i + 1) << 12, Cause: mmu.NotPresent})
	}
	if last || !errors.Is(k.Err(), errOutOfMemory) {
		t.Errorf("after filling memory: retry %v, err %v; want false, out of memory", last, k.Err())
	}
}
