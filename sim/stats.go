package sim

import (
	"fmt"
	"sort"
	"strings"
)

// Stats is a registry of counters with hierarchical, dot-separated names
// ("l1d.load.misses"). Components keep their counters as plain uint64 fields,
// incremented inline, and register pointers to them, so counting costs an
// add and nothing more.
type Stats struct {
	names []string
	ptrs  []*uint64
	index map[string]int
}

// Stat is one counter's name and value.
type Stat struct {
	Name  string
	Value uint64
}

// Register adds a counter under name. Registering a name twice is a
// programming error and panics.
func (s *Stats) Register(name string, c *uint64) {
	if s.index == nil {
		s.index = map[string]int{}
	}
	if _, dup := s.index[name]; dup {
		panic(fmt.Sprintf("sim: counter %q registered twice", name))
	}
	s.index[name] = len(s.names)
	s.names = append(s.names, name)
	s.ptrs = append(s.ptrs, c)
}

// Get returns the value of the named counter and whether it exists.
func (s *Stats) Get(name string) (uint64, bool) {
	i, ok := s.index[name]
	if !ok {
		return 0, false
	}
	return *s.ptrs[i], true
}

// All returns every counter in registration order.
func (s *Stats) All() []Stat {
	out := make([]Stat, len(s.names))
	for i, n := range s.names {
		out[i] = Stat{n, *s.ptrs[i]}
	}
	return out
}

// Under returns the counters whose names start with prefix + ".", sorted by name.
func (s *Stats) Under(prefix string) []Stat {
	var out []Stat
	for i, n := range s.names {
		if strings.HasPrefix(n, prefix+".") {
			out = append(out, Stat{n, *s.ptrs[i]})
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out
}

// Reset sets every counter to zero (the end of a warm-up).
func (s *Stats) Reset() {
	for _, p := range s.ptrs {
		*p = 0
	}
}
