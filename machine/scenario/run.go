package scenario

import (
	"fmt"

	"github.com/vmemu/vmemu/cpu"
	"github.com/vmemu/vmemu/machine"
	"github.com/vmemu/vmemu/machine/report"
	kernel "github.com/vmemu/vmemu/os"
	"github.com/vmemu/vmemu/traces"
)

// scenarioRun is one scenario as it runs: the program of the in-order
// core (cpu.Program). Each line becomes one to three operations of the
// core: a context switch when the line's process is not the current one,
// then its access (a modify's load and store) or system call.
type scenarioRun struct {
	m      *machine.Machine
	s      *traces.Scenario
	opt    Options
	k      *kernel.Kernel
	values map[string]uint64
	// unbound holds the names whose line failed, and why (bindings.go).
	unbound map[string]unbound
	procs   map[string]*kernel.Process
	misses  []report.Mismatch
	errors  []report.SyscallError
	wanted  uint64 // signals (SIGSEGV, SIGBUS) the scenario asked for
	stop    bool   // os.on_segv: stop
	halt    error  // what stopped the run early, with its report made

	checkKernel bool // check the kernel's books after every line (tests)

	lastName string // the process of the line before, by name
	lastProc *kernel.Process
	lastTask *kernel.Thread

	// tasks are the threads bound by thread lines, by name; coreOf is
	// the core each thread runs on (placement.go).
	tasks  map[string]*kernel.Thread
	coreOf map[*kernel.Thread]int
	// cores are the programs of the machine's cores; *lineState is the
	// line of the core whose operation runs now (each core's Next and
	// Did point it at that core's).
	cores []*coreLines
	*lineState
	order // which line may start when (order.go)

	next int // the next line's index in s.Ops
	loop loopState
	// lookup is value, made once (a method value allocates).
	lookup func(name string) (uint64, bool)
}

// lineState is the line a core runs, and where it is.
type lineState struct {
	core   int
	line   *traces.ScenarioOp // the line running, nil between lines
	proc   *kernel.Process    // its process
	task   *kernel.Thread     // its thread
	stage  lineStage
	load   uint64  // a modify's loaded value, checked once its store is done
	store  cpu.Op  // a modify's store, once its load is done
	result syscall // the line's system call's, once made
}

// lineStage is where a line is: what its next operation is.
type lineStage uint8

const (
	stageStart lineStage = iota // switch to the line's process if needed
	stageMain                   // the access or system call
	stageStore                  // a modify's store
	stageDone                   // nothing left but to close the line
)

// Run runs a scenario on a machine, which must translate, with the
// default Options. Process p1 starts with an empty address space. A run
// stopped partway (the machine out of memory and swap) returns its report
// so far with the error.
func Run(m *machine.Machine, s *traces.Scenario) (*report.Report, error) {
	return RunWith(m, s, Options{})
}

// RunWith runs a scenario on a machine with options.
func RunWith(m *machine.Machine, s *traces.Scenario, opt Options) (*report.Report, error) {
	return run(m, s, opt, false)
}

// run runs a scenario; checkKernel (the tests) checks the kernel's books
// after every line.
func run(m *machine.Machine, s *traces.Scenario, opt Options, checkKernel bool) (*report.Report, error) {
	if m.MMU == nil {
		return nil, fmt.Errorf("%s: a scenario needs translation (mmu.enabled: true)", s.Name)
	}
	if err := placesFit(s, len(m.Cores)); err != nil {
		return nil, err
	}
	m.Kernel.ClearAreas(m.Process)
	r := &scenarioRun{m: m, s: s, opt: opt, k: m.Kernel, values: map[string]uint64{}, unbound: map[string]unbound{}, checkKernel: checkKernel,
		procs: map[string]*kernel.Process{"p1": m.Process}, stop: m.Config.Get("os.on_segv") == "stop",
		tasks: map[string]*kernel.Thread{}, coreOf: map[*kernel.Thread]int{}}
	r.lookup = r.value
	r.order.looping, r.order.known = -1, true
	progs := make([]cpu.Program, len(m.Cores))
	for i := range m.Cores {
		c := &coreLines{r: r, st: lineState{core: i}}
		r.cores, progs[i] = append(r.cores, c), c
	}
	r.lineState = &r.cores[0].st
	var rep *report.Report
	var err error
	if len(m.Cores) == 1 {
		rep, err = m.RunProgram(progs[0], "scenario")
	} else {
		rep, err = m.RunPrograms(progs, r.held, "scenario")
	}
	if err != nil {
		return nil, err
	}
	rep.Scenario = r.report()
	return rep, r.halt
}

// placesFit refuses, before anything runs, a thread or fork placed on a
// core the machine has not: the lines of a core that is not there would
// wait for ever.
func placesFit(s *traces.Scenario, cores int) error {
	if s.MaxCore < cores {
		return nil
	}
	for _, op := range s.Ops {
		if op.Core >= cores && (op.Op == "fork" || op.Op == "thread") {
			col := int32(1)
			if len(op.Args) > 0 {
				col = op.Args[0].Col
			}
			return &traces.Error{File: s.Name, Line: op.Line, Field: fmt.Sprintf("column %d: core", col),
				Msg: fmt.Sprintf("core=%d: the machine's cores are 0 to %d (set cores=%d or more)", op.Core, cores-1, op.Core+1)}
		}
	}
	return nil
}

// errAt is an error in the scenario at a token; in a loop, it says the
// values of the loop's variables.
func (r *scenarioRun) errAt(op *traces.ScenarioOp, t traces.Token, field, format string, a ...any) error {
	msg := fmt.Sprintf(format, a...)
	if op == r.line && len(op.Loops) > 0 && len(r.loop.vals) > 0 {
		msg += " (" + r.loop.where(op) + ")"
	}
	return &traces.Error{File: r.s.Name, Line: op.Line, Field: fmt.Sprintf("column %d: %s", t.Col, field), Msg: msg}
}

// num evaluates an operand: a number, or an expression of numbers, names
// and the line's loop variables (traces.Expr).
func (r *scenarioRun) num(op *traces.ScenarioOp, t traces.Token) (uint64, error) {
	if t.IsNum {
		return t.Num, nil
	}
	if t.Expr == nil {
		return 0, r.undefined(op, t, t.Text, t.Text)
	}
	v, name, at := t.Expr.Eval(r.lookup)
	if name != "" {
		return 0, r.undefined(op, traces.Token{Col: t.Col + int32(at)}, name, name)
	}
	return v, nil
}

// value is a name's value: the line's loop variable of that name, or a
// name an earlier line bound.
func (r *scenarioRun) value(name string) (uint64, bool) {
	if l := r.line; l != nil && len(l.Loops) > 0 {
		for i := range r.loop.vals {
			if l.Loops[i].Var == name {
				return r.loop.vals[i], true
			}
		}
	}
	v, ok := r.values[name]
	return v, ok
}

func (r *scenarioRun) stopOnSegv(err error) error {
	if err != nil {
		return err
	}
	if r.stop && r.k.N.Segv+r.k.N.Sigbus > r.wanted {
		p := r.proc
		f, last := p.LastSegv, len(p.SignalReasons)-1
		return fmt.Errorf("%s: %s in pid %d at %#x (%s); the run stops (os.on_segv: stop)",
			r.s.Name, p.SignalNames[last], p.PID, f.VA, p.SignalReasons[last])
	}
	return nil
}
