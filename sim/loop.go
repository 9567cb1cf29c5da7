package sim

import (
	"errors"
	"io"
)

// A Component is a part of the machine that works on its own between
// events: a core. The loop steps it; everything else it drives (the memory
// side, the caches, DRAM) answers at once or through engine events.
type Component interface {
	// Next is the earliest cycle at which the component can do any work
	// without news from an event (Never while it waits for one). Its
	// answer may change when an event it waits for has run.
	Next() Cycle
	// Step does the component's work of cycle now, and may go on with
	// work at later cycles as long as they are before limit and before the
	// engine's next event (a core that needs nothing from anyone else runs
	// ahead in one call). A step at a cycle before Next finds nothing to
	// do: the loop may step a component at any event's cycle.
	Step(now, limit Cycle)
	// Done reports that the component has nothing left to do.
	Done() bool
}

// Ahead is a Component that may say it never runs ahead: each Step does
// the work of cycle now alone, whatever its limit (the out-of-order core
// works cycle by cycle). Loop spares it the computing of a limit, which
// asks every other component its Next.
type Ahead interface {
	RunsAhead() bool
}

// runsAhead reports whether c may use its limit.
func runsAhead(c Component) bool {
	a, ok := c.(Ahead)
	return !ok || a.RunsAhead()
}

// Watched is a Component that keeps a flag saying that its answers to
// Next and Done are still the ones it last gave: it sets the flag when it
// answers and clears it whenever anything may change them, an engine
// event or another component's step (the out-of-order core, whose answers
// change only through its own steps, its memory callbacks, its events and
// the interrupts other cores send it). After a turn's events Loop asks
// such a component again only if its flag is clear; most turns run events
// that none of the cores waits for. Where some component keeps no flag,
// or runs ahead, a step may change any component's answers, and after one
// Loop asks every component regardless; where all keep one, it trusts the
// flags there too (loopWatched).
type Watched interface {
	Answered() *bool // nil: ask every time
}

// ErrStuck is Loop's answer when a component waits for an event and none
// is left: something it asked for will never come.
var ErrStuck = errors.New("no progress: a component waits for an event, and no event is pending")

// ErrNoProgress is Loop's answer when events keep running but no component
// has been able to work for IdleTurns turns in a row: something keeps the
// engine busy without ever answering what the components wait for.
var ErrNoProgress = errors.New("no progress: events keep running but no component has moved")

// IdleTurns is how many turns in a row Loop lets pass without stepping a
// component. A miss to DRAM takes tens of events; sixteen million in a row
// that answer no one is a loop.
const IdleTurns = 1 << 24

// Loop runs components and the engine together, in time order, until every
// component is done. At each turn it takes the earliest cycle at which
// anything happens, runs the engine's events up to and including it, then
// steps the components that can work at it, in their order (so at equal
// cycles, events come first, then components by index: the run is the same
// every time).
func Loop(e *Engine, cs []Component) error {
	if len(cs) == 1 {
		return loopOne(e, cs[0])
	}
	ms := make([]member, len(cs))
	for i, c := range cs {
		ms[i] = member{c: c, ahead: runsAhead(c)}
		if w, ok := c.(Watched); ok {
			ms[i].answered = w.Answered()
		}
	}
	if watchedAll(ms) {
		return loopWatched(e, ms)
	}
	known := false // every member's done and next are as the components would answer now
	idle := 0
	for {
		t, live := earliest(ms, !known)
		if !live {
			return nil
		}
		if t = min(t, e.Next()); t == Never {
			return ErrStuck
		}
		e.RunUntil(t)
		if idle++; idle > IdleTurns {
			return ErrNoProgress
		}
		known = true
		stepped := false
		for i := range ms {
			m := &ms[i]
			if stepped || m.answered == nil || !*m.answered {
				m.ask()
			}
			if !m.done && m.next <= t {
				lim := t + 1
				if m.ahead {
					lim = limit(cs, i)
				}
				m.c.Step(t, lim)
				idle = 0
				stepped = true
				known = false // a step may change any component's answers, those asked before it too
			}
		}
	}
}

