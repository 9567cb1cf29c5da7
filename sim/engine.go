package sim

import "fmt"

// Handler receives the events it scheduled. The argument is whatever the
// scheduler passed: typically an index into the component's own tables, so
// scheduling allocates nothing.
type Handler interface {
	Handle(now Cycle, arg uint64)
}

type event struct {
	at  Cycle
	seq uint64
	h   Handler
	arg uint64
}

func (e *event) before(f *event) bool {
	return e.at < f.at || (e.at == f.at && e.seq < f.seq)
}

// Engine is the serial event queue. The zero value is ready to use.
type Engine struct {
	now    Cycle
	seq    uint64
	events []event // a binary min-heap ordered by (at, seq)
	fired  uint64
}

// Now is the cycle of the event being handled, or of the last one handled.
func (e *Engine) Now() Cycle { return e.now }

// Pending is the number of events not yet handled.
func (e *Engine) Pending() int { return len(e.events) }

// Fired is the number of events handled so far.
func (e *Engine) Fired() uint64 { return e.fired }

// Next is the cycle of the earliest pending event, or Never.
func (e *Engine) Next() Cycle {
	if len(e.events) == 0 {
		return Never
	}
	return e.events[0].at
}

// Schedule asks for h.Handle(at, arg) to be called at cycle at. Events for
// the same cycle run first in, first out. An event in the past of the engine
// is a component's bug, and a loud one: it panics with both cycles rather
// than run late and bend every time after it.
func (e *Engine) Schedule(at Cycle, h Handler, arg uint64) {
	if at < e.now {
		panic(fmt.Sprintf("sim: an event scheduled for cycle %d, in the past of cycle %d (%T)", at, e.now, h))
	}
	e.events = append(e.events, event{at: at, seq: e.seq, h: h, arg: arg})
	e.seq++
	e.up(len(e.events) - 1)
}

// Step handles the earliest event. It reports false when there was none.
func (e *Engine) Step() bool {
	if len(e.events) == 0 {
		return false
	}
	ev := e.events[0]
	last := len(e.events) - 1
	e.events[0] = e.events[last]
	e.events[last] = event{}
	e.events = e.events[:last]
	if last > 0 {
		e.down(0)
	}
	e.now = ev.at
	e.fired++
	ev.h.Handle(ev.at, ev.arg)
	return true
}

// RunUntil handles every event due at or before t, then sets the present to t
// (if that is later), so that work done next happens at t.
func (e *Engine) RunUntil(t Cycle) {
	for len(e.events) > 0 && e.events[0].at <= t {
		e.Step()
	}
	if t > e.now {
		e.now = t
	}
}

// Run handles events until none is left.
func (e *Engine) Run() {
	for e.Step() {
	}
}

func (e *Engine) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !e.events[i].before(&e.events[p]) {
			return
		}
		e.events[i], e.events[p] = e.events[p], e.events[i]
		i = p
	}
}

func (e *Engine) down(i int) {
	n := len(e.events)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && e.events[r].before(&e.events[l]) {
			m = r
		}
		if !e.events[m].before(&e.events[i]) {
			return
		}
		e.events[i], e.events[m] = e.events[m], e.events[i]
		i = m
	}
}

// HandlerFunc adapts a function to Handler. Handy in tests; components keep
// a pointer receiver instead, which costs no allocation to schedule.
type HandlerFunc func(now Cycle, arg uint64)

// Handle calls f(now, arg).
func (f HandlerFunc) Handle(now Cycle, arg uint64) { f(now, arg) }
