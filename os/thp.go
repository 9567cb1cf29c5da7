package os

import (
	"fmt"
	"slices"

	"github.com/vmemu/vmemu/mmu"
)

// THPMode is when private anonymous memory gets transparent huge pages
// (Linux's /sys/kernel/mm/transparent_hugepage/enabled).
type THPMode uint8

const (
	THPNever   THPMode = iota // 4 KiB pages only
	THPMadvise                // in areas advised MADV_HUGEPAGE (what distributions ship)
	THPAlways                 // in every area not advised MADV_NOHUGEPAGE
)

// THPModes are the modes' names, in constant order.
var THPModes = []string{"never", "madvise", "always"}

func (m THPMode) String() string {
	if int(m) < len(THPModes) {
		return THPModes[m]
	}
	return fmt.Sprintf("thp(%d)", uint8(m))
}

// ParseTHP returns the mode called name.
func ParseTHP(name string) (THPMode, error) {
	if i := slices.Index(THPModes, name); i >= 0 {
		return THPMode(i), nil
	}
	return 0, fmt.Errorf("transparent huge pages: %q is not one of %v", name, THPModes)
}

// thpReserve is the number of frames kept free, with transparent huge
// pages on, so that reclaim can split a huge page (one page table per
// entry that maps it) when memory is full.
const thpReserve = 16

// thpAllowed reports whether a fault at va in v may map a transparent huge
// page (Linux's thp_vma_allowable_order): private anonymous memory, the
// mode and the area's advice allow it, and the aligned 2 MiB around va lies
// inside the area.
func (k *Kernel) thpAllowed(v *VMA, va uint64) bool {
	if v.File != nil || v.Shared || v.HugeLevel != 0 {
		return false
	}
	switch k.cfg.THP {
	case THPMadvise:
		if v.Advice&AdviseHugePage == 0 {
			return false
		}
	case THPAlways:
		if v.Advice&AdviseNoHugePage != 0 {
			return false
		}
	default:
		return false
	}
	base := k.hugeBase(va, 2)
	return base >= v.Start && base+1<<k.hugeShift(2) <= v.End
}

// thpFault mends a not-present fault at va in v with a huge page when v
// may have one (Linux's do_huge_pmd_anonymous_page): the huge zero page for
// a read (with the zero page on), a new zeroed huge page for a write. It
// reports false when it mapped nothing: the area or the page table (entries
// already in it) do not allow it, or no 2 MiB of free frames could be had
// (a fallback, counted); the caller then maps 4 KiB.
func (k *Kernel) thpFault(p *Process, v *VMA, va uint64, write bool) (bool, error) {
	if !k.thpAllowed(v, va) {
		return false, nil
	}
	base := k.hugeBase(va, 2)
	if !k.tableFree(p, base) {
		return false, nil
	}
	var h *hugePage
	if !write && k.cfg.ZeroPage {
		h = k.hugeZeroPage()
	} else {
		h = k.newTHP()
	}
	if h == nil {
		k.note(p, Faults{THPFallbacks: 1})
		return false, nil
	}
	if err := k.mapHuge(p, base, h, leafFlags(v, !h.zero)); err != nil {
		return false, err
	}
	n := Faults{THP: 1}
	if h.zero {
		n.ZeroPage = 1
	}
	k.countFault(p, false)
	k.note(p, n)
	return true, nil
}

// tableFree reports whether the level-2 entry for base in p's tables is
// free for a huge page: none, or a page table with no entry in it.
func (k *Kernel) tableFree(p *Process, base uint64) bool {
	e, addr, level := k.lookup(p, base)
	if level > 2 || (level == 2 && e == 0) {
		return true // a table above is missing, or the entry is none
	}
	if level == 2 {
		return false // a huge page already
	}
	g := k.cfg.Geometry
	table := addr &^ (g.TableBytes() - 1)
	for i := uint64(0); i < 1<<g.BitsPerLevel; i++ {
		if k.ReadPTE(table+i*uint64(g.EntryBytes)) != 0 {
			return false
		}
	}
	return true
}

// newTHP takes 512 free, aligned frames and zeroes them: the cost of a
// huge-page fault is 512 pages' zeroing, not 512 faults. It returns nil
// when no such block is free (or taking one would eat the reserve reclaim
// needs).
func (k *Kernel) newTHP() *hugePage {
	head, n, ok := k.takeBlock()
	if !ok {
		return nil
	}
	h := &hugePage{head: head, level: 2}
	k.huge[head] = h
	for f := head; f < head+n; f++ {
		k.zeroFrame(f)
	}
	fi := k.frames.info(head)
	fi.kind, fi.hp = anonFrame, h
	k.frames.enterRing(head)
	k.pin(head)
	return h
}

// hugeZeroPage returns the huge zero page, taking 2 MiB of frames for it at
// its first use (nil if there are none).
func (k *Kernel) hugeZeroPage() *hugePage {
	if k.hugeZero != nil {
		return k.hugeZero
	}
	head, n, ok := k.takeBlock()
	if !ok {
		return nil
	}
	k.mem.Zero(head<<k.pageShift(), n<<k.pageShift())
	h := &hugePage{head: head, level: 2, zero: true}
	k.huge[head], k.hugeZero = h, h
	return h
}

// takeBlock takes 2 MiB of free, aligned frames, unless that would eat the
// reserve; it returns the first and how many there are.
func (k *Kernel) takeBlock() (uint64, uint64, bool) {
	n := uint64(1) << (k.hugeShift(2) - k.pageShift())
	if k.frames.spare() < int(n)+k.reserve() {
		return 0, 0, false
	}
	head, ok := k.frames.allocBlock()
	return head, n, ok
}

