package os

import (
	"math/bits"
)

// Readahead, after Linux's mm/readahead.c and mm/filemap.c (6.18): a
// page-cache miss reads a window of pages in one disk request per run of
// missing pages, and the first page of the window's asynchronous tail is
// marked (PG_readahead) so that its use starts reading the next window
// before the reader gets there. A fault on a file mapping reads around the
// faulting page (do_sync_mmap_readahead); read() and areas advised
// MADV_SEQUENTIAL use the sequential state machine (page_cache_sync_ra,
// page_cache_async_ra), whose window starts small and grows to the
// maximum. A page read ahead is in the page cache at once but arrives when
// its request ends: whoever needs it earlier waits, and a fault that waits
// is major.
//
// Left out: large folios (every page is a folio of its own, as on a file
// system without large-folio support), the block layer's splitting of large
// requests, the device's optimal request size (bdi->io_pages is taken as
// ioPages), the executable-area read-around of recent kernels, and
// context readahead of interleaved streams beyond what page_cache_sync_ra
// does.

// readahead is a file's readahead state (Linux's struct file_ra_state): the
// last window [start, start+size) and its asynchronous tail of async pages.
type readahead struct {
	pages    uint64 // the largest window (ra_pages)
	start    uint64
	size     uint64
	async    uint64
	order    uint   // page_cache_async_ra's folio order, which aligns windows
	mmapMiss uint64 // faults that missed the cache less those that hit it
	prevPos  uint64 // the last byte read() returned; all ones before the first
	random   bool   // POSIX_FADV_RANDOM (FMODE_RANDOM): read only what is asked
}

const (
	// mmapLotsaMiss is Linux's MMAP_LOTSAMISS: past so many more misses
	// than hits, faults on a file stop reading around.
	mmapLotsaMiss = 100
	// ioPages stands for the device's largest request (bdi->io_pages), by
	// which a large read() may exceed the readahead window: 128 KiB.
	ioPages = 32
)

func (k *Kernel) newReadahead() *readahead {
	return &readahead{pages: k.cfg.Readahead >> k.pageShift(), prevPos: ^uint64(0)}
}

// fileRA is the readahead state of a file. Linux keeps one for each open
// file (struct file's f_ra); here every open of a file, and every area
// that maps it, shares one.
func (k *Kernel) fileRA(f *File) *readahead {
	if f.ra == nil {
		f.ra = k.newReadahead()
	}
	return f.ra
}

// areaRA is the readahead state a fault in an area uses: its file's
// (Linux's vma->vm_file->f_ra).
func (k *Kernel) areaRA(v *VMA) *readahead { return k.fileRA(v.File) }

// initRASize is Linux's get_init_ra_size: the first window of a sequential
// read of size pages.
func initRASize(size, limit uint64) uint64 {
	n := uint64(1)
	if size > 1 {
		n = 1 << bits.Len64(size-1) // roundup_pow_of_two
	}
	switch {
	case n <= limit/32:
		return n * 4
	case n <= limit/4:
		return n * 2
	}
	return limit
}

// nextRASize is Linux's get_next_ra_size: the window after one of size cur.
func nextRASize(cur, limit uint64) uint64 {
	switch {
	case cur < limit/16:
		return 4 * cur
	case cur <= limit/2:
		return 2 * cur
	}
	return limit
}

// maxRAPages is Linux's ractl_max_pages: the window's limit, which a read
// larger than it may raise to the device's request size.
func maxRAPages(ra *readahead, req uint64) uint64 {
	if req > ra.pages && ioPages > ra.pages {
		return min(req, ioPages)
	}
	return ra.pages
}

