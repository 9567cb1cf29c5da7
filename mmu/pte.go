package mmu

import "fmt"

// PTE is a page-table entry in the x86-64 format (Intel SDM Vol. 3A
// §4.5, Tables 4-15 to 4-20), whatever the level: the flags below, and the
// frame number of the page or next table in bits 12 and up. For pages
// smaller than 4 KiB (the CS:APP small system's 64-byte pages) the field
// still starts at bit 12 and holds the frame number in that page size.
type PTE uint64

const (
	Present   PTE = 1 << 0  // P
	Writable  PTE = 1 << 1  // R/W: writes allowed
	User      PTE = 1 << 2  // U/S: user-mode accesses allowed
	WriteThru PTE = 1 << 3  // PWT
	NoCache   PTE = 1 << 4  // PCD
	Accessed  PTE = 1 << 5  // A: set by the walker on every use
	Dirty     PTE = 1 << 6  // D: set by the walker on a write (leaf only)
	PageSize  PTE = 1 << 7  // PS: this entry maps a page (levels 2 and 3)
	Global    PTE = 1 << 8  // G: the translation survives CR3 loads (leaf only)
	NoExec    PTE = 1 << 63 // XD/NX: instruction fetches not allowed

	frameShift = 12
)

// MakePTE returns an entry pointing at frame with the given flags.
func MakePTE(frame uint64, flags PTE) PTE { return PTE(frame<<frameShift) | flags }

// Frame is the frame number the entry points at, for a physical address of
// paBits bits and frames of 2^shift bytes.
func (p PTE) Frame(paBits, shift uint) uint64 {
	return uint64(p) >> frameShift & (1<<(paBits-shift) - 1)
}

// ReservedBits returns the bits set that must be zero: physical address bits
// beyond paBits, and (for a large page) the low frame bits below its size,
// except bit 12 (PAT). A set reserved bit is a fault (SDM §4.7, RSVD).
func (p PTE) ReservedBits(paBits, pageShift, leafShift uint, large bool) uint64 {
	hi := uint64(p) & ((1<<52 - 1) &^ (1<<(frameShift+paBits-pageShift) - 1))
	if !large || leafShift <= pageShift {
		return hi
	}
	low := uint64(p) & ((1<<(frameShift+leafShift-pageShift) - 1) &^ (1<<(frameShift+1) - 1))
	return hi | low
}

func (p PTE) String() string {
	flags := ""
	for _, f := range []struct {
		bit  PTE
		name string
	}{{Present, "P"}, {Writable, "W"}, {User, "U"}, {Accessed, "A"}, {Dirty, "D"}, {PageSize, "PS"}, {Global, "G"}, {NoExec, "NX"}} {
		if p&f.bit != 0 {
			flags += " " + f.name
		}
	}
	return fmt.Sprintf("%#x [frame %#x%s]", uint64(p), uint64(p)>>frameShift&(1<<40-1), flags)
}
