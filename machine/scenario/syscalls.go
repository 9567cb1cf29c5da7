package scenario

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vmemu/vmemu/machine/report"
	kernel "github.com/vmemu/vmemu/os"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// flagWords are the symbols a scenario may use, or-ed with "|".
var flagWords = map[string]int{
	"PROT_NONE": kernel.ProtNone, "PROT_READ": kernel.ProtRead, "PROT_WRITE": kernel.ProtWrite, "PROT_EXEC": kernel.ProtExec,
	"MAP_SHARED": kernel.MapShared, "MAP_PRIVATE": kernel.MapPrivate, "MAP_FIXED": kernel.MapFixed,
	"MAP_ANONYMOUS": kernel.MapAnonymous, "MAP_ANON": kernel.MapAnonymous, "MAP_POPULATE": kernel.MapPopulate,
	"MAP_HUGETLB": kernel.MapHugeTLB, "MAP_HUGE_2MB": kernel.MapHuge2MB, "MAP_HUGE_1GB": kernel.MapHuge1GB,
	"O_RDONLY": kernel.OpenRead, "O_WRONLY": kernel.OpenWrite, "O_RDWR": kernel.OpenRDWR,
	"O_CREAT": kernel.OpenCreate, "O_TRUNC": kernel.OpenTrunc,
}

// adviceWords are madvise's advice by name: the advice the kernel models.
// A number passes as it is, so a scenario can give one the kernel does not
// know (EINVAL, as Linux gives for an advice it does not know).
var adviceWords = map[string]int{
	"MADV_NORMAL": kernel.MadvNormal, "MADV_RANDOM": kernel.MadvRandom, "MADV_SEQUENTIAL": kernel.MadvSequential,
	"MADV_WILLNEED": kernel.MadvWillneed, "MADV_DONTNEED": kernel.MadvDontneed,
	"MADV_HUGEPAGE": kernel.MadvHugepage, "MADV_NOHUGEPAGE": kernel.MadvNohugepage,
}

// flags reads "PROT_READ|PROT_WRITE", "rw-" style protections, or a number.
func (r *scenarioRun) flags(op *traces.ScenarioOp, t traces.Token, prefix string) (int, error) {
	if n, err := strconv.ParseInt(t.Text, 0, 32); err == nil {
		return int(n), nil
	}
	if prefix == "PROT_" && len(t.Text) == 3 && strings.Trim(t.Text, "rwx-") == "" {
		p := 0
		for i, c := range "rwx" {
			if t.Text[i] == byte(c) {
				p |= 1 << i
			}
		}
		return p, nil
	}
	out := 0
	for _, w := range strings.Split(t.Text, "|") {
		v, ok := flagWords[w]
		if !ok || !strings.HasPrefix(w, prefix) {
			return 0, r.errAt(op, t, "flags", "%q is not a %s flag", w, strings.TrimSuffix(prefix, "_"))
		}
		out |= v
	}
	return out, nil
}

func unquote(s string) string {
	if u, err := strconv.Unquote(s); err == nil {
		return u
	}
	return s
}

// syscall is what a system call returned.
type syscall struct {
	ret   uint64
	errno kernel.Errno
}

// syscallAt makes the line's system call at cycle now and returns the
// cycle it ends (the core's kernel operation).
func (r *scenarioRun) syscallAt(now sim.Cycle) (sim.Cycle, error) {
	r.k.RunOn(r.core)
	ret, errno, done, err := r.call(r.line, r.proc, now)
	r.result = syscall{ret, errno}
	return done, err
}

