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
	"O_RDONLY": kernel.OpenRead, "O_WRONLY": kernel.OpenWrite, "O_RDWR": kernel.OpenRDWR,
	"O_CREAT": kernel.OpenCreate, "O_TRUNC": kernel.OpenTrunc,
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
	ret, errno, done, err := r.call(r.line, r.proc, now)
	r.result = syscall{ret, errno}
	return done, err
}

// syscallDone binds what the line's system call returned and checks it
// against the line's expectation.
func (r *scenarioRun) syscallDone() error {
	op, p := r.line, r.proc
	ret, errno := r.result.ret, r.result.errno
	if op.Bind != "" && errno == kernel.OK {
		r.values[op.Bind] = ret
		if op.Op == "fork" {
			r.procs[op.Bind] = r.k.Process(int(ret))
			r.lastName = "" // the name may have meant another process
		}
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

// call decodes the arguments of a system call and makes it.
func (r *scenarioRun) call(op *traces.ScenarioOp, p *kernel.Process, now sim.Cycle) (uint64, kernel.Errno, sim.Cycle, error) {
	k := r.k
	nums := make([]uint64, len(op.Args))
	numsErr := func(idx ...int) error {
		for _, i := range idx {
			v, err := r.num(op, op.Args[i])
			if err != nil {
				return err
			}
			nums[i] = v
		}
		return nil
	}
	fail := func(err error) (uint64, kernel.Errno, sim.Cycle, error) { return 0, 0, 0, err }
	switch op.Op {
	case "fork":
		a, b, c := k.Fork(now, p)
		return a, b, c, nil
	case "exit":
		status := uint64(0)
		if len(op.Args) == 1 {
			if err := numsErr(0); err != nil {
				return fail(err)
			}
			status = nums[0]
		}
		a, b, c := k.Exit(now, p, int(status))
		return a, b, c, nil
	case "wait":
		pid := -1
		if len(op.Args) == 1 {
			if err := numsErr(0); err != nil {
				return fail(err)
			}
			pid = int(nums[0])
		}
		a, b, c := k.Wait(now, p, pid)
		return a, b, c, nil
	case "mmap":
		if err := numsErr(0, 1); err != nil {
			return fail(err)
		}
		prot, err := r.flags(op, op.Args[2], "PROT_")
		if err != nil {
			return fail(err)
		}
		fl, err := r.flags(op, op.Args[3], "MAP_")
		if err != nil {
			return fail(err)
		}
		fd, off := uint64(1<<64-1), uint64(0)
		if len(op.Args) > 4 {
			if err := numsErr(4); err != nil {
				return fail(err)
			}
			fd = nums[4]
		}
		if len(op.Args) > 5 {
			if err := numsErr(5); err != nil {
				return fail(err)
			}
			off = nums[5]
		}
		a, b, c := k.Mmap(now, p, nums[0], nums[1], prot, fl, int(int64(fd)), off)
		return a, b, c, nil
	case "munmap", "msync":
		if err := numsErr(0, 1); err != nil {
			return fail(err)
		}
		if op.Op == "munmap" {
			a, b, c := k.Munmap(now, p, nums[0], nums[1])
			return a, b, c, nil
		}
		a, b, c := k.Msync(now, p, nums[0], nums[1])
		return a, b, c, nil
	case "mprotect":
		if err := numsErr(0, 1); err != nil {
			return fail(err)
		}
		prot, err := r.flags(op, op.Args[2], "PROT_")
		if err != nil {
			return fail(err)
		}
		a, b, c := k.Mprotect(now, p, nums[0], nums[1], prot)
		return a, b, c, nil
	case "brk":
		if err := numsErr(0); err != nil {
			return fail(err)
		}
		a, b, c := k.Brk(now, p, nums[0])
		return a, b, c, nil
	case "open":
		fl := kernel.OpenRead
		if len(op.Args) == 2 {
			var err error
			if fl, err = r.flags(op, op.Args[1], "O_"); err != nil {
				return fail(err)
			}
		}
		a, b, c := k.Open(now, p, unquote(op.Args[0].Text), fl)
		return a, b, c, nil
	case "close":
		if err := numsErr(0); err != nil {
			return fail(err)
		}
		a, b, c := k.Close(now, p, int(nums[0]))
		return a, b, c, nil
	case "read", "write":
		if err := numsErr(0, 1, 2); err != nil {
			return fail(err)
		}
		if op.Op == "read" {
			a, b, c := k.Read(now, p, int(nums[0]), nums[1], nums[2])
			return a, b, c, nil
		}
		a, b, c := k.Write(now, p, int(nums[0]), nums[1], nums[2])
		return a, b, c, nil
	case "execve":
		return r.execve(op, p, now)
	}
	return fail(r.errAt(op, traces.Token{Col: 1}, "operation", "unknown operation %q", op.Op))
}

// execve: "execve PATH" for an ELF, or with a declared layout
// "execve PATH text=N data=N bss=N at=ADDR".
func (r *scenarioRun) execve(op *traces.ScenarioOp, p *kernel.Process, now sim.Cycle) (uint64, kernel.Errno, sim.Cycle, error) {
	var layout *kernel.Layout
	for _, t := range op.Args[1:] {
		if layout == nil {
			layout = &kernel.Layout{TextStart: 0x400000}
		}
		key, val, ok := strings.Cut(t.Text, "=")
		n, err := strconv.ParseUint(val, 0, 64)
		if !ok || err != nil {
			return 0, 0, 0, r.errAt(op, t, "layout", "%q: expected text=N, data=N, bss=N or at=ADDR", t.Text)
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
			return 0, 0, 0, r.errAt(op, t, "layout", "unknown key %q (text, data, bss, at)", key)
		}
	}
	a, b, c := r.k.Execve(now, p, unquote(op.Args[0].Text), layout)
	return a, b, c, nil
}
