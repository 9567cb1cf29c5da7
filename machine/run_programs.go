package machine

import (
	"errors"

	"github.com/vmemu/vmemu/cpu"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/sim"
)

// RunPrograms runs programs on a machine of several cores, program i on
// core i's in-order core (a scenario's lines, each core those of the
// threads placed on it), its accesses carrying their data, until every
// one is over, and returns the run's report as runCores makes it: per
// core, the shared levels, coherence and shootdowns. held(i) says that
// core i's program can do nothing until another core has moved (it
// answered cpu.OpWait with sim.Never): the core is not stepped then.
func (m *Machine) RunPrograms(progs []cpu.Program, held func(i int) bool, format string) (*report.Report, error) {
	if len(progs) != len(m.Cores) {
		return nil, errors.New("machine: one program a core")
	}
	if err := m.once(); err != nil {
		return nil, err
	}
	mr := &multiRun{m: m}
	var comps []sim.Component
	for i, p := range progs {
		slot := m.Cores[i]
		c, err := cpu.NewProgram(cpu.Config{Model: cpu.InOrder}, m.Engine, m.sideOf(slot), p,
			cpu.Options{Levels: m.levelNames(), Stats: &m.Stats, Name: slot.Name,
				Shootdowns: m.Kernel != nil})
		if err != nil {
			return nil, err
		}
		mr.runs = append(mr.runs, &coreRun{slot: slot, cpu: c})
		comps = append(comps, &programStep{m: m, c: c, i: i, held: held})
	}
	if err := m.loopAll(comps, mr.cpus()); err != nil {
		return nil, err
	}
	m.Engine.Run()
	final := m.Stats.Snapshot()
	for _, cr := range mr.runs {
		cr.res, cr.frozen, cr.end = cr.cpu.Result(), final, cr.cpu.Charged()
		if mr.last == nil || cr.end > mr.last.end {
			mr.last = cr
		}
	}
	return m.reportCores(mr, format, m.programRules()), nil
}

// programStep is a core running a program as the loop steps it: not while
// its program is held.
type programStep struct {
	m    *Machine
	c    *cpu.Core
	i    int
	held func(int) bool
}

func (s *programStep) Next() sim.Cycle {
	if !s.c.Done() && s.held(s.i) {
		return sim.Never
	}
	return s.c.Next()
}

func (s *programStep) Step(now, limit sim.Cycle) { s.m.stepCore(s.c, s.i, now, limit) }

func (s *programStep) Done() bool { return s.c.Done() }

func (s *programStep) RunsAhead() bool { return true }
