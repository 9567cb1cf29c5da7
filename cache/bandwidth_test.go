package cache

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/vmemu/vmemu/sim"
)

// refCalendar is the naive calendar: the uses of every cycle of the window
// in a map, found by trying each cycle in turn. A cycle older than the
// window is taken as its start; trying a cycle past the window's end moves
// the window to end there, forgetting the cycles it leaves.
type refCalendar struct {
	per  int // 0: unlimited
	base sim.Cycle
	uses map[sim.Cycle]int
}

func (r *refCalendar) take(t sim.Cycle) sim.Cycle {
	if r.per == 0 {
		return t
	}
	for t = max(t, r.base); ; t++ {
		if t >= r.base+calendarWindow {
			r.slide(t - calendarWindow + 1)
		}
		if r.uses[t] < r.per {
			r.uses[t]++
			return t
		}
	}
}

func (r *refCalendar) slide(base sim.Cycle) {
	if base-r.base >= calendarWindow {
		clear(r.uses)
	}
	for c := r.base; c < base && len(r.uses) > 0 && c < r.base+calendarWindow; c++ {
		delete(r.uses, c)
	}
	r.base = base
}

// refQueue is the naive request queue: its lookup times in a sorted slice.
type refQueue struct {
	size  int // 0: unlimited
	times []sim.Cycle
}

func (r *refQueue) room(t sim.Cycle) bool {
	if r.size == 0 {
		return true
	}
	i := 0
	for i < len(r.times) && r.times[i] <= t {
		i++
	}
	r.times = r.times[i:]
	return len(r.times) < r.size
}

func (r *refQueue) enter(t sim.Cycle) sim.Cycle {
	if r.room(t) {
		return t
	}
	t, r.times = r.times[0], r.times[1:]
	return t
}

func (r *refQueue) push(t sim.Cycle) {
	if r.size > 0 {
		i, _ := slices.BinarySearch(r.times, t)
		r.times = slices.Insert(r.times, i, t)
	}
}

// refBandwidth is a level's limits built on the naive calendar and queues.
type refBandwidth struct {
	read, write, fills refCalendar
	queues             [numQueues]refQueue
}

func newRefBandwidth(b Bandwidth) *refBandwidth {
	cal := func(per int) refCalendar { return refCalendar{per: per, uses: map[sim.Cycle]int{}} }
	return &refBandwidth{read: cal(b.ReadPorts), write: cal(b.WritePorts), fills: cal(b.Fills),
		queues: [numQueues]refQueue{{size: b.RQ}, {size: b.WQ}, {size: b.PQ}}}
}

func (r *refBandwidth) lookup(t sim.Cycle, k sim.Kind) sim.Cycle {
	q := &r.queues[queueOf(k)]
	ports := &r.read
	if k.IsWrite() {
		ports = &r.write
	}
	t = ports.take(q.enter(t))
	q.push(t)
	return t
}

// calendarState is what a calendar holds: its window's start and the uses
// of the cycles in it that have any.
func calendarState(k *calendar) (sim.Cycle, map[sim.Cycle]int) {
	uses := map[sim.Cycle]int{}
	if k == nil {
		return 0, uses
	}
	for c := k.base; c < k.base+calendarWindow; c++ {
		if u := k.used[c%calendarWindow]; u > 0 {
			uses[c] = int(u)
		}
	}
	return k.base, uses
}

// stepTime draws the cycle of a request from a clock now that moves on a
// cycle a step on average: mostly now or a few cycles on, sometimes
// earlier (a miss presented after the hits that followed it), sometimes
// older than the calendar's window, sometimes far on (past it).
func stepTime(rng *sim.RNG, now *sim.Cycle) sim.Cycle {
	*now += sim.Cycle(rng.IntN(3))
	switch r := rng.IntN(100); {
	case r < 70:
		return *now + sim.Cycle(rng.IntN(4))
	case r < 85:
		return *now - min(*now, sim.Cycle(rng.IntN(200)))
	case r < 90:
		return *now - min(*now, sim.Cycle(rng.IntN(3*calendarWindow)))
	case r < 95:
		return *now + sim.Cycle(rng.IntN(500))
	case r < 97:
		*now += calendarWindow + sim.Cycle(rng.IntN(2*calendarWindow))
	}
	return *now
}

// The bandwidth model (the calendars' window, full-range hint and
// clamping, and the queues) gives the naive reference's answer to every
// lookup, fill and prefetch-room question, over random limits and random
// request cycles and kinds; and now and then holds the same uses and
// queued requests.
func TestBandwidthMatchesReference(t *testing.T) {
	ports := []int{0, 1, 1, 2, 3, 8}
	queues := []int{0, 1, 2, 8, 32}
	for seed := uint64(1); seed <= 24; seed++ {
		rng := sim.NewRNG(seed)
		pick := func(s []int) int { return s[rng.IntN(len(s))] }
		cfg := Bandwidth{ReadPorts: pick(ports), WritePorts: pick(ports), Fills: pick(ports),
			RQ: pick(queues), WQ: pick(queues), PQ: pick(queues)}
		if !cfg.limited() {
			cfg.ReadPorts = 1
		}
		if err := compareBandwidth(rng, cfg, 20000); err != nil {
			t.Fatalf("seed %d, %+v: %v", seed, cfg, err)
		}
	}
}

