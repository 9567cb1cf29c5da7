// Package scenario runs a scenario (.emu): a script of processes, system
// calls and accesses whose values it states, as CS:APP chapter 9's
// examples are written. Each line is an operation of the in-order core
// (scenarioRun is its cpu.Program): a context switch when the line's
// process is not the current one, then its access, which carries its data
// through the same memory side as any access, or its system call in the
// kernel (madvise and MAP_HUGETLB's flags included; a bad call returns
// Linux's errno and the run goes on). What each access returns is checked
// against the line, and the report adds the processes' faults as
// getrusage counts them with their breakdown, signals (SIGSEGV and SIGBUS,
// by name) and output, the kernel's swap and copy-on-write counts and the
// disk.
//
// A thread line (t = p1 thread) clones a thread of a process, which runs
// lines by its name; fork and thread place their child on a core
// (core=N), or on the parent's. On a machine of several cores each core
// runs the lines of its threads (machine.RunPrograms steps the cores'
// in-order cores, each taking the shootdown interrupts sent it before a
// step); a core's line of another thread than the one it runs first
// switches to it (kernel.SwitchTo: no CR3 write within a process). The
// file's order holds across cores (order.go): a line starts when its
// core is free and the line before it has taken effect (an access's
// bytes moved, a call returned, a binding line or a loop ended), so the
// values are those of the lines run one after another, and what overlaps
// is the memory's latency. One core runs exactly as before: the line
// before it has always ended.
//
// A line's operands and expectation are expressions (traces.Expr),
// evaluated when the line runs with the names bound so far and the line's
// loop variables. A line with loops ("for i in 0..255: ...") runs again
// for each value, its ranges evaluated when each loop starts (loop.go):
// the loop is not expanded, so a scenario's memory does not grow with its
// runs, and traces.MaxLoopRuns bounds them. An error or a mismatch in a
// loop says the variables' values.
//
// A file line's file goes to the emulated disk a chunk at a time, refused
// first when the file system has not the room; host= reads only regular
// files under the scenario's folder or a path Options.AllowHost names
// (files.go). A name whose line failed has no value, and a use of it says
// which line failed (bindings.go); out of memory and swap, the run stops at
// the access with its report so far and an error naming the line.
//
// It leaves out the parsing (traces.ParseScenario) and everything the
// kernel models; on several cores, the joining of threads (a thread's
// exit ends it; nothing waits for it), time slices (threads of one core
// take turns in the file's order, not by a quantum), loops of several
// lines (two threads' lines interleave only as the file writes them), and
// any order between cores but the file's: the scenario cannot state a
// race. differential_test.go runs random scenarios against a
// reference model of CS:APP's memory semantics, with the kernel's books
// checked after every line, on the textbook kernel and on Linux's;
// linux_test.go runs testdata/refdata/linux's faults.c and thp.c as
// scenarios and compares their fault counts with Linux's.
package scenario
