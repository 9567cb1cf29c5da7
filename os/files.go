package os

import (
	"bytes"
	"errors"
	"io"

	"github.com/vmemu/vmemu/disk"
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

// PlaceFile puts a file with these bytes on the emulated disk (a scenario's
// or the command line's host file), without taking time.
func (k *Kernel) PlaceFile(name string, data []byte) (*File, error) {
	return k.PlaceFileFrom(name, uint64(len(data)), bytes.NewReader(data))
}

// PlaceFileFrom is PlaceFile for a file of size bytes read from src a
// chunk at a time; a size past the file system's free space is refused
// before src is read.
func (k *Kernel) PlaceFileFrom(name string, size uint64, src io.Reader) (*File, error) {
	if k.fs == nil {
		return nil, errors.New("the machine has no disk (disk.model: none)")
	}
	df, err := k.fs.CreateFrom(name, size, src)
	if err != nil {
		return nil, err
	}
	f := &File{Name: name, disk: df, pages: map[uint64]uint64{}}
	k.files[name] = f
	return f, nil
}

// FileSpace is the file system's free bytes and its capacity, or false
// with no disk.
func (k *Kernel) FileSpace() (free, capacity uint64, ok bool) {
	if k.fs == nil {
		return 0, 0, false
	}
	return k.fs.FreeBlocks() * uint64(k.fs.Device().BlockSize()), k.fs.Capacity(), true
}

// FileContents reads a file as it is on the disk (for checks), untimed.
func (k *Kernel) FileContents(name string) ([]byte, error) {
	f := k.files[name]
	if f == nil {
		return nil, disk.ErrNotExist
	}
	return f.disk.Contents()
}

// Open is open(path, flags); O_CREAT makes an empty file.
func (k *Kernel) Open(now sim.Cycle, p *Process, path string, flags int) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) {
		f := k.files[path]
		if f == nil {
			if flags&OpenCreate == 0 || k.fs == nil {
				return 0, ENOENT
			}
			var err error
			if f, err = k.PlaceFile(path, nil); err != nil {
				return 0, ENOSPC
			}
		}
		fd := p.nextFD
		p.nextFD++
		p.fds[fd] = &openFile{f: f, flags: flags}
		return uint64(fd), OK
	})
}

// Close is close(fd).
func (k *Kernel) Close(now sim.Cycle, p *Process, fd int) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) {
		if p.fds[fd] == nil {
			return 0, EBADF
		}
		delete(p.fds, fd)
		return 0, OK
	})
}

// Read is read(fd, buf, n): file bytes through the page cache into p's
// memory at buf.
func (k *Kernel) Read(now sim.Cycle, p *Process, fd int, buf, n uint64) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) {
		of := p.fds[fd]
		if of == nil || of.f == nil || of.flags&3 == OpenWrite {
			return 0, EBADF
		}
		// vfs_read: a buffer not in the user half is EFAULT, and at most
		// MAX_RW_COUNT bytes move.
		if !k.inUserHalf(buf, n) {
			return 0, EFAULT
		}
		n = min(n, k.maxRW())
		size := of.f.Size()
		if of.off >= size {
			return 0, OK
		}
		n = min(n, size-of.off)
		page := make([]byte, k.pageSize())
		done := uint64(0)
		for done < n {
			off := of.off + done
			frame, err := k.readPage(p, of.f, off>>k.pageShift(), (of.off+n-1)>>k.pageShift())
			if err != nil {
				return done, ENOMEM
			}
			chunk := min(n-done, k.pageSize()-off&(k.pageSize()-1))
			data := page[:chunk]
			k.mem.Read(frame<<k.pageShift()|off&(k.pageSize()-1), data)
			if !k.copyOut(p, buf+done, data) {
				return done, EFAULT
			}
			done += chunk
		}
		of.off += n
		k.fileRA(of.f).prevPos = of.off - 1
		k.t += sim.Cycle((n+63)/64) * k.cfg.Costs.PerByte
		return n, OK
	})
}

// readPage is the page-cache side of read(2) (Linux's filemap_get_pages)
// for page index of a read that ends at page last: a miss reads the
// sequential readahead window, a marked page starts the next one, and a
// page on its way is waited for. With readahead off, a miss reads the page
// alone.
func (k *Kernel) readPage(p *Process, f *File, index, last uint64) (uint64, error) {
	if k.cfg.Readahead == 0 {
		fr, _, err := k.cachedPage(f, index)
		return fr, err
	}
	ra := k.fileRA(f)
	if fr, ok := f.pages[index]; ok {
		if fi := k.frames.infos[fr]; fi.raMark {
			k.asyncRA(p, f, ra, fi, index, last-index+1)
		}
	} else {
		k.syncRA(p, f, ra, index, last-index+1)
	}
	fr, _, err := k.cachedPage(f, index)
	return fr, err
}

