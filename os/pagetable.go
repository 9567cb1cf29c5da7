package os

import (
	"errors"

	"github.com/vmemu/vmemu/mmu"
)

// Software bits of a leaf entry that is not present (the hardware ignores
// every bit but P then; SDM Vol. 3A §4.5).
const (
	// swapped: the page is in swap; the frame field holds the slot.
	swapped mmu.PTE = 1 << 9
	// protNone: the page is resident but its area allows no access
	// (PROT_NONE); the frame field still holds the frame.
	protNone mmu.PTE = 1 << 10
)

func (k *Kernel) pageShift() uint  { return k.cfg.Geometry.PageShift }
func (k *Kernel) pageSize() uint64 { return 1 << k.cfg.Geometry.PageShift }

func (k *Kernel) frameOf(e mmu.PTE) uint64 {
	g := k.cfg.Geometry
	return e.Frame(g.PABits, g.PageShift)
}

// errHugeInTheWay is returned when a 4 KiB entry is asked for where one
// entry maps a huge page: the caller should have split it.
var errHugeInTheWay = errors.New("internal error: a huge page's entry is in the way of a 4 KiB one")

// descend walks p's tables for va down to the entry at level and returns
// its address and level; it stops at an entry above level that maps a huge
// page (returning that entry's address and level), and at a missing table
// (returning 0 and the level of the entry that is not present) unless
// create is set, when it makes the table.
func (k *Kernel) descend(p *Process, va uint64, level int, create bool) (uint64, int, error) {
	g := k.cfg.Geometry
	table := p.Root
	for l := g.Levels; l > level; l-- {
		addr := table + g.Index(va, l)*uint64(g.EntryBytes)
		e := k.ReadPTE(addr)
		if k.isHuge(e, l) {
			return addr, l, nil
		}
		if e&mmu.Present == 0 {
			if !create {
				return 0, l, nil
			}
			next, err := k.newTable()
			if err != nil {
				return 0, l, err
			}
			e = mmu.MakePTE(next>>g.PageShift, mmu.Present|mmu.Writable|mmu.User)
			k.WritePTE(addr, e)
		}
		table = k.frameOf(e) << g.PageShift
	}
	return table + g.Index(va, level)*uint64(g.EntryBytes), level, nil
}

// leafAddr returns the physical address of va's leaf entry in p's tables,
// creating the tables on the way when create is set; 0 if a table is
// missing and not created, or if a huge page's entry maps va (an error
// when create is set).
func (k *Kernel) leafAddr(p *Process, va uint64, create bool) (uint64, error) {
	addr, level, err := k.descend(p, va, 1, create)
	if err == nil && level > 1 {
		if create {
			return 0, errHugeInTheWay
		}
		addr = 0
	}
	return addr, err
}

// isHuge reports whether e, an entry at level, maps a page itself (PS set,
// present or held back by PROT_NONE) rather than pointing at a table.
func (k *Kernel) isHuge(e mmu.PTE, level int) bool {
	return level > 1 && e&mmu.PageSize != 0 && e&(mmu.Present|protNone) != 0 && k.cfg.Geometry.Large(level)
}

// lookup returns the entry that maps va in p's tables, its address and its
// level: a level-1 entry, or a higher one that maps a huge page. The entry
// is 0 (and the address 0) when a table on the way is missing; the level
// is then that of the entry not present.
func (k *Kernel) lookup(p *Process, va uint64) (mmu.PTE, uint64, int) {
	addr, level, _ := k.descend(p, va, 1, false)
	if addr == 0 {
		return 0, 0, level
	}
	return k.ReadPTE(addr), addr, level
}

// leaf returns va's 4 KiB leaf entry in p's tables (0 if none, or if a
// huge page maps va) and its address.
func (k *Kernel) leaf(p *Process, va uint64) (mmu.PTE, uint64) {
	addr, _ := k.leafAddr(p, va, false)
	if addr == 0 {
		return 0, 0
	}
	return k.ReadPTE(addr), addr
}

// leafFlags are the hardware rights an area gives a page: writable only when
// the page may be written in place (shared, or a private page this process
// alone holds).
func leafFlags(v *VMA, writable bool) mmu.PTE {
	f := mmu.Present | mmu.User
	if writable && v.Prot&ProtWrite != 0 {
		f |= mmu.Writable
	}
	if v.Prot&ProtExec == 0 {
		f |= mmu.NoExec
	}
	return f
}

// forEachLeaf calls fn for every leaf entry that is not zero in [start,
// end) of p's tables, with its address and level: level 1 for a 4 KiB
// entry, 2 or 3 for one that maps a huge page (va is then the huge page's
// first address, which may lie before start). It skips missing tables
// whole.
func (k *Kernel) forEachLeaf(p *Process, start, end uint64, fn func(va, addr uint64, e mmu.PTE, level int)) {
	k.walkRange(p.Root, k.cfg.Geometry.Levels, 0, start, end, fn)
}

func (k *Kernel) walkRange(table uint64, level int, base, start, end uint64, fn func(va, addr uint64, e mmu.PTE, level int)) {
	g := k.cfg.Geometry
	shift := g.ShiftAt(level)
	n := uint64(1) << g.BitsPerLevel
	if end <= base || start > base+(n<<shift-1) { // n<<shift-1: the table's span less one, even for all 64 bits
		return
	}
	first, last := uint64(0), n-1 // the entries that meet [start, end)
	if start > base {
		first = (start - base) >> shift
	}
	last = min(last, (end-1-base)>>shift)
	for i := first; i <= last; i++ {
		lo := base + i<<shift
		addr := table + i*uint64(g.EntryBytes)
		e := k.ReadPTE(addr)
		if e == 0 {
			continue
		}
		if level == 1 || k.isHuge(e, level) {
			fn(lo, addr, e, level)
			continue
		}
		if e&mmu.Present != 0 {
			k.walkRange(k.frameOf(e)<<g.PageShift, level-1, lo, start, end, fn)
		}
	}
}

// freeTables gives back every table of p below the root (exit, execve).
func (k *Kernel) freeTables(p *Process) {
	k.freeLevel(p.Root, k.cfg.Geometry.Levels)
	k.mem.Zero(p.Root, k.cfg.Geometry.TableBytes())
}

func (k *Kernel) freeLevel(table uint64, level int) {
	if level == 1 {
		return
	}
	g := k.cfg.Geometry
	for i := uint64(0); i < 1<<g.BitsPerLevel; i++ {
		e := k.ReadPTE(table + i*uint64(g.EntryBytes))
		if e&mmu.Present == 0 || k.isHuge(e, level) {
			continue // a huge page is not a table (its mapping went first)
		}
		next := k.frameOf(e) << g.PageShift
		k.freeLevel(next, level-1)
		k.freeFrame(k.frameOf(e))
		k.N.TableFrames--
	}
}
