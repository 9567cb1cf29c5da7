package cache

import (
	"fmt"
	"slices"

	"github.com/vmemu/vmemu/sim"
)

// Bandwidth is what a level can do in a cycle, and the requests that may
// wait for it, as ChampSim's max_tag_check, max_fill and RQ, WQ and PQ
// sizes. 0 means unlimited: a level without limits accepts any number of
// lookups and fills in a cycle (only its MSHRs bound its misses).
type Bandwidth struct {
	// ReadPorts are the lookups of loads, fetches, page-table reads and
	// prefetches a cycle (an L1D's load ports); WritePorts those of
	// stores, page-table writes and write-backs and victims from above
	// (its store ports).
	ReadPorts, WritePorts int
	// Fills are the lines (MSHR fills) that may arrive in a cycle.
	Fills int
	// RQ, WQ and PQ are the reads, writes and prefetches that may wait
	// for a lookup. A read or write that finds its queue full waits for
	// a place; a prefetch is dropped (counted by the level that sent it).
	RQ, WQ, PQ int
}

// maxBandwidth bounds each of a Bandwidth's counts: a calendar counts a
// cycle's uses in 16 bits, and a queue's room for its requests' times is
// made up front (a larger one would be a silent clamp or a huge
// allocation; the machine's schema allows far less).
const maxBandwidth = 1 << 15

// check reports a count out of range, naming its field by its
// configuration key.
func (b Bandwidth) check() error {
	for _, f := range []struct {
		key string
		n   int
	}{{"read_ports", b.ReadPorts}, {"write_ports", b.WritePorts}, {"fills", b.Fills}, {"rq", b.RQ}, {"wq", b.WQ}, {"pq", b.PQ}} {
		if f.n < 0 || f.n > maxBandwidth {
			return fmt.Errorf("%s must be 0 (unlimited) to %d, not %d", f.key, maxBandwidth, f.n)
		}
	}
	return nil
}

func (b Bandwidth) limited() bool {
	return b.ReadPorts+b.WritePorts+b.Fills+b.RQ+b.WQ+b.PQ > 0
}

// The request queues.
const (
	queueRead = iota
	queueWrite
	queuePrefetch
	numQueues
)

// bandwidth is a level's limits in force: nil when it has none.
type bandwidth struct {
	read, write, fills *calendar // nil: unlimited
	queues             [numQueues]*waiting
}

func newBandwidth(b Bandwidth) *bandwidth {
	if !b.limited() {
		return nil
	}
	return &bandwidth{read: newCalendar(b.ReadPorts), write: newCalendar(b.WritePorts), fills: newCalendar(b.Fills),
		queues: [numQueues]*waiting{newWaiting(b.RQ), newWaiting(b.WQ), newWaiting(b.PQ)}}
}

func queueOf(k sim.Kind) int {
	switch {
	case k == sim.Prefetch:
		return queuePrefetch
	case k.IsWrite():
		return queueWrite
	}
	return queueRead
}

// lookup returns the cycle at which a request of kind k presented at t is
// looked up: once it has a place in its queue, at the first cycle with a
// port left.
func (b *bandwidth) lookup(t sim.Cycle, k sim.Kind) sim.Cycle {
	q := b.queues[queueOf(k)]
	t = q.enter(t)
	ports := b.read
	if k.IsWrite() {
		ports = b.write
	}
	t = ports.take(t)
	q.push(t)
	return t
}

// fill returns the cycle a fill due at t arrives, once a fill is left.
func (b *bandwidth) fill(t sim.Cycle) sim.Cycle { return b.fills.take(t) }

// room reports whether queue q has a place at cycle t (a level without
// limits always has).
func (b *bandwidth) room(q int, t sim.Cycle) bool {
	return b == nil || b.queues[q].room(t)
}

// calendar counts the uses of a resource, up to per a cycle, over a window
// of cycles, to find the first cycle from a given one with a use left.
// Requests come in time order only roughly (a miss goes down at a later
// cycle than the hits after it are looked up), so it keeps every cycle of
// the window rather than a next-free cycle; one older than the window is
// taken as at its start.
type calendar struct {
	per      uint16
	base     sim.Cycle // the window's first cycle
	used     []uint16  // by cycle, modulo the window
	from, to sim.Cycle // every cycle in [from, to) is known to be full
}

const calendarWindow = 1 << 13

func newCalendar(per int) *calendar {
	if per <= 0 {
		return nil
	}
	return &calendar{per: uint16(per), used: make([]uint16, calendarWindow)}
}

// take uses one of the first cycle from t on with a use left, and returns
// that cycle; an unlimited (nil) calendar returns t.
func (k *calendar) take(t sim.Cycle) sim.Cycle {
	if k == nil {
		return t
	}
	t = max(t, k.base)
	start := t
	for {
		if t >= k.from && t < k.to {
			// What was scanned and the known full range are one full
			// run: the next request from the same cycle skips it all.
			start, t = min(start, k.from), k.to
		}
		if t >= k.base+calendarWindow {
			k.slide(t - calendarWindow + 1)
		}
		if u := &k.used[t%calendarWindow]; *u < k.per {
			*u++
			switch {
			case *u == k.per:
				k.from, k.to = start, t+1
			case t > start:
				k.from, k.to = start, t
			}
			return t
		}
		t++
	}
}

// slide moves the window to start at base, clearing the cycles it leaves.
func (k *calendar) slide(base sim.Cycle) {
	for c := k.base; c < base && c < k.base+calendarWindow; c++ {
		k.used[c%calendarWindow] = 0
	}
	k.base = base
}

// waiting is a request queue: the lookup cycles of the requests in it.
// A request leaves it when it is looked up. Only how many requests wait
// and the first lookup among them matter, so the cycles are kept sorted:
// dropping the requests looked up by a cycle, or the first, is a step
// from the front, and a request looked up no earlier than the others (the
// usual case: a queue is full because its requests wait for ports, which
// are taken in cycle order) joins at the back.
type waiting struct {
	size  int
	times []sim.Cycle // ascending; times[head:] are the queue's
	head  int
}

func newWaiting(size int) *waiting {
	if size <= 0 {
		return nil
	}
	// Twice the size: the cycles are moved back to the front only when
	// the back is reached, at most once in size requests.
	return &waiting{size: size, times: make([]sim.Cycle, 0, 2*size)}
}

// purge drops the requests looked up by cycle t.
func (q *waiting) purge(t sim.Cycle) {
	for q.head < len(q.times) && q.times[q.head] <= t {
		q.head++
	}
}

func (q *waiting) room(t sim.Cycle) bool {
	if q == nil {
		return true
	}
	q.purge(t)
	return len(q.times)-q.head < q.size
}

// enter returns when a request arriving at t finds a place: at once, or
// when the first request in the full queue is looked up.
func (q *waiting) enter(t sim.Cycle) sim.Cycle {
	if q == nil || q.room(t) {
		return t
	}
	q.head++
	return q.times[q.head-1]
}

func (q *waiting) push(t sim.Cycle) {
	if q == nil {
		return
	}
	if len(q.times) == cap(q.times) {
		q.times = q.times[:copy(q.times, q.times[q.head:])]
		q.head = 0
	}
	n := len(q.times)
	q.times = append(q.times, t)
	if n > q.head && q.times[n-1] > t {
		i, _ := slices.BinarySearch(q.times[q.head:n], t)
		i += q.head
		copy(q.times[i+1:], q.times[i:n])
		q.times[i] = t
	}
}
