package os

import "slices"

// Shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS; Linux's shmem, the
// object behind /dev/zero): an object with a page cache of its own and no
// file on the disk. Its pages start zeroed; every area that maps it, in
// this process or in children forked since, shares them; under memory
// pressure they go to swap like anonymous pages (the object remembers the
// slot, as shmem keeps swap entries in its page cache) and come back on the
// next fault. The object and its pages live as long as some area maps it.
// A shared MAP_HUGETLB area is such an object whose pages are huge.

// newShmem makes an empty shared anonymous object.
func (k *Kernel) newShmem(name string) *File {
	f := &File{Name: name, anon: true, pages: map[uint64]uint64{}, swap: map[uint64]int{}}
	k.objects[f] = true
	return f
}

// shmemPage returns the frame of page index of a shared anonymous object:
// from its page cache, read back from swap (read is then true: it waited
// for the disk), or a new zeroed page.
func (k *Kernel) shmemPage(p *Process, f *File, index uint64) (frame uint64, read bool, err error) {
	if fr, ok := f.pages[index]; ok {
		k.await(fr)
		return fr, false, nil
	}
	if frame, err = k.allocFrame(); err != nil {
		return 0, false, err
	}
	k.pin(frame)
	if slot, ok := f.swap[index]; ok {
		buf := make([]byte, k.pageSize())
		done, err := k.swap.ReadPage(k.t, slot, buf)
		if err != nil {
			return 0, false, err
		}
		k.t, k.waited, read = done, true, true
		k.mem.Write(frame<<k.pageShift(), buf)
		delete(f.swap, index)
		k.swap.Free(slot)
		k.N.SwapIns++
		if p != nil {
			p.N.SwapIns++
		}
		k.note(p, Faults{SwapIns: 1})
	} else {
		k.zeroFrame(frame)
	}
	fi := k.frames.info(frame)
	fi.kind, fi.file, fi.index = fileFrame, f, index
	f.pages[index] = frame
	k.frames.reserve(frame)
	k.frames.enterRing(frame)
	return frame, read, nil
}

// evictShmem writes a page of a shared anonymous object to swap and drops
// it: every entry that maps it is cleared, as for a file page.
func (k *Kernel) evictShmem(f uint64, fi *frameInfo) error {
	slot, err := k.swapOut(f)
	if err != nil {
		return err
	}
	k.dropMappings(fi)
	fi.file.swap[fi.index] = slot
	delete(fi.file.pages, fi.index)
	return nil
}

// dropObjects frees the shared anonymous objects of areas just removed that
// no area of any process maps any more: their pages, swap slots and
// MAP_HUGETLB promises.
func (k *Kernel) dropObjects(removed []*VMA) {
	for _, v := range removed {
		if v.File == nil || !v.File.anon || !k.objects[v.File] || k.objectMapped(v.File) {
			continue
		}
		f := v.File
		delete(k.objects, f)
		for _, idx := range sortedKeys(f.pages) {
			if fr := f.pages[idx]; k.huge[fr] != nil {
				k.putHuge(k.huge[fr])
			} else {
				k.freeFrame(fr)
			}
		}
		for _, idx := range sortedKeys(f.swap) {
			if k.swap != nil {
				k.swap.Free(f.swap[idx])
			}
		}
		if f.hugeLevel > 0 {
			k.pools[f.hugeLevel-2].reserved -= f.resv
		}
		f.pages, f.swap, f.resv = map[uint64]uint64{}, map[uint64]int{}, 0
	}
}

// objectMapped reports whether an area of a live process maps f.
func (k *Kernel) objectMapped(f *File) bool {
	for _, p := range k.procs {
		for _, v := range p.MM.VMAs {
			if v.File == f {
				return true
			}
		}
	}
	return false
}

// sortedKeys returns a map's page indexes in order, so that what is done
// to each happens in the same order every run.
func sortedKeys[V any](m map[uint64]V) []uint64 {
	keys := make([]uint64, 0, len(m))
	for i := range m {
		keys = append(keys, i)
	}
	slices.Sort(keys)
	return keys
}
