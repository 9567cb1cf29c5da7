package tlb

import (
	"fmt"
	"math/bits"
	"slices"

	"github.com/vmemu/vmemu/replacement"
	"github.com/vmemu/vmemu/sim"
)

// Config is one TLB's geometry and policy.
type Config struct {
	Name    string    // prefix of its counters: "dtlb", "stlb"
	Entries int       // total entries
	Ways    int       // entries per set; Entries/Ways sets, a power of two
	Latency sim.Cycle // hit latency the MMU charges
	// Replacement names the policy that chooses the victim in a full set,
	// one registered in package replacement (empty: replacement.Default).
	Replacement string
	// PageShifts are the page sizes the TLB holds, as log2 of the size:
	// {12} a 4 KiB L1 DTLB, {21} a 2 MiB TLB, {12, 21} a unified STLB.
	// Any order; lookups probe the smallest page first.
	PageShifts []uint
	Seed       uint64 // for random replacement
}

// replacementConfig is what the replacement policy is built for.
func (c Config) replacementConfig() replacement.Config {
	return replacement.Config{Sets: c.Sets(), Ways: c.Ways, Seed: c.Seed, Name: c.Name}
}

// Sets is Entries/Ways, or 0 when Ways is not positive.
func (c Config) Sets() int {
	if c.Ways <= 0 {
		return 0
	}
	return c.Entries / c.Ways
}

// Validate reports a geometry or policy that cannot exist. The message names
// the TLB and the field.
func (c Config) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("tlb %q: "+format, append([]any{c.Name}, a...)...)
	}
	switch {
	case c.Name == "":
		return bad("name: must not be empty (it names the counters)")
	case c.Ways <= 0:
		return bad("ways: must be at least 1, not %d", c.Ways)
	case c.Entries <= 0:
		return bad("entries: must be at least 1, not %d", c.Entries)
	case c.Entries%c.Ways != 0:
		return bad("entries: %d is not a multiple of ways (%d)", c.Entries, c.Ways)
	case bits.OnesCount(uint(c.Sets())) != 1:
		return bad("entries: %d entries / %d ways gives %d sets, not a power of two", c.Entries, c.Ways, c.Sets())
	case len(c.PageShifts) == 0:
		return bad("page_shifts: must list at least one page size")
	}
	if err := replacement.Check(c.Replacement, c.replacementConfig()); err != nil {
		return bad("replacement: %v", err)
	}
	setBits := uint(bits.TrailingZeros(uint(c.Sets())))
	for i, s := range c.PageShifts {
		if s < 1 || s > 63 {
			return bad("page_shifts: shift %d is out of range (1 to 63: 2 B to 8 EiB pages)", s)
		}
		if s+setBits > 64 {
			return bad("page_shifts: shift %d + %d index bits exceeds a 64-bit address", s, setBits)
		}
		if slices.Contains(c.PageShifts[:i], s) {
			return bad("page_shifts: shift %d is listed twice", s)
		}
	}
	return nil
}
