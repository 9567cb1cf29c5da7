package os

import (
	"fmt"
	"sort"
)

// VMA is one area of an address space (CS:APP 9.8): [Start, End), its
// protection, and what backs it.
type VMA struct {
	Start, End uint64
	Prot       int  // ProtRead | ProtWrite | ProtExec
	Shared     bool // MAP_SHARED: writes reach the object; else private copy-on-write
	File       *File
	Offset     uint64 // of Start in the file
	Name       string // for reports: a file name, [heap], [stack], [anon]
	// Advice is what madvise said of the area.
	Advice Advice
	// HugeLevel is, for a MAP_HUGETLB area, the level of the entries that
	// map its pages (2: 2 MiB, 3: 1 GiB); 0 for any other area.
	HugeLevel int
	// Trace marks the one area of a plain trace (MapEverything), which
	// stands for all of a program's memory: text, data, files read, the
	// heap, whose contents the trace does not show. A fault there fills a
	// page of its own, as a write would, never the zero page: a trace that
	// reads memory written before it started would otherwise see all of
	// it as one frame of zeros.
	Trace bool

	resv *hugeResv // a private MAP_HUGETLB area's promised pages
}

// Advice is what madvise(2) said of an area (Linux's VM_HUGEPAGE,
// VM_NOHUGEPAGE, VM_SEQ_READ and VM_RAND_READ flags).
type Advice uint8

const (
	AdviseHugePage   Advice = 1 << iota // MADV_HUGEPAGE: transparent huge pages in madvise mode
	AdviseNoHugePage                    // MADV_NOHUGEPAGE: none, whatever the mode
	AdviseSequential                    // MADV_SEQUENTIAL: read ahead as a sequential reader
	AdviseRandom                        // MADV_RANDOM: no readahead
)

func (v *VMA) String() string {
	perm := []byte("---p")
	if v.Prot&ProtRead != 0 {
		perm[0] = 'r'
	}
	if v.Prot&ProtWrite != 0 {
		perm[1] = 'w'
	}
	if v.Prot&ProtExec != 0 {
		perm[2] = 'x'
	}
	if v.Shared {
		perm[3] = 's'
	}
	return fmt.Sprintf("%x-%x %s %x %s", v.Start, v.End, perm, v.Offset, v.Name)
}

// allows reports whether the area's protection permits an access.
func (v *VMA) allows(write, exec bool) bool {
	switch {
	case write:
		return v.Prot&ProtWrite != 0
	case exec:
		return v.Prot&ProtExec != 0
	}
	return v.Prot&(ProtRead|ProtWrite|ProtExec) != 0 // x86 cannot deny reads of a present page
}

// MM is an address space's list of areas, sorted by start, not overlapping.
type MM struct {
	VMAs     []*VMA
	BrkStart uint64 // the heap's first byte
	Brk      uint64 // the current break
}

// Find returns the area holding va, or nil.
func (mm *MM) Find(va uint64) *VMA {
	i := sort.Search(len(mm.VMAs), func(i int) bool { return mm.VMAs[i].End > va })
	if i < len(mm.VMAs) && mm.VMAs[i].Start <= va {
		return mm.VMAs[i]
	}
	return nil
}

// overlaps reports whether any area meets [start, end).
func (mm *MM) overlaps(start, end uint64) bool {
	i := sort.Search(len(mm.VMAs), func(i int) bool { return mm.VMAs[i].End > start })
	return i < len(mm.VMAs) && mm.VMAs[i].Start < end
}

// insert adds an area; the caller made room for it.
func (mm *MM) insert(v *VMA) {
	i := sort.Search(len(mm.VMAs), func(i int) bool { return mm.VMAs[i].Start >= v.Start })
	mm.VMAs = append(mm.VMAs, nil)
	copy(mm.VMAs[i+1:], mm.VMAs[i:])
	mm.VMAs[i] = v
}

// carve splits areas at start and end so that [start, end) is covered by
// whole areas, and returns those areas.
func (mm *MM) carve(start, end uint64) []*VMA {
	var out []*VMA
	for _, cut := range []uint64{start, end} {
		if v := mm.Find(cut); v != nil && v.Start < cut {
			tail := *v
			tail.Start = cut
			tail.Offset += cut - v.Start
			v.End = cut
			mm.insert(&tail)
		}
	}
	for _, v := range mm.VMAs {
		if v.Start >= start && v.End <= end {
			out = append(out, v)
		}
	}
	return out
}

// remove drops the areas in list.
func (mm *MM) remove(list []*VMA) {
	keep := mm.VMAs[:0]
	for _, v := range mm.VMAs {
		drop := false
		for _, r := range list {
			if v == r {
				drop = true
			}
		}
		if !drop {
			keep = append(keep, v)
		}
	}
	mm.VMAs = keep
}

// gap finds room for length bytes at an address aligned to align (a power
// of two), top-down below limit and above floor (Linux's mmap layout), or
// 0.
func (mm *MM) gap(length, align, floor, limit uint64) uint64 {
	top := limit
	for i := len(mm.VMAs) - 1; i >= -1; i-- {
		bottom := floor
		if i >= 0 {
			bottom = max(mm.VMAs[i].End, floor)
		}
		if i >= 0 && mm.VMAs[i].Start >= top {
			continue
		}
		if top > bottom && top-bottom >= length && (top-length)&^(align-1) >= bottom {
			return (top - length) &^ (align - 1)
		}
		if i >= 0 {
			top = min(top, mm.VMAs[i].Start)
		}
	}
	return 0
}

// clone copies the areas (fork).
func (mm *MM) clone() MM {
	out := MM{BrkStart: mm.BrkStart, Brk: mm.Brk}
	for _, v := range mm.VMAs {
		c := *v
		out.VMAs = append(out.VMAs, &c)
	}
	return out
}
