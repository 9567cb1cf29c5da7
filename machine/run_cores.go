package machine

import (
	"errors"
	"fmt"

	"github.com/vmemu/vmemu/cpu"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/memside"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// A machine of several cores runs traces as ChampSim's multi-core runs do
// (a trace a core; cores without a trace idle; which traces share a
// process, and how a trace of threads is split into streams, threads.go
// says):
//
//   - each core warms up on its first opt.Warmup instructions; the
//     measured part begins for every core at once, when the last has
//     (the registry is reset then, as one core's warmup resets it);
//   - each core then measures opt.Measure instructions (ChampSim's -i;
//     opt.Max - opt.Warmup if that is fewer), or, with neither, to the
//     end of its trace (of the pass of it it was in when measuring began);
//   - a core that has finished its measured part keeps replaying its
//     trace (from the start, each time it ends) so the others still see
//     its contention, its statistics frozen at its finish: the registry's
//     snapshot at that moment is its part of the report; a core that runs
//     several streams in turns does not replay them: it finishes when
//     they have all ended;
//   - the run ends when every core has finished; the shared levels,
//     memory and the kernel are counted to then.
//
// Before each step of a core it takes the shootdown interrupts other
// cores' kernel paths sent it (kernel.TakeInterrupts), which stall it.

// coreRun is one core's run: its core, its trace, and where it stands.
type coreRun struct {
	slot  *Core
	cpu   *cpu.Core
	label string     // its streams, as the report names them
	src   *replaying // its stream, replayed; nil on a core of several
	phase phase
	// passLen is the instructions of one pass of its trace, passEnd the
	// last end of a pass seen (instructions handed out by then, read
	// ahead of those retired), both 0 before the first.
	passLen, passEnd uint64
	// from is the instructions it had retired when measuring began.
	from uint64
	// ending is the instructions at which its measured part ends, once
	// known (finishAt), 0 before.
	ending uint64
	// frozen is the registry when it finished its measured part, res
	// what it measured, end the cycle it finished.
	frozen sim.Snapshot
	res    cpu.Result
	end    sim.Cycle
}

type phase uint8

const (
	warming   phase = iota
	warm            // waiting for the others to warm up
	measuring       // until its measured part ends
	finished        // frozen; it replays until every core has finished
)

// multiRun steps the cores and moves them through the phases.
type multiRun struct {
	m       *Machine
	runs    []*coreRun
	warmup  uint64
	measure uint64 // instructions each core measures; 0: to the end of its trace
	done    int    // cores finished: when all have, the loop ends
	last    *coreRun
}

// runCores replays traces on a machine of several cores, trace i on core
// i, or, with traces of several threads, the streams threads.go makes of
// them; reopen opens trace i again from its start (nil: a core whose
// trace ends stops), carries[i] says what trace i's records hold.
func (m *Machine) runCores(irs []traces.InstrReader, reopen func(int) (traces.InstrReader, error), carries []traces.Carries, opt RunOptions) (*report.Report, error) {
	if len(irs) > len(m.Cores) {
		return nil, fmt.Errorf("%d traces on %d cores: each core runs one (set cores to %d or more)", len(irs), len(m.Cores), len(irs))
	}
	if opt.Interval > 0 || opt.Timeline != nil || opt.ByIP != nil {
		return nil, errors.New("intervals, timelines and counts by instruction are made on a machine of one core (cores: 1)")
	}
	ss, err := streamsOf(irs, reopen, carries, opt.Names)
	if err != nil {
		return nil, err
	}
	defer closeStreams(ss)
	if err := m.giveThreads(ss); err != nil {
		return nil, err
	}
	mr := &multiRun{m: m, warmup: opt.Warmup}
	if limit := opt.Limit(); limit > 0 {
		mr.measure = limit - min(limit, opt.Warmup)
	}
	var comps []sim.Component
	for i, on := range placed(ss, len(m.Cores)) {
		cr, err := mr.start(i, on, opt)
		if err != nil {
			return nil, err
		}
		if cr.src != nil {
			defer cr.src.Close()
		}
		mr.runs = append(mr.runs, cr)
		comps = append(comps, &coreStep{mr: mr, cr: cr})
	}
	if mr.warmup == 0 {
		mr.begin()
	} else {
		for _, cr := range mr.runs {
			cr.cpu.At(mr.warmup, func(sim.Cycle) { mr.warmed(cr) })
		}
	}
	if err := m.loopAll(comps, mr.cpus()); err != nil {
		return nil, err
	}
	m.Engine.Run() // write-backs still in flight
	for _, cr := range mr.runs {
		if cr.res.Instructions == 0 && opt.Warmup > 0 {
			return nil, &WarmupError{Warmup: opt.Warmup, Retired: cr.cpu.Retired(), Core: cr.slot.ID, Trace: cr.label}
		}
	}
	return m.reportCores(mr, irs[0].Format(), m.traceRules()), nil
}

// placed is the streams of each core: stream j on core j mod cores.
func placed(ss []*stream, cores int) [][]*stream {
	out := make([][]*stream, min(len(ss), cores))
	for j, s := range ss {
		out[j%cores] = append(out[j%cores], s)
	}
	return out
}

// start makes core i's run of its streams: its thread (core 0 runs the
// machine's process), its memory side and its core. A core of one stream
// replays it (see replaying); one of several runs them in turns of
// opt.Quantum instructions, each to its end.
func (mr *multiRun) start(i int, on []*stream, opt RunOptions) (*coreRun, error) {
	m := mr.m
	slot := m.Cores[i]
	side := m.sideOf(slot)
	k := m.Kernel
	if k != nil {
		if i > 0 {
			k.SwitchTo(i, 0, on[0].thread)
		}
		side.Proc = uint32(on[0].thread.Proc.PID)
	}
	cr := &coreRun{slot: slot}
	copt := cpu.Options{Levels: m.levelNames(), Stats: &m.Stats, Name: slot.Name,
		Shootdowns: k != nil}
	var rs []traces.InstrReader
	for j, s := range on {
		cr.label += s.label
		if j < len(on)-1 {
			cr.label += " + "
		}
		rs = append(rs, s.r)
	}
	if len(on) == 1 {
		cr.src = &replaying{r: on[0].r, reopen: on[0].reopen, passEnd: func(read uint64) { mr.passEnded(cr, read) }}
		rs[0] = cr.src
	} else {
		copt.Quantum = opt.Quantum
		if k != nil {
			copt.Switch = func(now sim.Cycle, p int) sim.Cycle {
				t := on[p].thread
				side.Proc = uint32(t.Proc.PID)
				return k.SwitchTo(i, now, t) - now
			}
		}
	}
	if progress := opt.Progress; progress != nil {
		copt.Interval = progressInterval
		copt.OnInterval = func(uint64, uint64) { progress(mr.progress()) }
	}
	c, err := cpu.New(m.coreCfg, m.Engine, side, rs, copt)
	if err != nil {
		return nil, err
	}
	cr.cpu = c
	return cr, nil
}

// sideOf returns a memory side of a core: the one path its accesses take.
func (m *Machine) sideOf(c *Core) *memside.Side {
	cfg := memside.Config{MMU: c.MMU, Fetch: c.Fetch, Data: c.Data, Phys: m.Phys, Core: uint16(c.ID)}
	if c.MMU != nil {
		cfg.PageShift = m.Geometry.PageShift
	}
	s := memside.New(cfg)
	if m.Process != nil {
		s.Proc = uint32(m.Process.PID)
	}
	return s
}

func (mr *multiRun) cpus() []*cpu.Core {
	var out []*cpu.Core
	for _, cr := range mr.runs {
		out = append(out, cr.cpu)
	}
	return out
}

// warmed is core cr at the end of its warmup; the last to get there
// begins everyone's measured part.
func (mr *multiRun) warmed(cr *coreRun) {
	if cr.phase != warming {
		return
	}
	cr.phase = warm
	mr.beginIfWarm()
}

// beginIfWarm begins the measured part once no core is still warming.
func (mr *multiRun) beginIfWarm() {
	for _, o := range mr.runs {
		if o.phase == warming {
			return
		}
	}
	mr.begin()
}

// begin starts every core's measured part at once.
func (mr *multiRun) begin() {
	if mr.warmup > 0 {
		mr.m.Stats.Reset()
	}
	for _, cr := range mr.runs {
		if cr.phase == finished {
			continue
		}
		cr.cpu.StartMeasuring()
		cr.phase, cr.from = measuring, cr.cpu.Retired()
		switch {
		case mr.measure > 0:
			mr.finishAt(cr, cr.from+mr.measure)
		case cr.passEnd > cr.from:
			// Every pass is the same instructions; the core may have read
			// several passes ahead of the one it is in.
			mr.finishAt(cr, (cr.from/cr.passLen+1)*cr.passLen)
		}
	}
}

// passEnded is told that cr's trace ended, read instructions in: without
// --max, a core measures to the end of the pass it measures in, the first
// to end (a trace shorter than what the core reads ahead ends again
// before its first end retires).
func (mr *multiRun) passEnded(cr *coreRun, read uint64) {
	if cr.passLen == 0 {
		cr.passLen = read
	}
	cr.passEnd = read
	if cr.phase == measuring && mr.measure == 0 && read > cr.from && cr.ending == 0 {
		mr.finishAt(cr, read)
	}
}

// finishAt ends cr's measured part when it has retired n instructions.
func (mr *multiRun) finishAt(cr *coreRun, n uint64) {
	cr.ending = n
	cr.cpu.At(n, func(end sim.Cycle) { mr.finish(cr, end) })
}

// finish freezes cr's statistics at the end of its measured part.
func (mr *multiRun) finish(cr *coreRun, end sim.Cycle) {
	if cr.phase == finished {
		return
	}
	if cr.phase == measuring {
		cr.res, cr.frozen = cr.cpu.Measured(end), mr.m.Stats.Snapshot()
	}
	cr.phase, cr.end = finished, end
	mr.ended()
	if mr.last == nil || end >= mr.last.end {
		mr.last = cr
	}
}

// ended counts a run over. When the last is, every core is done
// (coreStep.Done): each core's flag (sim.Watched) is cleared, since a
// core's own steps, callbacks and interrupts are all it otherwise watches.
func (mr *multiRun) ended() {
	if mr.done++; mr.done < len(mr.runs) {
		return
	}
	for _, cr := range mr.runs {
		if f := cr.cpu.Answered(); f != nil {
			*f = false
		}
	}
}

// stopped is cr's core ending on its own (its trace over, with no way to
// read it again): it is out of whatever phase it was in.
func (mr *multiRun) stopped(cr *coreRun) {
	if cr.phase == warming || cr.phase == warm {
		wasWarming := cr.phase == warming
		cr.phase = finished // nothing measured
		mr.ended()
		if wasWarming && mr.done < len(mr.runs) {
			// The others, warm already, waited for this one: they begin
			// (a core that stopped warm had begun nothing to wait for).
			mr.beginIfWarm()
		}
		return
	}
	if cr.phase == measuring {
		mr.finish(cr, cr.cpu.Charged())
	}
}

// progress is the instructions the cores have measured, each to the end
// of its measured part, and the total they measure (0 until every core's
// end is known: measuring to the end of its trace, at that end).
func (mr *multiRun) progress() (measured, total uint64) {
	known := true
	for _, cr := range mr.runs {
		switch cr.phase {
		case finished:
			measured += cr.res.Instructions
			total += cr.res.Instructions
			continue
		case measuring:
			measured += cr.cpu.Retired() - cr.from
		}
		switch {
		case cr.ending > 0:
			total += cr.ending - cr.from
		case mr.measure > 0:
			total += mr.measure
		default:
			known = false
		}
	}
	if !known {
		total = 0
	}
	return measured, total
}

// coreStep is a core as the loop steps it: the shootdown interrupts that
// reached it first, and never past the next one's arrival.
type coreStep struct {
	mr *multiRun
	cr *coreRun
}

func (s *coreStep) Next() sim.Cycle { return s.cr.cpu.Next() }

func (s *coreStep) Step(now, limit sim.Cycle) {
	c := s.cr.cpu
	s.mr.m.stepCore(c, s.cr.slot.ID, now, limit)
	if c.Done() && s.cr.phase != finished {
		s.mr.stopped(s.cr)
	}
}

// stepCore steps core i's c: the shootdown interrupts that reached it
// first, and never past the next one's arrival.
func (m *Machine) stepCore(c *cpu.Core, i int, now, limit sim.Cycle) {
	if k := m.Kernel; k != nil && k.NextInterrupt(i) != sim.Never {
		c.TakeInterrupts(now, func(at sim.Cycle) sim.Cycle { return k.TakeInterrupts(i, at) })
		limit = min(limit, k.NextInterrupt(i))
	}
	c.Step(now, limit)
}

func (s *coreStep) Done() bool { return s.mr.done == len(s.mr.runs) || s.cr.cpu.Done() }

func (s *coreStep) RunsAhead() bool { return s.cr.cpu.RunsAhead() }

// Answered is the core's flag (sim.Watched). Done's other part, every run
// over, changes in some core's step; ended clears every core's flag then.
func (s *coreStep) Answered() *bool { return s.cr.cpu.Answered() }

// loopAll steps the cores until every one is done. A run that stops
// making progress is an internal error that shows everything in flight.
func (m *Machine) loopAll(comps []sim.Component, cores []*cpu.Core) error {
	err := sim.Loop(m.Engine, comps)
	if errors.Is(err, sim.ErrStuck) || errors.Is(err, sim.ErrNoProgress) {
		return m.stuck(err, cores...)
	}
	for _, c := range cores {
		if err := c.Err(); err != nil {
			return err
		}
	}
	return nil
}