// syncMmapReadahead is Linux's do_sync_mmap_readahead, for a fault at page
// index of v's file that missed the page cache: nothing in an area advised
// MADV_RANDOM; the sequential machine in one advised MADV_SEQUENTIAL; else,
// unless the file misses far more than it hits, the window around the
// page, with its last quarter asynchronous.
func (k *Kernel) syncMmapReadahead(p *Process, v *VMA, index uint64) {
	ra := k.areaRA(v)
	if v.Advice&AdviseRandom != 0 || ra.pages == 0 {
		return
	}
	if v.Advice&AdviseSequential != 0 {
		k.syncRA(p, v.File, ra, index, ra.pages)
		return
	}
	if ra.mmapMiss < mmapLotsaMiss*10 {
		ra.mmapMiss++
	}
	if ra.mmapMiss > mmapLotsaMiss {
		return
	}
	ra.start = index - min(index, ra.pages/2)
	ra.size, ra.async, ra.order = ra.pages, ra.pages/4, 0
	k.readWindow(p, v.File, ra.start, ra.size, ra.async, pageSpan{index, index + 1})
}

// asyncMmapReadahead is Linux's do_async_mmap_readahead, for a fault that
// found page index (in frame) of v's file in the page cache: a hit counts
// against the misses, and a marked page starts the next window.
func (k *Kernel) asyncMmapReadahead(p *Process, v *VMA, frame, index uint64) {
	ra := k.areaRA(v)
	if v.Advice&AdviseRandom != 0 || ra.pages == 0 {
		return
	}
	if ra.mmapMiss > 0 {
		ra.mmapMiss--
	}
	if fi := k.frames.infos[frame]; fi != nil && fi.raMark {
		k.asyncRA(p, v.File, ra, fi, index, ra.pages)
	}
}

// syncRA is Linux's page_cache_sync_ra: a read of req pages at index
// missed the page cache. At the start of the file, for a read larger than
// the window, or right after the last read, a new window starts
// (initRASize); else the pages cached just before index tell how long the
// stream has run, and a short history means a random read of req pages.
func (k *Kernel) syncRA(p *Process, f *File, ra *readahead, index, req uint64) {
	if ra.pages == 0 || ra.random {
		if ra.pages == 0 {
			req = 1
		}
		k.forceRA(p, f, ra, index, req, pageSpan{index, index + req})
		return
	}
	limit := maxRAPages(ra, req)
	prev := ra.prevPos >> k.pageShift()
	if index == 0 || req > limit || index-prev <= 1 {
		ra.start, ra.size = index, initRASize(req, limit)
		ra.async = ra.size >> 1
		if ra.size > req {
			ra.async = ra.size - req
		}
	} else {
		miss := k.prevMiss(f, index-1, limit)
		contig := index - miss - 1
		if contig <= req {
			k.readWindow(p, f, index, req, 0, pageSpan{index, index + req})
			return
		}
		if miss == ^uint64(0) {
			contig *= 2
		}
		ra.start, ra.size, ra.async = index, min(contig+req, limit), 1
	}
	ra.order = 0
	k.readWindow(p, f, ra.start, ra.size, ra.async, pageSpan{index, index + req})
}

// asyncRA is Linux's page_cache_async_ra: page index (fi), marked, was
// reached. If it is where the last window put its mark, the stream goes on:
// the next window follows, grown (nextRASize), all of it asynchronous;
// else the window is rebuilt from the cached pages after index.
func (k *Kernel) asyncRA(p *Process, f *File, ra *readahead, fi *frameInfo, index, req uint64) {
	fi.raMark = false
	if ra.pages == 0 {
		return
	}
	limit := maxRAPages(ra, req)
	if index == ra.start+ra.size-ra.async {
		ra.start += ra.size
		ra.size = max(ra.size, nextRASize(ra.size, limit))
	} else {
		start := k.nextMiss(f, index+1, limit)
		if start-index > limit {
			return
		}
		ra.start = start
		ra.size = nextRASize(start-index+req, limit)
	}
	ra.order += 2
	align := uint64(1) << min(ra.order, uint(bits.TrailingZeros64(limit)))
	end := ra.start + ra.size
	if aligned := end &^ (align - 1); aligned > ra.start {
		ra.size -= end - aligned
	}
	ra.async = ra.size
	ra.order = 0 // page_cache_ra_order: no large folios here
	k.readWindow(p, f, ra.start, ra.size, ra.async, pageSpan{})
}

