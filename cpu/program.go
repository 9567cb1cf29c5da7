package cpu

import (
	"github.com/vmemu/vmemu/memside"
	"github.com/vmemu/vmemu/sim"
)

// A Program is what an in-order core runs instead of a trace: a scenario,
// whose accesses carry their data and whose lines make system calls. The
// core asks for one operation at a time, carries it out at its own clock,
// and tells the program how it ended.
type Program interface {
	// Next fills op with the operation to do at cycle now; false when the
	// program is over.
	Next(now sim.Cycle, op *Op) (bool, error)
	// Did tells the program that op ended at cycle at (an access's outcome
	// is in op.Access.Out). An error ends the run.
	Did(op *Op, at sim.Cycle) error
}

// OpKind says what an operation of a program is.
type OpKind uint8

const (
	// OpAccess is a memory access, through the memory side.
	OpAccess OpKind = iota
	// OpKernel is work in the kernel (a system call, a context switch):
	// Kernel runs it at the core's cycle and returns when it ends.
	OpKernel
	// OpNone takes no time (a line that only declares something).
	OpNone
	// OpWait is a program with nothing to run before cycle Until (on a
	// machine of several cores, another core's work comes first): the
	// core's clock moves there, the cycles charged to frontend (no
	// instruction to run), and it asks again. With Until sim.Never the
	// program cannot tell yet: the core ends its step and asks again when
	// next stepped (whoever steps it must not do so before the program
	// can answer, or the core would spin).
	OpWait
)

// Op is one operation of a program.
type Op struct {
	Kind   OpKind
	Access memside.Access
	Kernel func(now sim.Cycle) (sim.Cycle, error)
	// Retires says the operation ends a line of the program, which counts
	// as one instruction.
	Retires bool
	// Until is when an OpWait ends.
	Until sim.Cycle
}
