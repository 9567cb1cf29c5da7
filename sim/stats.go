package sim

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Stats is the registry of a machine's statistics: every counter of every
// component, by a hierarchical, dot-separated name ("l1d.load.misses").
// A component keeps its counters as plain uint64 fields, incremented
// inline, and registers a pointer to each once, with a one-line doc, so
// counting costs an add and nothing more. Everything that reads statistics
// (warm-up, intervals, reports, sweeps) reads them here.
type Stats struct {
	entries []entry
	index   map[string]int
	size    int       // values in a snapshot
	derived []Derived // figures made from the counters (derived.go)
}

// Info describes a registered counter.
type Info struct {
	Name string
	Doc  string // one line: what it counts
	Unit string // "" for a count of events; else "cycles", "bytes", ...
	// Detail marks a breakdown (of another counter, or by level, cause or
	// bin) that the interval file leaves out, so its columns stay few.
	Detail bool
	// Bins is how many bins a histogram has (0 for a single counter).
	Bins int
}

// Option changes how a counter is registered.
type Option func(*Info)

// Unit gives a counter's unit: what its value counts when it is not
// events ("cycles", "dram cycles", "bytes", "frames").
func Unit(u string) Option { return func(i *Info) { i.Unit = u } }

// Detail marks a counter as a breakdown (see Info.Detail).
func Detail(i *Info) { i.Detail = true }

// Cycles is the unit of a counter of core cycles.
var Cycles = Unit("cycles")

type entry struct {
	Info
	p    *uint64          // a counter
	bins []uint64         // or a histogram's bins
	low  func(int) uint64 // the least value a bin counts
	at   int              // the index of its first value in a snapshot
}

// Stat is one counter's name and value.
type Stat struct {
	Name  string
	Value uint64
}

// Register adds the counter at c under name, with a one-line doc.
// Registering a name twice is a programming error and panics.
func (s *Stats) Register(name string, c *uint64, doc string, opts ...Option) {
	s.add(entry{Info: info(name, doc, opts), p: c})
}

// Counter is a row of a component's table of counters (RegisterTable).
type Counter struct {
	Name string // after the table's prefix
	P    *uint64
	Doc  string
	Unit string // "" for a count
}

// RegisterTable registers each counter of a table as prefix.NAME, with
// opts and its unit.
func (s *Stats) RegisterTable(prefix string, table []Counter, opts ...Option) {
	for _, c := range table {
		s.Register(prefix+"."+c.Name, c.P, c.Doc, append(opts[:len(opts):len(opts)], Unit(c.Unit))...)
	}
}

// RegisterBins adds a histogram: bins[i] counts the values from low(i) up
// to the next bin's low. Each bin is a counter named NAME.LOW; a
// histogram is always a detail.
func (s *Stats) RegisterBins(name string, bins []uint64, low func(int) uint64, doc string, opts ...Option) {
	i := info(name, doc, append(opts, Detail))
	i.Bins = len(bins)
	s.add(entry{Info: i, bins: bins, low: low})
}

// Include registers every counter and ratio of from in s as prefix + its
// name, in from's order: a block registers itself under the names it always has
// (mmu.walks), and a machine of several cores includes each core's under
// the core's place (core1.mmu.walks).
func (s *Stats) Include(prefix string, from *Stats) {
	for _, e := range from.entries {
		e.Name = prefix + e.Name
		s.add(e)
	}
	for _, d := range from.derived {
		s.RegisterDerived(Derived{Name: prefix + d.Name, Doc: d.Doc, Num: prefixed(prefix, d.Num), Den: prefixed(prefix, d.Den)})
	}
}

func prefixed(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}

func info(name, doc string, opts []Option) Info {
	i := Info{Name: name, Doc: doc}
	for _, o := range opts {
		o(&i)
	}
	return i
}

func (s *Stats) add(e entry) {
	if s.index == nil {
		s.index = map[string]int{}
	}
	if _, dup := s.index[e.Name]; dup {
		panic(fmt.Sprintf("sim: counter %q registered twice", e.Name))
	}
	e.at = s.size
	s.size += max(e.Bins, 1)
	s.index[e.Name] = len(s.entries)
	s.entries = append(s.entries, e)
}

// Get returns the value of the named counter and whether it exists.
func (s *Stats) Get(name string) (uint64, bool) { return s.Snapshot().Get(name) }

