package os

// faultAround is Linux's do_fault_around with filemap_map_pages
// (mm/memory.c, mm/filemap.c): after a read fault at va of a file area (or
// shared anonymous one), the other pages of the aligned FaultAround window
// around va are mapped too, if they are in the page cache, have arrived
// from the disk and carry no readahead mark (a marked page must fault, to
// start the next window), within the area, its page table and the file.
// They are mapped read-only in a private area, so that a write still
// copies. Hits count against the file's readahead misses.
func (k *Kernel) faultAround(p *Process, v *VMA, va uint64) {
	fa := k.cfg.FaultAround
	if fa == 0 {
		return
	}
	window := va &^ (fa - 1)
	table := uint64(1) << k.hugeShift(2)
	lo := max(window, v.Start)
	hi := min(window+fa, v.End, (va|(table-1))+1)
	f := v.File
	pages := (f.Size() + k.pageSize() - 1) >> k.pageShift()
	mapped := uint64(0)
	for a := lo; a < hi; a += k.pageSize() {
		index := (a - v.Start + v.Offset) >> k.pageShift()
		if a == va || (!f.anon && index >= pages) {
			continue
		}
		frame, ok := f.pages[index]
		if !ok {
			continue
		}
		if fi := k.frames.infos[frame]; fi.arrive > k.t || fi.raMark {
			continue
		}
		if e, addr := k.leaf(p, a); e != 0 || addr == 0 {
			continue
		}
		if k.mapPage(p, a, frame, leafFlags(v, v.Shared), fileFrame) != nil {
			break
		}
		mapped++
	}
	if ra := f.ra; ra != nil {
		ra.mmapMiss -= min(ra.mmapMiss, mapped)
	}
	k.note(p, Faults{FaultAround: mapped})
}
