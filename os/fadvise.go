package os

import "github.com/vmemu/vmemu/sim"

// Fadvise is posix_fadvise(fd, off, length, advice) (length 0: to the end
// of the file). POSIX_FADV_DONTNEED drops the page-cache pages wholly in
// the range that no area maps and that are clean, and starts writing back
// the dirty ones (without waiting: they stay cached); POSIX_FADV_WILLNEED
// reads the range ahead; POSIX_FADV_SEQUENTIAL doubles the readahead window,
// POSIX_FADV_RANDOM reads only what is asked, POSIX_FADV_NORMAL undoes
// both. The readahead state is the file's, not the open file's, here.
func (k *Kernel) Fadvise(now sim.Cycle, p *Process, fd int, off, length uint64, advice int) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) {
		of := p.fds[fd]
		if of == nil || of.f == nil {
			return 0, EBADF
		}
		f, ra := of.f, k.fileRA(of.f)
		end := off + length
		if length == 0 || end < off {
			end = ^uint64(0)
		}
		switch advice {
		case FadvNormal, FadvSequential:
			ra.pages, ra.random = k.cfg.Readahead>>k.pageShift(), false
			if advice == FadvSequential {
				ra.pages *= 2
			}
		case FadvRandom:
			ra.random = true
		case FadvWillneed:
			last := min(end, f.Size())
			if last > off {
				k.forceRA(p, f, ra, off>>k.pageShift(), (last-1)>>k.pageShift()-off>>k.pageShift()+1, pageSpan{})
			}
		case FadvDontneed:
			k.dropCache(f, off, end)
		default:
			return 0, EINVAL
		}
		return 0, OK
	})
}

// dropCache is POSIX_FADV_DONTNEED's work on the pages of [off, end).
func (k *Kernel) dropCache(f *File, off, end uint64) {
	first := (off + k.pageSize() - 1) >> k.pageShift()
	for _, idx := range sortedKeys(f.pages) {
		lo, hi := idx<<k.pageShift(), (idx+1)<<k.pageShift()
		if idx < first || (hi > end && end < f.Size()) || lo >= end {
			continue
		}
		fr := f.pages[idx]
		fi := k.frames.infos[fr]
		switch {
		case len(fi.rmap) > 0 || fi.arrive > k.t || k.pinned[fr]:
		case fi.dirty:
			k.startWriteBack(fr)
		default:
			delete(f.pages, idx)
			k.freeFrame(fr)
		}
	}
}

// startWriteBack writes a dirty page-cache page to its file without
// waiting for the disk; the page is clean from then on.
func (k *Kernel) startWriteBack(frame uint64) {
	now := k.t
	if k.writeBack(frame) == nil {
		k.t = now
	}
}