// Under returns the counters whose names start with prefix + ".", sorted
// by name.
func (s *Stats) Under(prefix string) []Stat { return s.Snapshot().Under(prefix) }

// Infos describes every counter, in registration order.
func (s *Stats) Infos() []Info {
	out := make([]Info, len(s.entries))
	for i, e := range s.entries {
		out[i] = e.Info
	}
	return out
}

// Reset sets every counter to zero: the end of a warm-up, the only reset
// there is.
func (s *Stats) Reset() {
	for i := range s.entries {
		e := &s.entries[i]
		if e.p != nil {
			*e.p = 0
		} else {
			clear(e.bins)
		}
	}
}

// Snapshot is the value of every counter of a registry at one moment.
type Snapshot struct {
	entries []entry // the registry's, as they were then
	index   map[string]int
	values  []uint64 // by entry, a histogram's bins in a row
	derived []Derived
}

// Snapshot copies every counter's value.
func (s *Stats) Snapshot() Snapshot {
	v := make([]uint64, s.size)
	for i := range s.entries {
		e := &s.entries[i]
		if e.p != nil {
			v[e.at] = *e.p
		} else {
			copy(v[e.at:], e.bins)
		}
	}
	return Snapshot{entries: s.entries[:len(s.entries):len(s.entries)], index: s.index, values: v,
		derived: s.derived[:len(s.derived):len(s.derived)]}
}

// find returns the entry of a name, if it was registered by the time of
// the snapshot.
func (s Snapshot) find(name string) (*entry, bool) {
	i, ok := s.index[name]
	if !ok || i >= len(s.entries) {
		return nil, false
	}
	return &s.entries[i], true
}

// Get returns the value of the named counter (a histogram's bin as
// NAME.LOW) and whether it exists.
func (s Snapshot) Get(name string) (uint64, bool) {
	if e, ok := s.find(name); ok && e.Bins == 0 {
		return s.values[e.at], true
	}
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return 0, false
	}
	e, ok := s.find(name[:i])
	low, err := strconv.ParseUint(name[i+1:], 10, 64)
	if !ok || e.Bins == 0 || err != nil {
		return 0, false
	}
	for b := range e.Bins {
		if e.low(b) == low {
			return s.values[e.at+b], true
		}
	}
	return 0, false
}

// Value returns the named counter, which must exist: a reader that names
// a counter no component registered is a programming error, and panics.
func (s Snapshot) Value(name string) uint64 {
	v, ok := s.Get(name)
	if !ok {
		panic(fmt.Sprintf("sim: no counter %q", name))
	}
	return v
}

// Bins returns a histogram's bins (nil if name is not one).
func (s Snapshot) Bins(name string) []uint64 {
	if e, ok := s.find(name); ok && e.Bins > 0 {
		return s.values[e.at : e.at+e.Bins]
	}
	return nil
}

// Sub returns s less an earlier snapshot of the same registry, counter by
// counter: what was counted in between (a gauge that went down wraps
// around; read it as signed). Counters registered after before are kept
// whole.
func (s Snapshot) Sub(before Snapshot) Snapshot {
	v := append([]uint64(nil), s.values...)
	for i := range min(len(v), len(before.values)) {
		v[i] -= before.values[i]
	}
	return Snapshot{entries: s.entries, index: s.index, values: v, derived: s.derived}
}

// List returns the counters in registration order, with the details if
// detail is set; of a histogram, the bins that counted something.
func (s Snapshot) List(detail bool) []Stat {
	var out []Stat
	for i := range s.entries {
		e := &s.entries[i]
		switch {
		case e.Detail && !detail:
		case e.Bins == 0:
			out = append(out, Stat{e.Name, s.values[e.at]})
		default:
			for b, n := range s.values[e.at : e.at+e.Bins] {
				if n > 0 {
					out = append(out, Stat{e.Name + "." + strconv.FormatUint(e.low(b), 10), n})
				}
			}
		}
	}
	return out
}

// Map returns every counter by name, as List(true) lists them.
func (s Snapshot) Map() map[string]uint64 {
	l := s.List(true)
	out := make(map[string]uint64, len(l))
	for _, st := range l {
		out[st.Name] = st.Value
	}
	return out
}

// Under returns the counters whose names start with prefix + ".", sorted
// by name.
func (s Snapshot) Under(prefix string) []Stat {
	var out []Stat
	for _, st := range s.List(true) {
		if strings.HasPrefix(st.Name, prefix+".") {
			out = append(out, st)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out
}
