package scenario

import (
	"fmt"

	"github.com/vmemu/vmemu/cpu"
	kernel "github.com/vmemu/vmemu/os"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// nextOp gives the core whose line state is r.lineState its next
// operation (coreLines.Next).
func (r *scenarioRun) nextOp(now sim.Cycle, op *cpu.Op) (bool, error) {
	if r.halt != nil || r.failed {
		return false, nil
	}
	if r.line == nil {
		if r.next == len(r.s.Ops) {
			return false, nil
		}
		if until := r.wait(r.core, now); until != now {
			*op = cpu.Op{Kind: cpu.OpWait, Until: until}
			return true, nil
		}
		r.line, r.stage = &r.s.Ops[r.next], stageStart
		r.next++
		r.dispatched()
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
		r.watchAccess(op)
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
	p, t, err := r.process(line)
	if err != nil {
		return err
	}
	r.proc, r.task, r.stage = p, t, stageMain
	if r.k.CurrentThread(r.core) != t {
		*op = cpu.Op{Kind: cpu.OpKernel, Kernel: r.switchTo}
		return nil
	}
	return r.main(op)
}

// process is the process a line runs in, and its thread.
func (r *scenarioRun) process(line *traces.ScenarioOp) (*kernel.Process, *kernel.Thread, error) {
	p, t := r.lastProc, r.lastTask
	if line.Proc != r.lastName { // most lines run the same process as the one before
		p, t = r.taskNamed(line.Proc)
		r.lastName, r.lastProc, r.lastTask = line.Proc, p, t
	}
	if p == nil {
		if u, ok := r.unbound[line.Proc]; ok {
			return nil, nil, r.errAt(line, traces.Token{Col: 1}, "process", "process %s does not exist: the %s on line %d that was to make it failed with %s", line.Proc, u.op, u.line, u.why)
		}
		return nil, nil, r.errAt(line, traces.Token{Col: 1}, "process", "process %s does not exist (the fork that was to make it failed)", line.Proc)
	}
	if p.Exited {
		return nil, nil, r.errAt(line, traces.Token{Col: 1}, "process", "process %s (pid %d) has exited", line.Proc, p.PID)
	}
	if t.Exited {
		return nil, nil, r.errAt(line, traces.Token{Col: 1}, "process", "thread %s (tid %d) has exited", line.Proc, t.TID)
	}
	return p, t, nil
}

// taskNamed is the process and thread a line's name stands for: a
// thread's, or a process's first thread; nil for a name with none.
func (r *scenarioRun) taskNamed(name string) (*kernel.Process, *kernel.Thread) {
	if t := r.tasks[name]; t != nil {
		return t.Proc, t
	}
	if p := r.procs[name]; p != nil {
		return p, p.Main()
	}
	return nil, nil
}

func (r *scenarioRun) switchTo(now sim.Cycle) (sim.Cycle, error) {
	return r.k.SwitchTo(r.core, now, r.task), nil
}

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

// did takes the outcome of an operation of the core whose line state is
// r.lineState (coreLines.Did).
func (r *scenarioRun) did(op *cpu.Op, at sim.Cycle) error {
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
	if len(r.line.Loops) > 0 && len(r.loop.vals) > 0 {
		for i := misses; i < len(r.misses); i++ {
			r.misses[i].Loop = r.loop.where(r.line)
		}
	}
	if err != nil || !op.Retires {
		return err
	}
	return r.endLine(at)
}

// endLine closes a line (and, in the tests, checks the kernel's books); a
// line with loops runs again while they have values left.
func (r *scenarioRun) endLine(at sim.Cycle) error {
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
	r.ended(at)
	r.line = nil
	return nil
}
