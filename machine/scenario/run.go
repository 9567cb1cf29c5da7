package scenario

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vmemu/vmemu/cpu"
	"github.com/vmemu/vmemu/machine"
	"github.com/vmemu/vmemu/machine/report"
	kernel "github.com/vmemu/vmemu/os"
	inputquote "github.com/vmemu/vmemu/quote"
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
	wanted  uint64 // SIGSEGVs the scenario asked for
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
	rep, err := m.RunProgram(r, "scenario")
	if err != nil {
		return nil, err
	}
	rep.Scenario = r.report()
	return rep, r.halt
}

// errAt is an error in the scenario at a token.
func (r *scenarioRun) errAt(op *traces.ScenarioOp, t traces.Token, field, format string, a ...any) error {
	return &traces.Error{File: r.s.Name, Line: op.Line, Field: fmt.Sprintf("column %d: %s", t.Col, field), Msg: fmt.Sprintf(format, a...)}
}

// num evaluates a number, a name, or name+number / name-number.
func (r *scenarioRun) num(op *traces.ScenarioOp, t traces.Token) (uint64, error) {
	if t.IsNum {
		return t.Num, nil
	}
	s := t.Text
	if v, err := strconv.ParseInt(s, 0, 64); err == nil {
		return uint64(v), nil
	}
	if v, err := strconv.ParseUint(s, 0, 64); err == nil {
		return v, nil
	}
	name, rest := s, ""
	if i := strings.IndexAny(s, "+-"); i > 0 {
		name, rest = s[:i], s[i:]
	}
	base, ok := r.values[name]
	if !ok {
		return 0, r.undefined(op, t, name, s)
	}
	if rest == "" {
		return base, nil
	}
	off, err := strconv.ParseUint(rest[1:], 0, 64)
	if err != nil {
		return 0, r.errAt(op, t, "value", "%s: bad offset after %s", inputquote.Input(s), name)
	}
	if rest[0] == '-' {
		return base - off, nil
	}
	return base + off, nil
}

func (r *scenarioRun) stopOnSegv(err error) error {
	if err != nil {
		return err
	}
	if r.stop && r.k.N.Segv > r.wanted {
		p := r.k.Current()
		f := p.LastSegv
		return fmt.Errorf("%s: SIGSEGV in pid %d at %#x (%s); the run stops (os.on_segv: stop)",
			r.s.Name, p.PID, f.VA, p.SignalReasons[len(p.SignalReasons)-1])
	}
	return nil
}
