package os

import (
	"fmt"

	"github.com/vmemu/vmemu/mmu"
)

// CheckInvariants cross-checks the kernel's books: every present or
// PROT_NONE entry of every live process names a page frame whose reverse
// map names the entry back, every page-cache page is a file frame of its
// file, every swap entry counts in its slot's references. Tests call it;
// it costs a walk of every table.
func (k *Kernel) CheckInvariants() error {
	refs := map[uint64]int{}
	slots := map[int]int{}
	var err error
	for _, p := range k.procs {
		if p.Exited {
			continue
		}
		for _, v := range p.MM.VMAs {
			k.forEachLeaf(p, v.Start, v.End, func(va, addr uint64, e mmu.PTE) {
				if err != nil {
					return
				}
				switch {
				case e&swapped != 0:
					slots[int(k.frameOf(e))]++
				case e&(mmu.Present|protNone) != 0:
					f := k.frameOf(e)
					fi := k.frames.infos[f]
					if fi == nil {
						err = fmt.Errorf("pid %d va %#x maps frame %#x, which the kernel does not know", p.PID, va, f)
						return
					}
					found := false
					for _, r := range fi.rmap {
						if r.p == p && r.va == va {
							found = true
						}
					}
					if !found {
						err = fmt.Errorf("pid %d va %#x maps frame %#x (kind %d), whose reverse map lacks it", p.PID, va, f, fi.kind)
					}
					refs[f]++
				}
			})
		}
	}
	if err != nil {
		return err
	}
	for f, fi := range k.frames.infos {
		if fi.kind != otherFrame && len(fi.rmap) != refs[f] {
			return fmt.Errorf("frame %#x (kind %d) has %d reverse-map entries, %d entries map it", f, fi.kind, len(fi.rmap), refs[f])
		}
		if fi.kind == fileFrame && (fi.file == nil || fi.file.pages[fi.index] != f) {
			return fmt.Errorf("file frame %#x is not in its file's page cache", f)
		}
	}
	for _, file := range k.files {
		for i, f := range file.pages {
			if fi := k.frames.infos[f]; fi == nil || fi.kind != fileFrame || fi.file != file || fi.index != i {
				return fmt.Errorf("page %d of %s: frame %#x is not that page", i, file.Name, f)
			}
		}
	}
	for s, n := range slots {
		if k.swapRefs[s] != n {
			return fmt.Errorf("swap slot %d: %d entries name it, %d counted", s, n, k.swapRefs[s])
		}
	}
	return nil
}
