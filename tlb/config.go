package tlb

import (
	"fmt"
	"math/bits"
	"slices"

	"github.com/vmemu/vmemu/sim"
)

// Policy chooses the victim in a full set.
type Policy uint8

const (
	LRU    Policy = iota // true least-recently-used
	PLRU                 // tree pseudo-LRU (up to 64 ways; any number of ways)
	FIFO                 // oldest fill first; hits do not refresh
	Random               // seeded uniform choice
)

// PolicyNames are the configuration's names of the policies, in constant order.
var PolicyNames = []string{"lru", "plru", "fifo", "random"}

func (p Policy) String() string {
	if int(p) < len(PolicyNames) {
		return PolicyNames[p]
	}
	return fmt.Sprintf("?%d", uint8(p))
}

// ParsePolicy returns the policy called name (one of PolicyNames).
func ParsePolicy(name string) (Policy, error) {
	if i := slices.Index(PolicyNames, name); i >= 0 {
		return Policy(i), nil
	}
	return 0, fmt.Errorf("replacement: unknown policy %q (want one of %v)", name, PolicyNames)
}

// Config is one TLB's geometry and policy.
type Config struct {
	Name        string    // prefix of its counters: "dtlb", "stlb"
	Entries     int       // total entries
	Ways        int       // entries per set; Entries/Ways sets, a power of two
	Latency     sim.Cycle // hit latency the MMU charges
	Replacement Policy
	// PageShifts are the page sizes the TLB holds, as log2 of the size:
	// {12} a 4 KiB L1 DTLB, {21} a 2 MiB TLB, {12, 21} a unified STLB.
	// Any order; lookups probe the smallest page first.
	PageShifts []uint
	Seed       uint64 // for Random replacement
}

// MaxPLRUWays is the most ways tree pseudo-LRU supports (its bits fit a uint64).
const MaxPLRUWays = 64

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
	case c.Replacement > Random:
		return bad("replacement: unknown policy %d", c.Replacement)
	case c.Replacement == PLRU && c.Ways > MaxPLRUWays:
		return bad("ways: tree-PLRU supports at most %d ways, not %d", MaxPLRUWays, c.Ways)
	case len(c.PageShifts) == 0:
		return bad("page_shifts: must list at least one page size")
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
