package os

import (
	"errors"

	"github.com/vmemu/vmemu/disk"
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

// PlaceFile puts a file with these bytes on the emulated disk (a scenario's
// or the command line's host file), without taking time.
func (k *Kernel) PlaceFile(name string, data []byte) (*File, error) {
	if k.fs == nil {
		return nil, errors.New("the machine has no disk (disk.model: none)")
	}
	df, err := k.fs.Create(name, data)
	if err != nil {
		return nil, err
	}
	f := &File{Name: name, disk: df, pages: map[uint64]uint64{}}
	k.files[name] = f
	return f, nil
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
		size := of.f.Size()
		if of.off >= size {
			return 0, OK
		}
		n = min(n, size-of.off)
		done := uint64(0)
		for done < n {
			off := of.off + done
			frame, err := k.readPage(p, of.f, off>>k.pageShift(), (of.off+n-1)>>k.pageShift())
			if err != nil {
				return done, ENOMEM
			}
			chunk := min(n-done, k.pageSize()-off&(k.pageSize()-1))
			data := make([]byte, chunk)
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
func (k *Kernel) Write(now sim.Cycle, p *Process, fd int, buf, n uint64) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) {
		of := p.fds[fd]
		if of == nil || (!of.stdout && of.flags&3 == OpenRead) {
			return 0, EBADF
		}
		data, ok := k.copyIn(p, buf, n)
		if !ok {
			return 0, EFAULT
		}
		k.t += sim.Cycle((n+63)/64) * k.cfg.Costs.PerByte
		if of.stdout {
			p.Stdout.Write(data)
			return n, OK
		}
		if err := k.writeFile(of.f, of.off, data); err != nil {
			return 0, ENOSPC
		}
		of.off += n
		return n, OK
	})
}

// writeFile puts data at off of f's page cache, growing the file.
func (k *Kernel) writeFile(f *File, off uint64, data []byte) error {
	if end := off + uint64(len(data)); end > f.Size() {
		// Grow the file on the disk first (zeros), so pages past the old
		// end exist to be cached and written back.
		grow := make([]byte, end-f.Size())
		done, err := f.disk.WriteAt(k.t, grow, f.Size())
		if err != nil {
			return err
		}
		k.t = done
	}
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

// Msync is msync(addr, length): the dirty pages of shared file areas in the
// range go to their files.
func (k *Kernel) Msync(now sim.Cycle, p *Process, addr, length uint64) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) {
		if !k.pageAligned(addr) {
			return 0, EINVAL
		}
		end := addr + k.roundUp(length)
		for _, v := range p.MM.VMAs {
			if v.End <= addr || v.Start >= end || !v.Shared || v.File == nil || v.File.anon {
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

// copyIn reads n bytes of p's memory at va.
func (k *Kernel) copyIn(p *Process, va, n uint64) ([]byte, bool) {
	out := make([]byte, n)
	for done := uint64(0); done < n; {
		pa, ok := k.userPage(p, va+done, false)
		if !ok {
			return nil, false
		}
		chunk := min(n-done, k.pageSize()-(va+done)&(k.pageSize()-1))
		k.mem.Read(pa, out[done:done+chunk])
		done += chunk
	}
	return out, true
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
