package annotate

import "fmt"

// pageSize is the alignment of a load base.
const pageSize = 4096

// FindBase finds where a run loaded a position-independent program, from
// the instructions its trace fetched (ips, in any order): the program's
// entry point runs before any of its other code, so an IP at the entry's
// offset in a page is a candidate base (IP minus the entry, page-aligned).
// Of the candidates, the one under which the most of ips fall in the
// program's functions wins (the lowest of equals). valgrind's loader puts
// a PIE at 0x108000; Linux, with address randomisation, anywhere. A
// program that is not position-independent runs where its file says
// (base 0).
func (b *Binary) FindBase(ips []uint64) (uint64, error) {
	if !b.PIE {
		return 0, b.CheckBase(0, ips)
	}
	best, bestScore := uint64(0), 0
	seen := map[uint64]bool{}
	for _, ip := range ips {
		base := ip - b.Entry
		if base%pageSize != 0 || seen[base] {
			continue
		}
		seen[base] = true
		if n := b.score(base, ips); n > bestScore || n == bestScore && n > 0 && base < best {
			best, bestScore = base, n
		}
	}
	if bestScore == 0 {
		return 0, fmt.Errorf("%s is position-independent and no instruction of the trace is at its entry point "+
			"(%#x plus a base): is the trace this program's? --base gives the base it was loaded at", b.Path, b.Entry)
	}
	return best, nil
}

// CheckBase makes sure that with the program at base, some of ips fall in
// its functions: a trace of another program gives an error rather than a
// table of nothing.
func (b *Binary) CheckBase(base uint64, ips []uint64) error {
	if b.score(base, ips) == 0 {
		return fmt.Errorf("no instruction of the trace is in %s's functions with the program at %#x: "+
			"is the trace this program's? (--base gives the base it was loaded at)", b.Path, base)
	}
	return nil
}

// score counts the ips that fall in the program's functions with the
// program at base.
func (b *Binary) score(base uint64, ips []uint64) int {
	n := 0
	for _, ip := range ips {
		if a := ip - base; b.inText(a) {
			if _, ok := b.Function(a); ok {
				n++
			}
		}
	}
	return n
}
