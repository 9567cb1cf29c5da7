package scenario

import (
	"fmt"

	"github.com/vmemu/vmemu/cpu"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/memside"
	kernel "github.com/vmemu/vmemu/os"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// access makes the operation of a load, store, modify (its load first) or
// fetch line, decoding its operands.
func (r *scenarioRun) access(op *cpu.Op) error {
	line := r.line
	va, size, value := line.Addr, line.Size, line.Value
	if s := line.Size; !line.Literal || (s != 1 && s != 2 && s != 4 && s != 8) {
		var err error
		if va, size, value, err = r.operands(line); err != nil {
			return err
		}
	}
	kind := sim.Load
	switch line.Op {
	case "fetch":
		kind = sim.Fetch
	case "store":
		kind = sim.Store
	case "modify":
		r.store = accessOp(sim.Store, va, size, value, true)
	}
	*op = accessOp(kind, va, size, value, line.Op != "modify")
	if line.Op != "modify" {
		r.watchAccess(op)
	}
	return nil
}

// operands reads a line's address, size and value from its tokens.
func (r *scenarioRun) operands(line *traces.ScenarioOp) (va, size, value uint64, err error) {
	if va, err = r.num(line, line.Args[0]); err != nil {
		return
	}
	if size, err = r.num(line, line.Args[1]); err != nil {
		return
	}
	if size != 1 && size != 2 && size != 4 && size != 8 {
		err = r.errAt(line, line.Args[1], "size", "%d: sizes are 1, 2, 4 or 8 bytes", size)
		return
	}
	if len(line.Args) == 3 {
		value, err = r.num(line, line.Args[2])
	}
	return
}

// accessOp is an access that carries its data.
func accessOp(kind sim.Kind, va, size, value uint64, retires bool) cpu.Op {
	return cpu.Op{Kind: cpu.OpAccess, Retires: retires,
		Access: memside.Access{VA: va, Size: uint32(size), Kind: kind, Data: true, Value: value}}
}

// accessDone checks what an access of the line returned against what the
// line states.
func (r *scenarioRun) accessDone(a *memside.Access) error {
	if a.Out.Faulted && r.k.Err() != nil {
		r.outOfMemory(a)
		return nil
	}
	ok := !a.Out.Faulted
	switch line := r.line; {
	case line.Op == "fetch":
		return r.stopOnSegv(nil)
	case line.Op == "store":
		return r.storeDone(ok)
	case line.Op == "modify" && a.Kind == sim.Load:
		if !ok {
			return r.loadDone(0, false) // no store; Next closes the line
		}
		r.load, r.stage = a.Out.Value, stageStore
		return nil
	case line.Op == "modify":
		return r.loadDone(r.load, true)
	}
	return r.loadDone(a.Out.Value, ok)
}

// storeDone checks a store's expectation: it can only be a signal.
func (r *scenarioRun) storeDone(ok bool) error {
	line := r.line
	if line.Expect == nil {
		return r.stopOnSegv(nil)
	}
	if !isSignal(line.Expect.Text) {
		return r.errAt(line, *line.Expect, "expectation", "a store can only expect a signal (SIGSEGV, SIGBUS)")
	}
	r.signalDone(ok, "stored")
	return nil
}

// isSignal reports an expectation that is a signal an access may get.
func isSignal(s string) bool { return s == kernel.SIGSEGV || s == kernel.SIGBUS }

// signalDone checks an access that expected a signal: got says what it did
// when it did not fault.
func (r *scenarioRun) signalDone(ok bool, got string) {
	line := r.line
	want := line.Expect.Text
	if !ok {
		got = r.lastSignal()
	}
	if got != want {
		r.misses = append(r.misses, report.Mismatch{Line: line.Line, Want: want, Got: got})
	}
	if !ok {
		r.wanted++ // the scenario wanted this fault: it does not stop the run
	}
}

// lastSignal is the signal the line's process got last: the one an access
// that faulted just got.
func (r *scenarioRun) lastSignal() string {
	if n := r.proc.SignalNames; len(n) > 0 {
		return n[len(n)-1]
	}
	return kernel.SIGSEGV
}

// loadDone checks a load's value (ok false: it faulted) against the line's
// expectation, and binds it to the line's name.
func (r *scenarioRun) loadDone(got uint64, ok bool) error {
	line := r.line
	if line.Expect != nil && isSignal(line.Expect.Text) {
		r.signalDone(ok, fmt.Sprintf("%#x", got))
		return nil
	}
	if line.Expect != nil {
		want, err := r.num(line, *line.Expect)
		if err != nil {
			return err
		}
		switch {
		case !ok:
			r.misses = append(r.misses, report.Mismatch{Line: line.Line, Want: fmt.Sprintf("%#x", want), Got: r.lastSignal()})
		case got != want:
			r.misses = append(r.misses, report.Mismatch{Line: line.Line, Want: fmt.Sprintf("%#x", want), Got: fmt.Sprintf("%#x", got)})
		}
	}
	if line.Bind != "" {
		why := ""
		if !ok {
			why = "SIGSEGV"
		}
		r.bind(line, got, why)
	}
	return r.stopOnSegv(nil)
}

// outOfMemory stops the run at an access the kernel could not mend for
// want of memory and swap: the run ends as if the scenario ended there, so
// that its report so far is made, and Run returns the error, which names
// the line.
func (r *scenarioRun) outOfMemory(a *memside.Access) {
	line := r.line
	r.halt = &traces.Error{File: r.s.Name, Line: line.Line, Field: line.Op,
		Msg: fmt.Sprintf("at %#x: %v (os.memory is %s, disk.swap %s); the run stops here",
			a.Out.FaultVA, r.k.Err(), r.m.Config.Get("os.memory"), r.m.Config.Get("disk.swap"))}
}
