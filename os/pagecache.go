package os

import (
	"github.com/vmemu/vmemu/disk"
	"github.com/vmemu/vmemu/mmu"
)

// File is a regular file as the kernel holds it: the file on the emulated
// disk and its page cache, so that every process mapping a page of it shares
// one frame.
type File struct {
	Name  string
	disk  *disk.File        // nil for a shared anonymous object
	pages map[uint64]uint64 // page index -> frame (first frame of a huge page)
	ra    *readahead        // the readahead state of read() and fault on it

	// A shared anonymous object (shmem, see shmem.go) has no file on the
	// disk: anon is set, swap holds the slots of its pages in swap, and,
	// for a shared MAP_HUGETLB area, hugeLevel is the level of its huge
	// pages and resv the pages promised it and not faulted yet.
	anon      bool
	swap      map[uint64]int
	hugeLevel int
	resv      int
}

// Size is the file's length in bytes (0 for a shared anonymous object).
func (f *File) Size() uint64 {
	if f.disk == nil {
		return 0
	}
	return f.disk.Size()
}

// cachedPage returns the frame holding page index of f, reading it alone
// from the disk if it is not in the page cache (major), and waiting for it
// if it is still on its way from an earlier readahead.
func (k *Kernel) cachedPage(f *File, index uint64) (frame uint64, major bool, err error) {
	if fr, ok := f.pages[index]; ok {
		k.await(fr)
		return fr, false, nil
	}
	if f.anon {
		return k.shmemPage(nil, f, index)
	}
	frame, err = k.allocFrame()
	if err != nil {
		return 0, false, err
	}
	k.pin(frame)
	buf := make([]byte, k.pageSize())
	off := index << k.pageShift()
	if size := f.Size(); off < size {
		n, done, err := f.disk.ReadAt(k.t, buf[:min(uint64(len(buf)), size-off)], off)
		if err != nil && n == 0 {
			k.freeFrame(frame)
			return 0, false, err
		}
		k.t, k.waited = done, true
	}
	k.mem.Write(frame<<k.pageShift(), buf)
	fi := k.frames.info(frame)
	fi.kind, fi.file, fi.index, fi.arrive = fileFrame, f, index, k.t
	f.pages[index] = frame
	k.frames.reserve(frame)
	k.frames.enterRing(frame)
	k.N.PageCacheReads++
	return frame, true, nil
}

// await waits for a page still on its way from the disk: the path's clock
// moves to its arrival, and a fault that waits is a major one.
func (k *Kernel) await(frame uint64) {
	if fi := k.frames.infos[frame]; fi != nil && fi.arrive > k.t {
		k.t, k.waited = fi.arrive, true
	}
}

// harvestDirty moves the Dirty bits of the entries mapping a page-cache
// frame into the page's dirty flag (clearing them, as msync does).
func (k *Kernel) harvestDirty(frame uint64) {
	fi := k.frames.infos[frame]
	for _, r := range fi.rmap {
		e, addr := k.leaf(r.p, r.va)
		if e&mmu.Dirty != 0 {
			fi.dirty = true
			k.WritePTE(addr, e&^mmu.Dirty)
			k.invalidate(r.p, r.va)
		}
	}
}

// writeBack writes a dirty page-cache page to its file.
func (k *Kernel) writeBack(frame uint64) error {
	k.harvestDirty(frame)
	fi := k.frames.infos[frame]
	f := fi.file
	if f.anon {
		return nil // a shared anonymous page goes to swap, not to a file
	}
	off := fi.index << k.pageShift()
	size := f.Size()
	if !fi.dirty || off >= size {
		fi.dirty = false
		return nil
	}
	buf := make([]byte, min(k.pageSize(), size-off))
	k.mem.Read(frame<<k.pageShift(), buf)
	done, err := f.disk.WriteAt(k.t, buf, off)
	if err != nil {
		return err
	}
	k.t = done
	fi.dirty = false
	k.N.Writebacks++
	return nil
}
