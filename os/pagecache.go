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
	disk  *disk.File
	pages map[uint64]uint64 // page index -> frame
}

// Size is the file's length in bytes.
func (f *File) Size() uint64 { return f.disk.Size() }

// cachedPage returns the frame holding page index of f, reading it from the
// disk if it is not in the page cache (major).
func (k *Kernel) cachedPage(f *File, index uint64) (frame uint64, major bool, err error) {
	if fr, ok := f.pages[index]; ok {
		return fr, false, nil
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
		k.t = done
	}
	k.mem.Write(frame<<k.pageShift(), buf)
	fi := k.frames.info(frame)
	fi.kind, fi.file, fi.index = fileFrame, f, index
	f.pages[index] = frame
	k.frames.reserve(frame)
	k.frames.enterRing(frame)
	k.N.PageCacheReads++
	return frame, true, nil
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