// watchedAll reports whether every member keeps a flag and steps a cycle
// at a time (the out-of-order cores of a machine).
func watchedAll(ms []member) bool {
	for _, m := range ms {
		if m.answered == nil || m.ahead {
			return false
		}
	}
	return true
}

// loopWatched is Loop for members that all keep their flags: it asks a
// member again only when its flag says its answers may have changed, and
// runs the events before the next member's cycle a cycle at a time
// without a turn of their own, as long as they change no member. It
// steps the members at the cycles and in the order Loop does: the flags
// stand for the asking Loop does after every step and event.
func loopWatched(e *Engine, ms []member) error {
	idle := 0
	for {
		t, live := earliest(ms, false)
		if !live {
			return nil
		}
		for next := e.Next(); next <= t && next != Never; next = e.Next() {
			e.RunUntil(next)
			if idle++; idle > IdleTurns {
				return ErrNoProgress
			}
			if changed(ms) {
				t = next
				break
			}
		}
		if t == Never {
			return ErrStuck
		}
		e.RunUntil(t)
		for i := range ms {
			m := &ms[i]
			if !*m.answered {
				m.ask()
			}
			if !m.done && m.next <= t {
				m.c.Step(t, t+1)
				idle = 0
			}
		}
	}
}

// earliest asks again every member (all), or those whose flags say their
// answers may have changed, and returns the earliest cycle at which a
// member not done can work, and whether there is one.
func earliest(ms []member, all bool) (t Cycle, live bool) {
	t = Never
	for i := range ms {
		m := &ms[i]
		if all || m.answered != nil && !*m.answered {
			m.ask()
		}
		if !m.done {
			live = true
			t = min(t, m.next)
		}
	}
	return t, live
}

// changed reports whether a member's flag says its answers may have
// changed.
func changed(ms []member) bool {
	for i := range ms {
		if !*ms[i].answered {
			return true
		}
	}
	return false
}

// member is a component as Loop keeps it: its answers to Done and Next
// when it last asked. Most turns run an event that no component waited
// for; when none stepped in a turn, the answers it got after the events
// still stand at the next turn, which does not ask again.
type member struct {
	c        Component
	next     Cycle
	done     bool
	ahead    bool
	answered *bool // Watched's flag, or nil
}

func (m *member) ask() {
	if m.done = m.c.Done(); !m.done {
		m.next = m.c.Next()
	}
}

// loopOne is Loop for one component. While the component waits on an
// event it runs the events one by one; otherwise it steps the component at
// every turn: asking it Next again after the events, to step it only when
// it can work, costs more than the step that finds nothing to do.
func loopOne(e *Engine, c Component) error {
	idle := 0
	for !c.Done() {
		next := c.Next()
		for next == Never { // it waits on an event: run them one by one until it can work
			if !e.Step() {
				return ErrStuck
			}
			if idle++; idle > IdleTurns {
				return ErrNoProgress
			}
			next = c.Next()
		}
		t := min(e.Next(), next)
		if t == Never {
			return ErrStuck
		}
		e.RunUntil(t)
		if next <= t {
			idle = 0
		} else if idle++; idle > IdleTurns {
			return ErrNoProgress
		}
		c.Step(t, Never)
	}
	return nil
}

// limit is how far component i may run ahead: not to a cycle at which
// another could work first. At equal cycles the one of lower index goes
// first, so a later one bounds it one cycle further.
func limit(cs []Component, i int) Cycle {
	l := Never
	for j, c := range cs {
		if j == i || c.Done() {
			continue
		}
		n := c.Next()
		if j > i && n != Never {
			n++
		}
		l = min(l, n)
	}
	return l
}

// An InFlight component can say what it holds that is not done: its
// waiting requests, queues, walks. When a run stops making progress, the
// machine prints every component's, so the one that lost a completion
// shows.
type InFlight interface {
	InFlight(w io.Writer)
}