// reserve is the number of frames ordinary allocations leave free.
func (k *Kernel) reserve() int {
	if k.cfg.THP != THPNever {
		return thpReserve
	}
	return 0
}

// splitHuge replaces p's entry that maps the transparent huge page at base
// by a page table of 512 entries with the same rights and bits, each
// naming its frame (Linux's __split_huge_pmd); the huge zero page splits
// into 512 entries for the zero page. The whole 2 MiB translation is
// invalidated (INVLPG of a large page drops its entry at every size). When
// no entry maps the page whole any more, the page itself becomes 512
// pages.
func (k *Kernel) splitHuge(p *Process, base uint64) error {
	e, addr, level := k.lookup(p, base)
	if level != 2 || !k.isHuge(e, 2) {
		return nil
	}
	h := k.huge[k.frameOf(e)]
	if h == nil || h.pool != nil {
		return fmt.Errorf("internal error: splitting %#x of pid %d, which is not a transparent huge page", base, p.PID)
	}
	k.pin(h.head)
	target := h.head
	if h.zero {
		z, err := k.zeroPage()
		if err != nil {
			return err
		}
		target = z
	}
	table, err := k.newTable()
	if err != nil {
		return err
	}
	e = k.ReadPTE(addr) // making the table may have cleared its Accessed bit
	bits := e & (mmu.Present | mmu.Writable | mmu.User | mmu.WriteThru | mmu.NoCache | mmu.Accessed |
		mmu.Dirty | mmu.Global | mmu.NoExec | protNone)
	g := k.cfg.Geometry
	n := uint64(1) << g.BitsPerLevel
	for i := uint64(0); i < n; i++ {
		f := target
		if !h.zero {
			f = h.head + i
			fi := k.frames.info(f)
			fi.kind, fi.hp = anonFrame, h
			fi.rmap = append(fi.rmap, pteRef{p, base + i<<g.PageShift})
		}
		k.WritePTE(table+i*uint64(g.EntryBytes), mmu.MakePTE(f, bits))
	}
	k.WritePTE(addr, mmu.MakePTE(table>>g.PageShift, mmu.Present|mmu.Writable|mmu.User))
	k.invalidate(p, base)
	k.note(p, Faults{Splits: 1})
	if !h.zero {
		h.ptes += int(n)
		h.removeRef(p, base)
		if len(h.rmap) == 0 {
			k.dissolve(h)
		}
	}
	return nil
}

// dissolve turns a transparent huge page no entry maps whole any more into
// 512 pages: those some entry still maps go under the clock, the rest are
// freed (Linux's split_huge_page, done at once rather than deferred).
func (k *Kernel) dissolve(h *hugePage) {
	delete(k.huge, h.head)
	n := h.frames(k)
	for f := h.head; f < h.head+n; f++ {
		fi := k.frames.infos[f]
		if fi == nil || len(fi.rmap) == 0 {
			k.freeFrame(f)
			continue
		}
		fi.hp = nil
		k.frames.enterRing(f)
	}
}

// splitRange splits the transparent huge pages p maps across start or end
// (munmap, mprotect or madvise of part of one, or an area cut there).
func (k *Kernel) splitRange(p *Process, start, end uint64) error {
	if k.cfg.THP == THPNever && k.hugeZero == nil {
		return nil
	}
	size := uint64(1) << k.hugeShift(2)
	for _, cut := range []uint64{start, end} {
		if cut&(size-1) == 0 {
			continue
		}
		e, _, level := k.lookup(p, cut)
		if level != 2 || !k.isHuge(e, 2) {
			continue
		}
		if h := k.huge[k.frameOf(e)]; h != nil && h.pool == nil {
			if err := k.splitHuge(p, k.hugeBase(cut, 2)); err != nil {
				return err
			}
		}
	}
	return nil
}

// reclaimHuge is reclaim's step for a transparent huge page under the
// clock: a page used since the last sweep is passed over; else every entry
// that maps it whole is split (the page becomes 512 pages, which reclaim
// then swaps one by one: Linux splits before swapping too). The page
// tables the split needs come from the frames kept in reserve. It reports
// whether the page was split.
func (k *Kernel) reclaimHuge(h *hugePage) bool {
	used := false
	for _, r := range h.rmap {
		e, addr, _ := k.lookup(r.p, r.va)
		if addr != 0 && e&mmu.Accessed != 0 {
			used = true
			k.WritePTE(addr, e&^mmu.Accessed)
		}
	}
	if used {
		return false
	}
	k.inReclaim = true
	defer func() { k.inReclaim = false }()
	for _, r := range slices.Clone(h.rmap) {
		if k.splitHuge(r.p, r.va) != nil {
			return false
		}
	}
	return true
}

// AnonHuge is the memory p maps with transparent huge pages, in bytes
// (Linux's AnonHugePages in /proc/PID/smaps_rollup: the huge zero page and
// MAP_HUGETLB pages are not counted).
func (k *Kernel) AnonHuge(p *Process) uint64 {
	n := uint64(0)
	for _, v := range p.MM.VMAs {
		if v.File != nil || v.Shared || v.HugeLevel != 0 {
			continue
		}
		k.forEachLeaf(p, v.Start, v.End, func(_, _ uint64, e mmu.PTE, level int) {
			if h := k.hugeOf(e); level > 1 && h != nil && !h.zero && h.pool == nil {
				n += 1 << k.hugeShift(level)
			}
		})
	}
	return n
}