// syscallDone binds what the line's system call returned and checks it
// against the line's expectation.
func (r *scenarioRun) syscallDone() error {
	op, p := r.line, r.proc
	ret, errno := r.result.ret, r.result.errno
	switch {
	case op.Op == "fork" && errno == kernel.OK && op.Bind == "":
		r.place(op, r.k.Process(int(ret)).Main())
	case op.Bind == "":
	case errno != kernel.OK:
		r.bind(op, 0, errno.String())
	case op.Op == "fork":
		r.bind(op, ret, "")
		r.procs[op.Bind] = r.k.Process(int(ret))
		delete(r.tasks, op.Bind)
		r.place(op, r.procs[op.Bind].Main())
	case op.Op == "thread":
		r.bind(op, ret, "")
		r.tasks[op.Bind] = r.k.Thread(int(ret))
		delete(r.procs, op.Bind)
		r.place(op, r.tasks[op.Bind])
	default:
		r.bind(op, ret, "")
	}
	if errno != kernel.OK {
		r.errors = append(r.errors, report.SyscallError{Line: op.Line, PID: p.PID, Call: op.Op, Errno: errno.String()})
	}
	if op.Expect == nil {
		return nil
	}
	got := errno.String()
	if errno == kernel.OK {
		got = fmt.Sprintf("%#x", ret)
	}
	want := op.Expect.Text
	if !strings.HasPrefix(want, "E") {
		v, err := r.num(op, *op.Expect)
		if err != nil {
			return err
		}
		want = fmt.Sprintf("%#x", v)
	}
	if got != want {
		r.misses = append(r.misses, report.Mismatch{Line: op.Line, Want: want, Got: got})
	}
	return nil
}

// call decodes the arguments of a system call and makes it: it returns
// what the call returned, its errno and the cycle it ends, or an error in
// the line (and then no call is made).
func (r *scenarioRun) call(op *traces.ScenarioOp, p *kernel.Process, now sim.Cycle) (uint64, kernel.Errno, sim.Cycle, error) {
	a := &operands{r: r, op: op}
	var c syscallCall
	switch op.Op {
	case "fork", "thread", "exit", "wait", "execve":
		c = r.processCall(a, p, now)
	case "mmap", "munmap", "msync", "mprotect", "madvise", "brk":
		c = r.memoryCall(a, p, now)
	case "open", "close", "read", "write":
		c = r.fileCall(a, p, now)
	default:
		return 0, 0, 0, r.errAt(op, traces.Token{Col: 1}, "operation", "unknown operation %q", op.Op)
	}
	if a.err != nil {
		return 0, 0, 0, a.err
	}
	ret, errno, done := c()
	return ret, errno, done, nil
}

// place puts t, the thread or the child process a fork or thread line
// made, on the core the line names, or its parent's; its name may have
// meant another process before.
func (r *scenarioRun) place(op *traces.ScenarioOp, t *kernel.Thread) {
	n := op.Core
	if n < 0 {
		n = r.coreOf[r.task]
	}
	r.coreOf[t] = n
	r.lastName = ""
}

// syscallCall makes a call whose operands are decoded.
type syscallCall func() (uint64, kernel.Errno, sim.Cycle)

func (r *scenarioRun) processCall(a *operands, p *kernel.Process, now sim.Cycle) syscallCall {
	k := r.k
	switch a.op.Op {
	case "fork", "thread": // on a core the machine has (placesFit)
		if a.op.Op == "thread" {
			return func() (uint64, kernel.Errno, sim.Cycle) { return k.Clone(now, p) }
		}
		return func() (uint64, kernel.Errno, sim.Cycle) { return k.Fork(now, p) }
	case "exit":
		status := a.numOr(0, 0)
		if t := r.task; r.tasks[a.op.Proc] == t {
			return func() (uint64, kernel.Errno, sim.Cycle) { return k.ExitThread(now, t, int(status)) }
		}
		return func() (uint64, kernel.Errno, sim.Cycle) { return k.Exit(now, p, int(status)) }
	case "wait":
		pid := a.numOr(0, 1<<64-1)
		return func() (uint64, kernel.Errno, sim.Cycle) { return k.Wait(now, p, int(int64(pid))) }
	}
	layout, path := r.layout(a), unquote(a.op.Args[0].Text)
	return func() (uint64, kernel.Errno, sim.Cycle) { return k.Execve(now, p, path, layout) }
}