// Write is write(fd, buf, n): p's bytes at buf to its standard output, or
// into a file through the page cache (written back later, or by msync).
// As Linux's vfs_write, a buffer not in the user half is EFAULT and at most
// MAX_RW_COUNT bytes move; a file takes what the file system has room for
// (a short write, ENOSPC when nothing fits, as generic_perform_write), and
// standard output what is left of stdoutLimit (EFBIG when nothing is, as a
// file past RLIMIT_FSIZE). A range with a hole is EFAULT before anything
// is copied; a fault the kernel cannot mend partway (out of memory) ends
// the write with what was copied kept, as Linux's short write keeps it
// (syscall then makes it ENOMEM, as every call once memory ran out). So the bytes a write
// holds in host memory are what it moves, never the count asked for.
func (k *Kernel) Write(now sim.Cycle, p *Process, fd int, buf, n uint64) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) {
		of := p.fds[fd]
		if of == nil || (!of.stdout && of.flags&3 == OpenRead) {
			return 0, EBADF
		}
		if !k.inUserHalf(buf, n) {
			return 0, EFAULT
		}
		room, full := k.writeRoom(of)
		if n > 0 && room == 0 {
			return 0, full
		}
		n = min(n, k.maxRW(), room)
		if !k.readable(p, buf, n) {
			return 0, EFAULT // a hole: nothing is copied
		}
		// Standard output takes the bytes a page at a time; a file's are
		// gathered first, then go through the page cache.
		data := Pieces{Want: n}
		put := p.Stdout.add
		if !of.stdout {
			put = data.add
		}
		done := k.copyIn(p, buf, n, put)
		if done == 0 && n > 0 {
			return 0, EFAULT
		}
		k.t += sim.Cycle((done+63)/64) * k.cfg.Costs.PerByte
		if of.stdout {
			k.stdoutBytes += done
			return done, OK
		}
		if err := k.writeFile(of.f, of.off, data); err != nil {
			return 0, ENOSPC
		}
		of.off += done
		return done, OK
	})
}

// stdoutLimit is the most the processes write to their standard output in
// all, which the run keeps in host memory for its report: 1 GiB, the
// emulated disk's size.
const stdoutLimit = 1 << 30

// writeRoom is how many bytes a write to of can take, and the errno when it
// can take none: what is left of stdoutLimit, or the room left in the
// file's blocks and the file system's free ones past its offset.
func (k *Kernel) writeRoom(of *openFile) (uint64, Errno) {
	if of.stdout {
		return stdoutLimit - min(k.stdoutBytes, stdoutLimit), EFBIG
	}
	bs := uint64(k.fs.Device().BlockSize())
	room := k.fs.FreeBlocks() * bs
	for _, e := range of.f.disk.Extents() {
		room += e.Blocks * bs
	}
	return room - min(of.off, room), ENOSPC
}

// writeFile puts data at off of f's page cache, growing the file.
func (k *Kernel) writeFile(f *File, off uint64, data Pieces) error {
	if end := off + data.Len(); end > f.Size() {
		// Grow the file on the disk first (zeros), so pages past the old
		// end exist to be cached and written back.
		grow := make([]byte, end-f.Size())
		done, err := f.disk.WriteAt(k.t, grow, f.Size())
		if err != nil {
			return err
		}
		k.t = done
	}
	for _, piece := range data.pieces {
		if err := k.writeCached(f, off, piece); err != nil {
			return err
		}
		off += uint64(len(piece))
	}
	return nil
}

// writeCached puts data into f's cached pages from offset off, marking
// them dirty; the file already reaches past it.
func (k *Kernel) writeCached(f *File, off uint64, data []byte) error {
	for len(data) > 0 {
		frame, _, err := k.cachedPage(f, off>>k.pageShift())
		if err != nil {
			return err
		}
		in := off & (k.pageSize() - 1)
		chunk := min(uint64(len(data)), k.pageSize()-in)
		k.mem.Write(frame<<k.pageShift()|in, data[:chunk])
		k.frames.info(frame).dirty = true
		data, off = data[chunk:], off+chunk
	}
	return nil
}

