package os

import "github.com/vmemu/vmemu/mmu"

// The zero page (Linux's ZERO_PAGE, mm/memory.c do_anonymous_page): a read
// fault on private anonymous memory maps one shared frame of zeros,
// read-only, instead of a page of its own; the first write faults again
// and gets a fresh zeroed page (wp_page_copy). The frame is the kernel's:
// it is never reclaimed, swapped or freed, and, as in Linux, no reverse map
// is kept of the entries that name it (CheckInvariants finds them all by
// walking the tables, and checks they are read-only and the frame still
// zero).

// zeroPage returns the zero page's frame, taking a frame for it at its
// first use.
func (k *Kernel) zeroPage() (uint64, error) {
	if k.zero != 0 {
		return k.zero, nil
	}
	f, err := k.allocFrame()
	if err != nil {
		return 0, err
	}
	k.mem.Zero(f<<k.pageShift(), k.pageSize())
	k.frames.info(f).kind = zeroFrame
	k.zero = f
	return f, nil
}

// usesZeroPage reports whether a read fault in v maps the zero page.
func (k *Kernel) usesZeroPage(v *VMA) bool {
	return k.cfg.ZeroPage && v.File == nil && !v.Shared && v.HugeLevel == 0
}

// mapZeroPage maps the zero page read-only at va (a read fault of fresh
// private anonymous memory).
func (k *Kernel) mapZeroPage(p *Process, v *VMA, va uint64) error {
	z, err := k.zeroPage()
	if err != nil {
		return err
	}
	addr, err := k.leafAddr(p, va, true)
	if err != nil {
		return err
	}
	k.WritePTE(addr, mmu.MakePTE(z, leafFlags(v, false)))
	k.countFault(p, false)
	k.note(p, Faults{ZeroPage: 1})
	return nil
}
