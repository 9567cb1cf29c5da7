package prefetch

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// A Registration is what a prefetcher gives Register.
type Registration struct {
	New   func(Config) Prefetcher
	Where Where
	Doc   string // one line: what it does and after whom
}

var registry = struct {
	sync.RWMutex
	byName map[string]Registration
}{byName: map[string]Registration{}}

// None is the name of no prefetcher at all.
const None = "none"

// Register makes a prefetcher known by name, for New, Names and the
// configuration's prefetcher keys. It is meant for a prefetcher's init
// function; registering a name twice, none, or without New, panics.
func Register(name string, r Registration) {
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.byName[name]; dup || r.New == nil || name == None || name == "" {
		panic("prefetch: prefetcher " + name + " registered twice, as none, or without New")
	}
	registry.byName[name] = r
}

// Names lists none and the prefetchers registered for any of w, in
// alphabetical order.
func Names(w Where) []string {
	registry.RLock()
	defer registry.RUnlock()
	names := []string{None}
	for n, r := range registry.byName {
		if r.Where&w != 0 {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// Doc says in a line what a registered prefetcher does ("" if unknown).
func Doc(name string) string {
	registry.RLock()
	defer registry.RUnlock()
	return registry.byName[name].Doc
}

// Check reports whether name is a prefetcher registered for w (none is).
func Check(name string, w Where) error {
	if name == None || name == "" {
		return nil
	}
	registry.RLock()
	r, ok := registry.byName[name]
	registry.RUnlock()
	if !ok || r.Where&w == 0 {
		return fmt.Errorf("prefetcher %q is not one of %s", name, strings.Join(Names(w), ", "))
	}
	return nil
}

// New builds the named prefetcher for cfg; none (or "") gives nil.
func New(name string, w Where, cfg Config) (Prefetcher, error) {
	if err := Check(name, w); err != nil || name == None || name == "" {
		return nil, err
	}
	registry.RLock()
	r := registry.byName[name]
	registry.RUnlock()
	return r.New(cfg), nil
}

// or returns v, or def when v is 0 (a key left at 0: the paper's value).
func or(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}