// Msync is msync(addr, length, MS_SYNC): the dirty pages of shared file
// areas in the range go to their files. As Linux's msync (mm/msync.c): an
// unaligned start is EINVAL; the length rounds up to pages, a range that
// then wraps is ENOMEM and one of no pages does nothing (so a length of
// 2^64-1, which rounds to 0, returns 0 there too); every mapped part is
// written back, and a hole anywhere in the range makes it ENOMEM.
func (k *Kernel) Msync(now sim.Cycle, p *Process, addr, length uint64) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) {
		end := addr + k.roundUp(length)
		switch {
		case !k.pageAligned(addr):
			return 0, EINVAL
		case end < addr:
			return 0, ENOMEM
		case end == addr:
			return 0, OK
		}
		covered := addr // the range is mapped up to here
		hole := false
		for _, v := range p.MM.VMAs {
			if v.End <= addr || v.Start >= end {
				continue
			}
			hole = hole || v.Start > covered
			covered = v.End
			if !v.Shared || v.File == nil || v.File.anon {
				continue
			}
			var err error
			k.forEachLeaf(p, max(v.Start, addr), min(v.End, end), func(va, a uint64, e mmu.PTE, _ int) {
				if e&mmu.Present != 0 && err == nil {
					err = k.writeBack(k.frameOf(e))
				}
			})
			if err != nil {
				return 0, ENOSPC
			}
		}
		if hole || covered < end {
			return 0, ENOMEM
		}
		return 0, OK
	})
}

// userPage returns the physical address of va in p for the kernel to read
// or write, mending faults as the hardware's would be; false after a
// SIGSEGV-worthy fault (the system call returns EFAULT).
func (k *Kernel) userPage(p *Process, va uint64, write bool) (uint64, bool) {
	for tries := 0; tries < 4; tries++ {
		e, addr, level := k.lookup(p, va)
		if e&mmu.Present != 0 && (!write || e&mmu.Writable != 0) {
			bits := mmu.Accessed
			if write {
				bits |= mmu.Dirty
			}
			k.WritePTE(addr, e|bits)
			if level > 1 {
				return k.hugePhys(e, va, level), true
			}
			f := k.frameOf(e)
			if fi := k.frames.infos[f]; write && fi != nil && fi.kind == fileFrame {
				fi.dirty = true
			}
			return f<<k.pageShift() | va&(k.pageSize()-1), true
		}
		cause, kind := mmu.NotPresent, sim.Load
		if write {
			kind = sim.Store
		}
		if e&mmu.Present != 0 {
			cause = mmu.WriteProtect
		}
		f := mmu.Fault{VA: va, Kind: kind, User: true, PCID: p.PCID, Cause: cause}
		v := p.MM.Find(va)
		if v == nil || !v.allows(write, false) || k.pastEOF(v, va) {
			return 0, false // EFAULT, not a signal
		}
		if !k.fault(p, f) {
			return 0, false
		}
	}
	return 0, false
}

// copyOut writes data into p's memory at va.
func (k *Kernel) copyOut(p *Process, va uint64, data []byte) bool {
	for len(data) > 0 {
		pa, ok := k.userPage(p, va, true)
		if !ok {
			return false
		}
		chunk := min(uint64(len(data)), k.pageSize()-va&(k.pageSize()-1))
		k.mem.Write(pa, data[:chunk])
		data, va = data[chunk:], va+chunk
	}
	return true
}

// copyIn reads n bytes of p's memory at va, giving them to put a page at
// a time (in a buffer put must not keep), and returns how many it read: n,
// or fewer when a fault could not be mended.
func (k *Kernel) copyIn(p *Process, va, n uint64, put func([]byte)) uint64 {
	page := make([]byte, k.pageSize())
	done := uint64(0)
	for done < n {
		pa, ok := k.userPage(p, va+done, false)
		if !ok {
			break
		}
		chunk := min(n-done, k.pageSize()-(va+done)&(k.pageSize()-1))
		k.mem.Read(pa, page[:chunk])
		put(page[:chunk])
		done += chunk
	}
	return done
}

// readable says whether areas that may be read cover [va, va+n): the test
// userPage makes of each page, made of the whole range before anything is
// copied, so that a write over a hole takes neither time nor memory.
func (k *Kernel) readable(p *Process, va, n uint64) bool {
	for a, end := va, va+n; a < end; {
		v := p.MM.Find(a)
		if v == nil || !v.allows(false, false) {
			return false
		}
		a = v.End
	}
	return true
}

// Fsync is fsync(fd): the file's dirty pages go to the disk, and the call
// returns when they are there.
func (k *Kernel) Fsync(now sim.Cycle, p *Process, fd int) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) {
		of := p.fds[fd]
		switch {
		case of == nil:
			return 0, EBADF
		case of.f == nil:
			return 0, EINVAL
		}
		for _, idx := range sortedKeys(of.f.pages) {
			if err := k.writeBack(of.f.pages[idx]); err != nil {
				return 0, ENOSPC
			}
		}
		return 0, OK
	})
}
