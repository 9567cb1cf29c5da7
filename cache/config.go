package cache

import (
	"fmt"
	"math/bits"

	"github.com/vmemu/vmemu/replacement"
	"github.com/vmemu/vmemu/sim"
)

// WritePolicy says what a write does to this level and the ones below.
type WritePolicy uint8

const (
	WriteBack    WritePolicy = iota // mark the line dirty; write it down when evicted
	WriteThrough                    // pass every write down at once; lines stay clean
	// WriteAsRead handles a write exactly like a read: no dirty state and no
	// write traffic at all. It is cachegrind's model.
	WriteAsRead
)

// Inclusion is a level's relation to the levels above it.
type Inclusion uint8

const (
	NonInclusive Inclusion = iota // fills go to every level on the way; evictions are independent
	Inclusive                     // an eviction here invalidates the line above (back-invalidation)
	Exclusive                     // a line lives here or above, never both: this level holds victims
)

// Straddle says what an access that covers more than one line does.
type Straddle uint8

const (
	// StraddleFirst ignores the size: the access touches the line of its
	// first byte only (the Cache Lab reference simulator).
	StraddleFirst Straddle = iota
	// StraddleLines looks up every line the access covers and sends the
	// missing ones down, each on its own. The access counts once, and as a
	// miss if any line missed.
	StraddleLines
	// StraddleWhole counts and looks up like StraddleLines, but on a miss it
	// sends the whole access down, so the level below looks up every line
	// again (cachegrind).
	StraddleWhole
)

// Config is one level's geometry and policies. Sizes are in bytes,
// latencies in core cycles.
type Config struct {
	Name     string
	Size     uint64
	Ways     int
	LineSize int
	Latency  sim.Cycle // from request to data on a hit; a miss is known this late too
	MSHRs    int       // misses that can be in flight at once
	// Replacement names the policy that chooses the victim in a full set,
	// one registered in package replacement (empty: replacement.Default).
	Replacement string
	Write       WritePolicy
	// WriteAllocate fetches the line on a write miss; without it the write
	// goes down and the line is not filled.
	WriteAllocate bool
	Inclusion     Inclusion
	Straddle      Straddle
	Seed          uint64 // for random replacement
	Prefetch      PrefetchConfig
	Bandwidth     Bandwidth
}

// replacementConfig is what the replacement policy is built for.
func (c Config) replacementConfig() replacement.Config {
	return replacement.Config{Sets: c.Sets(), Ways: c.Ways, Seed: c.Seed, Name: c.Name}
}

// Sets is the number of sets the geometry gives.
func (c Config) Sets() int {
	if c.Ways <= 0 || c.LineSize <= 0 {
		return 0
	}
	return int(c.Size / uint64(c.Ways*c.LineSize))
}

// Validate reports a geometry or policy that cannot exist, with the reason.
func (c Config) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s: "+format, append([]any{c.Name}, a...)...)
	}
	switch {
	case c.LineSize <= 0 || bits.OnesCount(uint(c.LineSize)) != 1:
		return bad("line size %d is not a power of two", c.LineSize)
	case c.Ways <= 0:
		return bad("ways must be at least 1, not %d", c.Ways)
	case c.Size == 0:
		return bad("size must be positive")
	case c.Size%uint64(c.Ways*c.LineSize) != 0:
		return bad("size %d B is not a multiple of ways x line (%d x %d B)", c.Size, c.Ways, c.LineSize)
	case bits.OnesCount64(uint64(c.Sets())) != 1:
		return bad("%d sets (size / (ways x line)) is not a power of two", c.Sets())
	case c.MSHRs <= 0:
		return bad("mshrs must be at least 1, not %d", c.MSHRs)
	case c.Write > WriteAsRead:
		return bad("unknown write policy %d", c.Write)
	case c.Inclusion > Exclusive:
		return bad("unknown inclusion %d", c.Inclusion)
	case c.Straddle > StraddleWhole:
		return bad("unknown straddle mode %d", c.Straddle)
	}
	if err := c.Bandwidth.check(); err != nil {
		return bad("%v", err)
	}
	if err := replacement.Check(c.Replacement, c.replacementConfig()); err != nil {
		return bad("%v", err)
	}
	return c.checkPrefetch()
}