func (r *scenarioRun) memoryCall(a *operands, p *kernel.Process, now sim.Cycle) syscallCall {
	k := r.k
	addr, n := a.num(0), a.numOr(1, 0)
	switch a.op.Op {
	case "mmap":
		prot, fl := a.flags(2, "PROT_"), a.flags(3, "MAP_")
		fd, off := a.numOr(4, 1<<64-1), a.numOr(5, 0)
		return func() (uint64, kernel.Errno, sim.Cycle) {
			return k.Mmap(now, p, addr, n, prot, fl, int(int64(fd)), off)
		}
	case "munmap":
		return func() (uint64, kernel.Errno, sim.Cycle) { return k.Munmap(now, p, addr, n) }
	case "msync":
		return func() (uint64, kernel.Errno, sim.Cycle) { return k.Msync(now, p, addr, n) }
	case "mprotect":
		prot := a.flags(2, "PROT_")
		return func() (uint64, kernel.Errno, sim.Cycle) { return k.Mprotect(now, p, addr, n, prot) }
	case "madvise":
		advice := a.advice(2)
		return func() (uint64, kernel.Errno, sim.Cycle) { return k.Madvise(now, p, addr, n, advice) }
	}
	return func() (uint64, kernel.Errno, sim.Cycle) { return k.Brk(now, p, addr) }
}

func (r *scenarioRun) fileCall(a *operands, p *kernel.Process, now sim.Cycle) syscallCall {
	k := r.k
	switch a.op.Op {
	case "open":
		fl := kernel.OpenRead
		if len(a.op.Args) == 2 {
			fl = a.flags(1, "O_")
		}
		path := unquote(a.op.Args[0].Text)
		return func() (uint64, kernel.Errno, sim.Cycle) { return k.Open(now, p, path, fl) }
	case "close":
		fd := a.num(0)
		return func() (uint64, kernel.Errno, sim.Cycle) { return k.Close(now, p, int(fd)) }
	}
	fd, buf, n := a.num(0), a.num(1), a.num(2)
	if a.op.Op == "read" {
		return func() (uint64, kernel.Errno, sim.Cycle) { return k.Read(now, p, int(fd), buf, n) }
	}
	return func() (uint64, kernel.Errno, sim.Cycle) { return k.Write(now, p, int(fd), buf, n) }
}

// operands reads a line's operands, keeping the first error (then every
// later read returns 0).
type operands struct {
	r   *scenarioRun
	op  *traces.ScenarioOp
	err error
}

func (a *operands) num(i int) uint64 {
	if a.err != nil {
		return 0
	}
	v, err := a.r.num(a.op, a.op.Args[i])
	a.err = err
	return v
}

// numOr reads operand i, or def when the line has no such operand.
func (a *operands) numOr(i int, def uint64) uint64 {
	if i >= len(a.op.Args) {
		return def
	}
	return a.num(i)
}

func (a *operands) flags(i int, prefix string) int {
	if a.err != nil {
		return 0
	}
	v, err := a.r.flags(a.op, a.op.Args[i], prefix)
	a.err = err
	return v
}

// advice reads madvise's advice: one MADV_ word, or a number.
func (a *operands) advice(i int) int {
	if a.err != nil {
		return 0
	}
	t := a.op.Args[i]
	if n, err := strconv.ParseInt(t.Text, 0, 32); err == nil {
		return int(n)
	}
	v, ok := adviceWords[t.Text]
	if !ok {
		a.err = a.r.errAt(a.op, t, "advice", "%q is not an advice (MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED, MADV_HUGEPAGE, MADV_NOHUGEPAGE, or a number)", t.Text)
	}
	return v
}

// layout reads execve's declared layout, if it has one: "execve PATH" for
// an ELF, or "execve PATH text=N data=N bss=N at=ADDR".
func (r *scenarioRun) layout(a *operands) *kernel.Layout {
	var layout *kernel.Layout
	for _, t := range a.op.Args[1:] {
		if layout == nil {
			layout = &kernel.Layout{TextStart: 0x400000}
		}
		key, val, ok := strings.Cut(t.Text, "=")
		n, err := strconv.ParseUint(val, 0, 64)
		if !ok || err != nil {
			a.err = r.errAt(a.op, t, "layout", "%q: expected text=N, data=N, bss=N or at=ADDR", t.Text)
			return nil
		}
		switch key {
		case "text":
			layout.Text = n
		case "data":
			layout.Data = n
		case "bss":
			layout.BSS = n
		case "at":
			layout.TextStart = n
		default:
			a.err = r.errAt(a.op, t, "layout", "unknown key %q (text, data, bss, at)", key)
			return nil
		}
	}
	return layout
}