// forceRA is Linux's force_page_cache_ra: nr pages at index, at most the
// larger of the window and the device's request, in chunks of 2 MiB, with
// no mark (POSIX_FADV_RANDOM, MADV_WILLNEED, a read with readahead off).
// The pages of asked were asked for, the rest are read ahead.
func (k *Kernel) forceRA(p *Process, f *File, ra *readahead, index, nr uint64, asked pageSpan) {
	nr = min(nr, max(ra.pages, ioPages))
	chunk := uint64(2<<20) >> k.pageShift()
	for nr > 0 {
		n := min(chunk, nr)
		k.readWindow(p, f, index, n, 0, asked)
		index, nr = index+n, nr-n
	}
}

// pageSpan is the pages [lo, hi) of a file.
type pageSpan struct{ lo, hi uint64 }

func (s pageSpan) holds(index uint64) bool { return index >= s.lo && index < s.hi }

// prevMiss is Linux's page_cache_prev_miss: the first page not cached
// going down from index, looking at most limit pages; an index more than limit
// below if they are all there, or all ones if the file's start was reached.
func (k *Kernel) prevMiss(f *File, index, limit uint64) uint64 {
	for i := uint64(0); i < limit; i++ {
		if _, ok := f.pages[index]; !ok {
			return index
		}
		if index == 0 {
			return ^uint64(0)
		}
		index--
	}
	return index
}

// nextMiss is Linux's page_cache_next_miss: the first page not cached from
// index up, looking at most limit pages; index+limit if they are all there.
func (k *Kernel) nextMiss(f *File, index, limit uint64) uint64 {
	for i := uint64(0); i < limit; i++ {
		if _, ok := f.pages[index+i]; !ok {
			return index + i
		}
	}
	return index + limit
}

// readWindow is Linux's do_page_cache_ra and page_cache_ra_unbounded: the
// pages [index, index+nr) of f, cut at the end of the file, that are not in
// the page cache go into it, each run of them read with one disk request;
// the page at nr-lookahead gets the mark (unless it was cached already).
// A frame that cannot be had ends the window early, as a failed
// allocation ends Linux's. Pages read outside asked count as read ahead.
func (k *Kernel) readWindow(p *Process, f *File, index, nr, lookahead uint64, asked pageSpan) {
	size := f.Size()
	if size == 0 || f.anon {
		return
	}
	last := (size - 1) >> k.pageShift()
	if index > last {
		return
	}
	nr = min(nr, last-index+1)
	var run []uint64
	runStart, ahead := uint64(0), uint64(0)
	flush := func() {
		k.readRun(f, runStart, run)
		for i := range run {
			if !asked.holds(runStart + uint64(i)) {
				ahead++
			}
		}
		run = run[:0]
	}
	for i := uint64(0); i < nr; i++ {
		idx := index + i
		if _, ok := f.pages[idx]; ok {
			if len(run) > 0 {
				flush()
			}
			continue
		}
		frame, err := k.allocFrame()
		if err != nil {
			break
		}
		k.pin(frame)
		fi := k.frames.info(frame)
		fi.kind, fi.file, fi.index = fileFrame, f, idx
		fi.raMark = lookahead > 0 && lookahead <= nr && i == nr-lookahead
		f.pages[idx] = frame
		k.frames.reserve(frame)
		k.frames.enterRing(frame)
		if len(run) == 0 {
			runStart = idx
		}
		run = append(run, frame)
	}
	if len(run) > 0 {
		flush()
	}
	if ahead > 0 {
		k.note(p, Faults{Readahead: ahead})
	}
}

// readRun reads the pages of f from first into frames with one disk
// request made now; each page arrives when the request ends.
func (k *Kernel) readRun(f *File, first uint64, frames []uint64) {
	ps := k.pageSize()
	off := first << k.pageShift()
	buf := make([]byte, min(uint64(len(frames))*ps, f.Size()-off))
	_, done, err := f.disk.ReadAt(k.t, buf, off)
	if err != nil {
		done = k.t // only a removed file fails here; its pages read as zeros
	}
	for i, fr := range frames {
		page := make([]byte, ps)
		if lo := uint64(i) * ps; lo < uint64(len(buf)) {
			copy(page, buf[lo:])
		}
		k.mem.Write(fr<<k.pageShift(), page)
		k.frames.infos[fr].arrive = done
		k.N.PageCacheReads++
	}
}