// compareBandwidth presents steps random requests to a level's limits cfg
// and to the reference, and returns the first difference.
func compareBandwidth(rng *sim.RNG, cfg Bandwidth, steps int) error {
	got, want := newBandwidth(cfg), newRefBandwidth(cfg)
	var now sim.Cycle
	for i := range steps {
		t := stepTime(rng, &now)
		var op string
		var g, w any
		switch r := rng.IntN(10); {
		case r < 5:
			k := sim.Kind(rng.IntN(int(sim.NumKinds)))
			op, g, w = fmt.Sprintf("lookup(%d, %v)", t, k), got.lookup(t, k), want.lookup(t, k)
		case r < 8:
			op, g, w = fmt.Sprintf("fill(%d)", t), got.fill(t), want.fills.take(t)
		default:
			q := rng.IntN(numQueues)
			op, g, w = fmt.Sprintf("room(%d, %d)", q, t), got.room(q, t), want.queues[q].room(t)
		}
		if diff := cmp.Diff(w, g); diff != "" {
			return fmt.Errorf("step %d, %s (-want +got):\n%s", i, op, diff)
		}
		if i%97 == 0 {
			if err := compareBandwidthState(got, want); err != nil {
				return fmt.Errorf("after step %d, %s: %v", i, op, err)
			}
		}
	}
	return compareBandwidthState(got, want)
}

func compareBandwidthState(got *bandwidth, want *refBandwidth) error {
	for _, c := range []struct {
		name string
		got  *calendar
		want *refCalendar
	}{{"read", got.read, &want.read}, {"write", got.write, &want.write}, {"fills", got.fills, &want.fills}} {
		base, uses := calendarState(c.got)
		if c.got != nil && base != c.want.base {
			return fmt.Errorf("%s window starts at %d, want %d", c.name, base, c.want.base)
		}
		if diff := cmp.Diff(c.want.uses, uses); diff != "" {
			return fmt.Errorf("%s uses (-want +got):\n%s", c.name, diff)
		}
	}
	for i, q := range got.queues {
		if diff := cmp.Diff(want.queues[i].times, q.queued(), cmpopts.EquateEmpty()); diff != "" {
			return fmt.Errorf("queue %d (-want +got):\n%s", i, diff)
		}
	}
	return nil
}

// queued returns the lookup cycles of the requests in q, as kept (in
// order).
func (q *waiting) queued() []sim.Cycle {
	if q == nil {
		return nil
	}
	return q.times[q.head:]
}

// A port, fill or queue count below 0 or above maxBandwidth is an error
// naming the level and the field; 0 (unlimited) and maxBandwidth are
// accepted.
func TestBandwidthConfigErrors(t *testing.T) {
	tests := []struct {
		bw   Bandwidth
		want string // "": accepted
	}{
		{Bandwidth{}, ""},
		{Bandwidth{ReadPorts: maxBandwidth, WritePorts: maxBandwidth, Fills: maxBandwidth, RQ: maxBandwidth, WQ: maxBandwidth, PQ: maxBandwidth}, ""},
		{Bandwidth{ReadPorts: -1}, "l1d: read_ports must be 0 (unlimited) to 32768, not -1"},
		{Bandwidth{WritePorts: -2, ReadPorts: 4}, "l1d: write_ports must be 0 (unlimited) to 32768, not -2"},
		{Bandwidth{Fills: 32769}, "l1d: fills must be 0 (unlimited) to 32768, not 32769"},
		{Bandwidth{ReadPorts: 1 << 20}, "l1d: read_ports must be 0 (unlimited) to 32768, not 1048576"},
		{Bandwidth{RQ: -1}, "l1d: rq must be 0 (unlimited) to 32768, not -1"},
		{Bandwidth{WQ: 1 << 40}, "l1d: wq must be 0 (unlimited) to 32768, not 1099511627776"},
		{Bandwidth{PQ: -8, ReadPorts: 2}, "l1d: pq must be 0 (unlimited) to 32768, not -8"},
	}
	for _, tc := range tests {
		cfg := Config{Name: "l1d", Size: 4096, Ways: 4, LineSize: 64, MSHRs: 4, Bandwidth: tc.bw}
		got := ""
		if err := cfg.Validate(); err != nil {
			got = err.Error()
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%+v (-want +got):\n%s", tc.bw, diff)
		}
	}
}
