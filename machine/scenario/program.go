package scenario

import (
	"fmt"

	"github.com/vmemu/vmemu/cpu"
	kernel "github.com/vmemu/vmemu/os"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// Next gives the core the scenario's next operation (cpu.Program).
func (r *scenarioRun) Next(_ sim.Cycle, op *cpu.Op) (bool, error) {
	if r.halt != nil {
		return false, nil
	}
	if r.line == nil {
		if r.next == len(r.s.Ops) {
			return false, nil
		}
		r.line, r.stage = &r.s.Ops[r.next], stageStart
		r.next++
		if len(r.line.Loops) > 0 {
			if err := r.enterLoops(); err != nil {
				return false, err
			}
		}
	}
	switch r.stage {
	case stageStart:
		return true, r.start(op)
	case stageMain:
		return true, r.main(op)
	case stageStore:
		*op, r.stage = r.store, stageDone
	default: // the line's last operation did not close it (a faulted modify)
		*op = cpu.Op{Kind: cpu.OpNone, Retires: true}
	}
	return true, nil
}

// start begins a line. A declaration takes no time; a line of another
// process than the current one first switches to it.
func (r *scenarioRun) start(op *cpu.Op) error {
	line := r.line
	switch line.Op {
	case "file":
		if err := r.placeFile(line); err != nil {
			return err
		}
		fallthrough
	case "set": // applied to the configuration before the machine was built
		*op, r.stage = cpu.Op{Kind: cpu.OpNone, Retires: true}, stageDone
		return nil
	}
	p, err := r.process(line)
	if err != nil {
		return err
	}
	r.proc, r.stage = p, stageMain
	if r.k.Current() != p {
		*op = cpu.Op{Kind: cpu.OpKernel, Kernel: r.switchTo}
		return nil
	}
	return r.main(op)
}

// process is the process a line runs in.
func (r *scenarioRun) process(line *traces.ScenarioOp) (*kernel.Process, error) {
	p := r.lastProc
	if line.Proc != r.lastName { // most lines run the same process as the one before
		p = r.procs[line.Proc]
		r.lastName, r.lastProc = line.Proc, p
	}
	if p == nil {
		if u, ok := r.unbound[line.Proc]; ok {
			return nil, r.errAt(line, traces.Token{Col: 1}, "process", "process %s does not exist: the fork on line %d that was to make it failed with %s", line.Proc, u.line, u.why)
		}
		return nil, r.errAt(line, traces.Token{Col: 1}, "process", "process %s does not exist (the fork that was to make it failed)", line.Proc)
	}
	if p.Exited {
		return nil, r.errAt(line, traces.Token{Col: 1}, "process", "process %s (pid %d) has exited", line.Proc, p.PID)
	}
	return p, nil
}

func (r *scenarioRun) switchTo(now sim.Cycle) (sim.Cycle, error) { return r.k.Switch(now, r.proc), nil }

// main is the line's access or system call.
func (r *scenarioRun) main(op *cpu.Op) error {
	r.stage = stageDone
	switch r.line.Op {
	case "load", "store", "modify", "fetch":
		return r.access(op)
	}
	*op = cpu.Op{Kind: cpu.OpKernel, Kernel: r.syscallAt, Retires: true}
	return nil
}

// Did takes the outcome of an operation (cpu.Program).
func (r *scenarioRun) Did(op *cpu.Op, _ sim.Cycle) error {
	var err error
	misses := len(r.misses)
	switch {
	case op.Kind == cpu.OpKernel && r.stage == stageMain:
		return nil // the switch to the line's process
	case op.Kind == cpu.OpKernel:
		err = r.syscallDone()
	case op.Kind == cpu.OpAccess:
		err = r.accessDone(&op.Access)
	}
	if len(r.loop.vals) > 0 {
		for i := misses; i < len(r.misses); i++ {
			r.misses[i].Loop = r.loop.where(r.line)
		}
	}
	if err != nil || !op.Retires {
		return err
	}
	return r.endLine()
}

// endLine closes a line (and, in the tests, checks the kernel's books); a
// line with loops runs again while they have values left.
func (r *scenarioRun) endLine() error {
	line := r.line
	if r.checkKernel {
		if err := r.k.CheckInvariants(); err != nil {
			return fmt.Errorf("%s:%d: kernel invariant broken: %v", r.s.Name, line.Line, err)
		}
	}
	if len(line.Loops) > 0 {
		more, err := r.nextIteration()
		if more || err != nil {
			r.stage = stageStart
			return err
		}
	}
	r.line = nil
	return nil
}
