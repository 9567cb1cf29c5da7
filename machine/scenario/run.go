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

	next   int                // the next line's index in s.Ops
	line   *traces.ScenarioOp // the line running, nil between lines
	proc   *kernel.Process    // its process
	stage  lineStage
	load   uint64  // a modify's loaded value, checked once its store is done
	store  cpu.Op  // a modify's store, once its load is done
	result syscall // the line's system call's, once made
	loop   loopState
	// lookup is value, made once (a method value allocates).
	lookup func(name string) (uint64, bool)
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
	m.Kernel.ClearAreas(m.Process)
	r := &scenarioRun{m: m, s: s, opt: opt, k: m.Kernel, values: map[string]uint64{}, unbound: map[string]unbound{}, checkKernel: checkKernel,
		procs: map[string]*kernel.Process{"p1": m.Process}, stop: m.Config.Get("os.on_segv") == "stop"}
	r.lookup = r.value
	rep, err := m.RunProgram(r, "scenario")
	if err != nil {
		return nil, err
	}
	rep.Scenario = r.report()
	return rep, r.halt
}

// errAt is an error in the scenario at a token; in a loop, it says the
// values of the loop's variables.
func (r *scenarioRun) errAt(op *traces.ScenarioOp, t traces.Token, field, format string, a ...any) error {
	msg := fmt.Sprintf(format, a...)
	if op == r.line && len(r.loop.vals) > 0 {
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
	if l := r.line; l != nil {
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
		p := r.k.Current()
		f, last := p.LastSegv, len(p.SignalReasons)-1
		return fmt.Errorf("%s: %s in pid %d at %#x (%s); the run stops (os.on_segv: stop)",
			r.s.Name, p.SignalNames[last], p.PID, f.VA, p.SignalReasons[last])
	}
	return nil
}
