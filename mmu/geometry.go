package mmu

import "fmt"

// Geometry is the shape of a radix page table: how a virtual address splits
// into one index per level and a page offset. Levels are numbered from the
// leaf up: level 1 holds the entries that map the smallest pages (x86-64's
// PT), level Levels is the root (PML4, or PML5 with five levels).
type Geometry struct {
	Name         string
	Levels       int
	BitsPerLevel int
	PageShift    uint // log2 of the smallest page's size
	VABits       uint
	PABits       uint
	// LargeLevels are the levels whose entries may map a page themselves
	// (the PS bit): x86-64 maps 2 MiB pages at level 2 and 1 GiB at level 3.
	LargeLevels []int
	// EntryBytes is the size of one entry in memory (8 on x86-64).
	EntryBytes int
}

// Geometries are the built-in page-table shapes.
var Geometries = map[string]Geometry{
	// Intel SDM Vol. 3A §4.5: 4-level paging, 48-bit linear addresses,
	// 9 bits per level, 4 KiB pages, 2 MiB (PDE.PS) and 1 GiB (PDPTE.PS).
	"x86-64": {Name: "x86-64", Levels: 4, BitsPerLevel: 9, PageShift: 12, VABits: 48, PABits: 52, LargeLevels: []int{2, 3}, EntryBytes: 8},
	// SDM §4.5 with CR4.LA57: 5-level paging, 57-bit linear addresses.
	"x86-64-5level": {Name: "x86-64-5level", Levels: 5, BitsPerLevel: 9, PageShift: 12, VABits: 57, PABits: 52, LargeLevels: []int{2, 3}, EntryBytes: 8},
	// CS:APP 3e §9.6.4: 14-bit virtual and 12-bit physical addresses,
	// 64-byte pages, a single-level table of 256 entries.
	"csapp-small": {Name: "csapp-small", Levels: 1, BitsPerLevel: 8, PageShift: 6, VABits: 14, PABits: 12, EntryBytes: 8},
}

// Validate reports a geometry that does not add up.
func (g Geometry) Validate() error {
	switch {
	case g.Levels < 1 || g.Levels > 6:
		return fmt.Errorf("page table: %d levels (1 to 6)", g.Levels)
	case g.BitsPerLevel < 1 || g.BitsPerLevel > 16:
		return fmt.Errorf("page table: %d bits per level (1 to 16)", g.BitsPerLevel)
	case g.PageShift < 4 || g.PageShift > 30:
		return fmt.Errorf("page table: page shift %d (pages of 16 B to 1 GiB)", g.PageShift)
	case uint(g.Levels*g.BitsPerLevel)+g.PageShift != g.VABits:
		return fmt.Errorf("page table: %d levels x %d bits + %d offset bits = %d, not the %d-bit virtual address",
			g.Levels, g.BitsPerLevel, g.PageShift, uint(g.Levels*g.BitsPerLevel)+g.PageShift, g.VABits)
	case g.VABits > 64:
		return fmt.Errorf("page table: %d-bit virtual addresses (at most 64)", g.VABits)
	case g.PABits < g.PageShift || g.PABits > 52:
		return fmt.Errorf("page table: %d-bit physical addresses (from the page offset, %d, to 52)", g.PABits, g.PageShift)
	case g.EntryBytes != 8:
		return fmt.Errorf("page table: %d-byte entries (only 8, the x86-64 format, is modelled)", g.EntryBytes)
	case (1<<g.BitsPerLevel)*g.EntryBytes > 1<<g.PageShift && g.Levels > 1:
		return fmt.Errorf("page table: a table of %d entries does not fit a %d-byte page", 1<<g.BitsPerLevel, 1<<g.PageShift)
	}
	for _, l := range g.LargeLevels {
		if l < 2 || l > g.Levels {
			return fmt.Errorf("page table: large pages at level %d (2 to %d)", l, g.Levels)
		}
	}
	return nil
}

// Index is the entry number va selects in a table at level.
func (g Geometry) Index(va uint64, level int) uint64 {
	return va >> g.ShiftAt(level) & (1<<g.BitsPerLevel - 1)
}

// ShiftAt is log2 of the size of the region an entry at level maps: the page
// size for level 1, 2 MiB for x86-64 level 2, and so on.
func (g Geometry) ShiftAt(level int) uint {
	return g.PageShift + uint((level-1)*g.BitsPerLevel)
}

// Large reports whether entries at level may map pages.
func (g Geometry) Large(level int) bool {
	for _, l := range g.LargeLevels {
		if l == level {
			return true
		}
	}
	return false
}

// InRange reports whether va fits the virtual address width. (x86-64's
// canonical upper half is left out: traces are of user space.)
func (g Geometry) InRange(va uint64) bool {
	return g.VABits == 64 || va>>g.VABits == 0
}

// TableBytes is the size of one table in memory.
func (g Geometry) TableBytes() uint64 { return uint64(g.EntryBytes) << g.BitsPerLevel }
