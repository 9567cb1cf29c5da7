package sim

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ticker is a component that works at every cycle in its list, logging
// (cycle, id), and stops after the last.
type ticker struct {
	id    int
	at    []Cycle
	log   *[][2]int
	limit []Cycle // the limit each step was given
}

func (c *ticker) Next() Cycle {
	if len(c.at) == 0 {
		return Never
	}
	return c.at[0]
}

func (c *ticker) Step(now, limit Cycle) {
	*c.log = append(*c.log, [2]int{int(now), c.id})
	c.limit = append(c.limit, limit)
	c.at = c.at[1:]
}

func (c *ticker) Done() bool { return len(c.at) == 0 }

func TestLoopOrdersComponentsAndEvents(t *testing.T) {
	var e Engine
	var log [][2]int
	a := &ticker{id: 0, at: []Cycle{0, 5, 10}, log: &log}
	b := &ticker{id: 1, at: []Cycle{5, 7}, log: &log}
	e.Schedule(5, HandlerFunc(func(now Cycle, _ uint64) { log = append(log, [2]int{int(now), -1}) }), 0)
	if err := Loop(&e, []Component{a, b}); err != nil {
		t.Fatal(err)
	}
	// At cycle 5: the event first, then component 0, then component 1.
	want := [][2]int{{0, 0}, {5, -1}, {5, 0}, {5, 1}, {7, 1}, {10, 0}}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	// Component 0 may run ahead to just before component 1's next cycle,
	// and at a tie it goes first, so its limit is one past.
	if diff := cmp.Diff([]Cycle{6, 6, Never}, a.limit); diff != "" {
		t.Errorf("limits of component 0 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Cycle{10, 10}, b.limit); diff != "" {
		t.Errorf("limits of component 1 (-want +got):\n%s", diff)
	}
}

// waiter waits for an event that never comes.
type waiter struct{}

func (waiter) Next() Cycle       { return Never }
func (waiter) Step(now, _ Cycle) {}
func (waiter) Done() bool        { return false }

func TestLoopStuck(t *testing.T) {
	var e Engine
	if err := Loop(&e, []Component{waiter{}}); !errors.Is(err, ErrStuck) {
		t.Errorf("a component waiting with no event pending: %v, want ErrStuck", err)
	}
}

// spinner keeps the engine busy forever without answering anyone.
type spinner struct{ e *Engine }

func (s spinner) Handle(now Cycle, _ uint64) { s.e.Schedule(now+1, s, 0) }

func TestLoopNoProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("runs sixteen million events")
	}
	var e Engine
	e.Schedule(0, spinner{&e}, 0)
	if err := Loop(&e, []Component{waiter{}}); !errors.Is(err, ErrNoProgress) {
		t.Errorf("events that answer no one: %v, want ErrNoProgress", err)
	}
}

// cycler works cycle by cycle (Ahead): it is given now+1 as its limit,
// whatever the others' next cycles.
type cycler struct{ ticker }

func (*cycler) RunsAhead() bool { return false }

