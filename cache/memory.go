package cache

import (
	"fmt"

	"github.com/vmemu/vmemu/sim"
)

func errorf(format string, a ...any) error { return fmt.Errorf(format, a...) }

// Memory is a flat memory with one fixed latency and no limit on requests in
// flight, to stand below the last level when no DRAM model is wanted.
type Memory struct {
	Latency   sim.Cycle
	Level     sim.Level // reported as the level that served a read
	n         memoryCounts
	byIP      sim.ByIP
	readEvent sim.Event
}

// CountReadsByIP makes the memory tell b of every read it counts, as event
// e at the IP the request carries. A nil b stops it.
func (m *Memory) CountReadsByIP(b sim.ByIP, e sim.Event) { m.byIP, m.readEvent = b, e }

type memoryCounts struct{ reads, writes uint64 }

// Access answers every request after Latency cycles.
func (m *Memory) Access(now sim.Cycle, req *sim.Request) (sim.Cycle, bool) {
	if req.IsRead() {
		m.n.reads++
		if m.byIP != nil {
			m.byIP.Count(req.IP, m.readEvent, 1)
		}
	} else {
		m.n.writes++
	}
	req.Served = m.Level
	req.Dirty = false
	req.Trace.Add(m.Level, "memory", now, now+m.Latency)
	return now + m.Latency, true
}

// Register adds the memory's counters to s under name.
func (m *Memory) Register(s *sim.Stats, name string) {
	s.Register(name+".reads", &m.n.reads, "requests that read (fills included)")
	s.Register(name+".writes", &m.n.writes, "requests that wrote (write-backs, posted stores)")
}
