package replacement

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/vmemu/vmemu/sim"
)

// Access is what a policy is told of one access to a set, as ChampSim tells
// its policies (update_replacement_state, find_victim).
type Access struct {
	Set, Way int // Way is -1 when the policy is asked for a victim
	// Addr is the address accessed: for a cache the byte address of the
	// access (the line's first byte for a later line of an access that
	// covers two), for a TLB the virtual address looked up, or on a fill the
	// first address of the page.
	Addr uint64
	IP   uint64   // the instruction behind the access; 0 when none is known
	Kind sim.Kind // fetch, load, store, page-table read, write-back, ...
	Hit  bool     // a hit; else a fill into Way
	// Evicts says a fill replaces a valid line or entry, whose address is
	// Evicted: the line's first byte, or the page's first address.
	Evicts  bool
	Evicted uint64
}

// Policy is one policy's state for every set of one cache or TLB. The owner
// fills empty ways first on its own, and asks Victim only of a full set.
type Policy interface {
	// Update follows every hit and every fill.
	Update(a Access)
	// Victim returns the way to replace in the full set a.Set.
	Victim(a Access) int
	// ClearSet puts set back in the state New gave it.
	ClearSet(set int)
	// Restart, after ClearSet of every set ever used, makes the policy
	// what New would build for c (a cache reuses a released level's
	// arrays for one of the same sets and ways, whose name and seed may
	// differ).
	Restart(c Config)
}

// Config is what a policy is built for.
type Config struct {
	Sets, Ways int
	// Seed and Name give a policy that draws random numbers its stream:
	// sim.NewRNG(Seed).Derive(Name), Name being the cache's or TLB's.
	Seed uint64
	Name string
}

// A Registration is what a policy gives Register.
type Registration struct {
	// New builds the policy for a Config that Check accepted.
	New func(Config) Policy
	// Check reports a shape the policy does not support (nil: any).
	Check func(Config) error
	// Bytes is about what New allocates for a Config, for a machine to
	// know before it builds whether it fits the host (nil: nothing worth
	// counting). Count in 64 bits: the shape may be too large to build.
	Bytes func(Config) uint64
}

var registry = struct {
	sync.RWMutex
	byName map[string]Registration
}{byName: map[string]Registration{}}

// Register makes a policy known by name, for New, Check and Names. It is
// meant for a policy's init function; registering a name twice, or without
// New, panics.
func Register(name string, r Registration) {
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.byName[name]; dup || r.New == nil {
		panic("replacement: policy " + name + " registered twice, or without New")
	}
	registry.byName[name] = r
}

// Names lists the registered policies in alphabetical order.
func Names() []string {
	registry.RLock()
	defer registry.RUnlock()
	names := make([]string, 0, len(registry.byName))
	for n := range registry.byName {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Default is the policy an empty name stands for.
const Default = LRU

// Check reports whether New(name, c) would succeed, building nothing: an
// unknown name (the error lists the known ones), or a shape the policy
// does not support.
func Check(name string, c Config) error {
	_, err := find(name, c)
	return err
}

// Bytes is about what New(name, c) would allocate; 0 for an unknown name.
func Bytes(name string, c Config) uint64 {
	if name == "" {
		name = Default
	}
	registry.RLock()
	r := registry.byName[name]
	registry.RUnlock()
	if r.Bytes == nil {
		return 0
	}
	return r.Bytes(c)
}

func find(name string, c Config) (Registration, error) {
	if name == "" {
		name = Default
	}
	registry.RLock()
	e, ok := registry.byName[name]
	registry.RUnlock()
	switch {
	case !ok:
		return e, fmt.Errorf("unknown replacement policy %q (one of %s)", name, strings.Join(Names(), ", "))
	case c.Sets <= 0 || c.Ways <= 0:
		return e, fmt.Errorf("replacement: %d sets of %d ways", c.Sets, c.Ways)
	case e.Check != nil:
		return e, e.Check(c)
	}
	return e, nil
}
