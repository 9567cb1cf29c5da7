package annotate

import (
	"maps"
	"slices"

	"github.com/vmemu/vmemu/sim"
)

// Table counts a run's events by instruction (machine.EventCounter): a row
// of counts for each IP that had any, a column for each event, in the
// order the machine named them.
type Table struct {
	names  []string
	index  map[string]sim.Event
	rows   map[uint64][]uint64
	lastIP uint64
	last   []uint64 // the row of lastIP: runs of events at one IP are the rule
}

// NewTable returns an empty table.
func NewTable() *Table {
	return &Table{index: map[string]sim.Event{}, rows: map[uint64][]uint64{}}
}

// Event returns the column of the named event, adding it if it is new.
func (t *Table) Event(name string) sim.Event {
	if e, ok := t.index[name]; ok {
		return e
	}
	e := sim.Event(len(t.names))
	t.names, t.index[name] = append(t.names, name), e
	for ip, r := range t.rows {
		t.rows[ip] = append(r, 0)
	}
	t.last = nil
	return e
}

// Count adds n events e at ip (sim.ByIP).
func (t *Table) Count(ip uint64, e sim.Event, n uint64) {
	if t.last == nil || ip != t.lastIP {
		r := t.rows[ip]
		if r == nil {
			r = make([]uint64, len(t.names))
			t.rows[ip] = r
		}
		t.last, t.lastIP = r, ip
	}
	t.last[e] += n
}

// Reset discards every count (the end of warmup).
func (t *Table) Reset() {
	clear(t.rows)
	t.last = nil
}

// Events are the events' names, in column order.
func (t *Table) Events() []string { return slices.Clone(t.names) }

// IPs are the IPs that have counts, in increasing order.
func (t *Table) IPs() []uint64 { return slices.Sorted(maps.Keys(t.rows)) }

// Row is the counts at ip, by column (nil if none).
func (t *Table) Row(ip uint64) []uint64 { return t.rows[ip] }

// Totals are each event's count over every IP.
func (t *Table) Totals() []uint64 {
	sum := make([]uint64, len(t.names))
	for _, r := range t.rows {
		for i, n := range r {
			sum[i] += n
		}
	}
	return sum
}
