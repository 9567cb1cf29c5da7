package machine

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"github.com/vmemu/vmemu/machine/report"
	kernel "github.com/vmemu/vmemu/os"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// scenarioRun is the state of one scenario as it runs.
type scenarioRun struct {
	m      *Machine
	c      *core
	s      *traces.Scenario
	k      *kernel.Kernel
	values map[string]uint64
	procs  map[string]*kernel.Process
	misses []report.Mismatch
	errors []report.SyscallError
	wanted uint64 // SIGSEGVs the scenario asked for
	stop   bool   // os.on_segv: stop

	lastName string // the process of the line before, by name
	lastProc *kernel.Process
}

// RunScenario runs a scenario on the machine, which must translate. Process
// p1 starts with an empty address space.
func (m *Machine) RunScenario(s *traces.Scenario) (*report.Report, error) {
	if m.MMU == nil {
		return nil, fmt.Errorf("%s: a scenario needs translation (mmu.enabled: true)", s.Name)
	}
	c := m.newCore()
	m.Kernel.ClearAreas(m.Process)
	r := &scenarioRun{m: m, c: c, s: s, k: m.Kernel, values: map[string]uint64{},
		procs: map[string]*kernel.Process{"p1": m.Process}, stop: m.Config.Get("os.on_segv") == "stop"}
	for i := range s.Ops {
		if err := r.step(&s.Ops[i]); err != nil {
			return nil, err
		}
		if m.checkKernel {
			if err := m.Kernel.CheckInvariants(); err != nil {
				return nil, fmt.Errorf("%s:%d: kernel invariant broken: %v", s.Name, s.Ops[i].Line, err)
			}
		}
		c.records++
	}
	m.Engine.Run()
	rep := m.report(c, "scenario")
	rep.Scenario = r.report()
	return rep, nil
}

// errAt is an error in the scenario at a token.
func (r *scenarioRun) errAt(op *traces.ScenarioOp, t traces.Token, field, format string, a ...any) error {
	return &traces.Error{File: r.s.Name, Line: op.Line, Field: fmt.Sprintf("column %d: %s", t.Col, field), Msg: fmt.Sprintf(format, a...)}
}

func (r *scenarioRun) step(op *traces.ScenarioOp) error {
	switch op.Op {
	case "file":
		return r.placeFile(op)
	case "set":
		return nil // applied to the configuration before the machine was built
	}
	p := r.lastProc
	if op.Proc != r.lastName { // most lines run the same process as the one before
		p = r.procs[op.Proc]
		r.lastName, r.lastProc = op.Proc, p
	}
	if p == nil {
		return r.errAt(op, traces.Token{Col: 1}, "process", "process %s does not exist (the fork that was to make it failed)", op.Proc)
	}
	if p.Exited {
		return r.errAt(op, traces.Token{Col: 1}, "process", "process %s (pid %d) has exited", op.Proc, p.PID)
	}
	c := r.c
	if r.k.Current() != p {
		before := c.now
		c.now = r.k.Switch(c.now, p)
		c.kernel += uint64(c.now - before)
	}
	switch op.Op {
	case "load", "store", "modify", "fetch":
		return r.access(op)
	}
	return r.syscall(op, p)
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
		return 0, r.errAt(op, t, "value", "%q is not a number or a defined name", s)
	}
	if rest == "" {
		return base, nil
	}
	off, err := strconv.ParseUint(rest[1:], 0, 64)
	if err != nil {
		return 0, r.errAt(op, t, "value", "%q: bad offset after %s", s, name)
	}
	if rest[0] == '-' {
		return base - off, nil
	}
	return base + off, nil
}

func (r *scenarioRun) placeFile(op *traces.ScenarioOp) error {
	f := op.File
	var data []byte
	switch {
	case f.Host != "":
		var err error
		if data, err = os.ReadFile(f.Host); err != nil {
			return r.errAt(op, traces.Token{Col: 1}, "host", "%v", err)
		}
	case f.Words > 0:
		data = make([]byte, f.Words)
		for o := uint64(0); o+8 <= f.Words; o += 8 {
			binary.LittleEndian.PutUint64(data[o:], o)
		}
	case f.Bytes > 0:
		rng := rand.New(rand.NewPCG(f.Seed, 0x5eed))
		data = make([]byte, f.Bytes)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
	default:
		data = []byte(f.Text)
	}
	if _, err := r.k.PlaceFile(f.Path, data); err != nil {
		return r.errAt(op, traces.Token{Col: 1}, "file", "%v", err)
	}
	return nil
}

// access runs a load, store, modify or fetch with its data.
func (r *scenarioRun) access(op *traces.ScenarioOp) error {
	if s := op.Size; op.Literal && (s == 1 || s == 2 || s == 4 || s == 8) {
		return r.accessValues(op, op.Addr, s, op.Value)
	}
	va, err := r.num(op, op.Args[0])
	if err != nil {
		return err
	}
	size, err := r.num(op, op.Args[1])
	if err != nil {
		return err
	}
	if size != 1 && size != 2 && size != 4 && size != 8 {
		return r.errAt(op, op.Args[1], "size", "%d: sizes are 1, 2, 4 or 8 bytes", size)
	}
	var value uint64
	if len(op.Args) == 3 {
		if value, err = r.num(op, op.Args[2]); err != nil {
			return err
		}
	}
	return r.accessValues(op, va, size, value)
}

// accessValues runs a memory access of its decoded operands.
func (r *scenarioRun) accessValues(op *traces.ScenarioOp, va, size, value uint64) error {
	var err error
	m := r.m
	switch op.Op {
	case "fetch":
		_, _, err = r.c.dataAccess(m.Fetch, sim.Fetch, va, uint32(size), 0)
		return r.stopOnSegv(err)
	case "store":
		_, ok, err := r.c.dataAccess(m.Data, sim.Store, va, uint32(size), value)
		if err == nil && op.Expect != nil {
			if op.Expect.Text != "SIGSEGV" {
				return r.errAt(op, *op.Expect, "expectation", "a store can only expect SIGSEGV")
			}
			if ok {
				r.misses = append(r.misses, report.Mismatch{Line: op.Line, Want: "SIGSEGV", Got: "stored"})
			} else {
				r.wanted++
			}
			return nil
		}
		return r.stopOnSegv(err)
	}
	got, ok, err := r.c.dataAccess(m.Data, sim.Load, va, uint32(size), 0)
	if err != nil {
		return err
	}
	if op.Op == "modify" && ok {
		if _, _, err := r.c.dataAccess(m.Data, sim.Store, va, uint32(size), value); err != nil {
			return err
		}
	}
	if op.Expect != nil && op.Expect.Text == "SIGSEGV" {
		if ok {
			r.misses = append(r.misses, report.Mismatch{Line: op.Line, Want: "SIGSEGV", Got: fmt.Sprintf("%#x", got)})
		} else {
			r.wanted++ // the scenario wanted this fault: it does not stop the run
		}
		return nil
	}
	if op.Expect != nil {
		want, err := r.num(op, *op.Expect)
		if err != nil {
			return err
		}
		switch {
		case !ok:
			r.misses = append(r.misses, report.Mismatch{Line: op.Line, Want: fmt.Sprintf("%#x", want), Got: "SIGSEGV"})
		case got != want:
			r.misses = append(r.misses, report.Mismatch{Line: op.Line, Want: fmt.Sprintf("%#x", want), Got: fmt.Sprintf("%#x", got)})
		}
	}
	if op.Bind != "" {
		r.values[op.Bind] = got
	}
	return r.stopOnSegv(nil)
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