func TestLoopSparesOneCycleComponents(t *testing.T) {
	var e Engine
	var log [][2]int
	a := &cycler{ticker{id: 0, at: []Cycle{0, 5}, log: &log}}
	b := &ticker{id: 1, at: []Cycle{20}, log: &log}
	if err := Loop(&e, []Component{a, b}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Cycle{1, 6}, a.limit); diff != "" {
		t.Errorf("limits of the one-cycle component (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Cycle{Never}, b.limit); diff != "" {
		t.Errorf("limits of the other (-want +got):\n%s", diff)
	}
}

// watchedTicker is a ticker that keeps Watched's flag: set when it
// answers, cleared by the events that give it work. It counts the
// questions it is asked.
type watchedTicker struct {
	ticker
	answered bool
	asked    int
	onStep   func(now Cycle) // what else a step does, if anything
}

func (c *watchedTicker) Next() Cycle {
	c.answered = true
	c.asked++
	return c.ticker.Next()
}

func (c *watchedTicker) Step(now, limit Cycle) {
	c.answered = false
	c.ticker.Step(now, limit)
	if c.onStep != nil {
		c.onStep(now)
	}
}

func (c *watchedTicker) RunsAhead() bool { return false }

func (c *watchedTicker) Answered() *bool { return &c.answered }

// TestLoopAsksWatchedOnlyWhenChanged runs two watched components against
// a stream of events that none waits for (one a cycle, as a DRAM
// controller's are) and two events that give component 1 work: it steps
// at each of those cycles, before the events of the cycle after, and it
// is asked again only after those two events and after steps.
func TestLoopAsksWatchedOnlyWhenChanged(t *testing.T) {
	var e Engine
	var log [][2]int
	a := &watchedTicker{ticker: ticker{id: 0, at: []Cycle{0, 50}, log: &log}}
	b := &watchedTicker{ticker: ticker{id: 1, at: []Cycle{100}, log: &log}}
	noise := HandlerFunc(func(Cycle, uint64) {})
	for c := Cycle(1); c < 100; c++ {
		e.Schedule(c, noise, 0)
	}
	for _, at := range []Cycle{20, 30} {
		e.Schedule(at, HandlerFunc(func(now Cycle, _ uint64) {
			b.at = append([]Cycle{now}, b.at...)
			b.answered = false
		}), 0)
	}
	if err := Loop(&e, []Component{a, b}); err != nil {
		t.Fatal(err)
	}
	want := [][2]int{{0, 0}, {20, 1}, {30, 1}, {50, 0}, {100, 1}}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	// Each is asked at the start, twice after each turn with a step (the
	// turn's own question, then the next turn's), and b once more after
	// each of its two events: about 10 each, not once or twice per cycle.
	if a.asked > 12 || b.asked > 14 {
		t.Errorf("asked %d and %d times over 100 cycles of events; want about 10 each", a.asked, b.asked)
	}
}

// unwatched hides a component's flag, so that Loop asks it after every
// event and step.
type unwatched struct{ c *watchedTicker }

func (u unwatched) Next() Cycle           { return u.c.Next() }
func (u unwatched) Step(now, limit Cycle) { u.c.Step(now, limit) }
func (u unwatched) Done() bool            { return u.c.Done() }
func (u unwatched) RunsAhead() bool       { return false }

// TestLoopWatchedAsAsked runs random cores (watched tickers that work a
// cycle at a time) against random events, some of which give a core work,
// and some of whose steps give another core work, as a memory callback or
// an interrupt does (each clearing the flag of the core it changes). Loop
// must step them as it does when it cannot see their flags.
func TestLoopWatchedAsAsked(t *testing.T) {
	run := func(seed uint64, watched bool) [][2]int {
		rng := NewRNG(seed)
		var e Engine
		var log [][2]int
		n := 2 + int(rng.Uint64()%3)
		ts := make([]*watchedTicker, n)
		for i := range ts {
			var at []Cycle
			for c := Cycle(rng.Uint64() % 5); c < 300; c += 1 + Cycle(rng.Uint64()%40) {
				at = append(at, c)
			}
			ts[i] = &watchedTicker{ticker: ticker{id: i, at: at, log: &log}}
		}
		give := func(k int, at Cycle) {
			tk := ts[k]
			i := 0
			for i < len(tk.at) && tk.at[i] < at {
				i++
			}
			if i == len(tk.at) || tk.at[i] != at {
				tk.at = append(tk.at[:i], append([]Cycle{at}, tk.at[i:]...)...)
			}
			tk.answered = false
		}
		for range 40 {
			at, k := Cycle(rng.Uint64()%300), int(rng.Uint64()%uint64(n))
			e.Schedule(at, HandlerFunc(func(now Cycle, _ uint64) {
				log = append(log, [2]int{int(now), -1 - k})
				give(k, now+Cycle(rng.Uint64()%3))
			}), 0)
		}
		cs := make([]Component, n)
		for i, tk := range ts {
			cs[i] = tk
			if !watched {
				cs[i] = unwatched{tk}
			}
		}
		// A step sometimes gives another core work in a few cycles.
		for i := range ts {
			ts[i].onStep = func(now Cycle) {
				if rng.Uint64()%4 == 0 {
					give(int(rng.Uint64()%uint64(n)), now+1+Cycle(rng.Uint64()%5))
				}
			}
		}
		if err := Loop(&e, cs); err != nil {
			t.Fatal(err)
		}
		return log
	}
	for seed := range uint64(300) {
		if diff := cmp.Diff(run(seed, false), run(seed, true)); diff != "" {
			t.Fatalf("seed %d: steps and events watched (-asked every time +watched):\n%s", seed, diff)
		}
	}
}
