// Package scenario runs a scenario (.emu): a script of processes, system
// calls and accesses whose values it states, as CS:APP chapter 9's
// examples are written. Each line is an operation of the in-order core
// (scenarioRun is its cpu.Program): a context switch when the line's
// process is not the current one, then its access, which carries its data
// through the same memory side as any access, or its system call in the
// kernel. What each access returns is checked against the line, and the
// report adds the processes' faults, signals (SIGSEGV and SIGBUS, by name)
// and output, the kernel's swap and copy-on-write counts and the disk.
//
// A line's operands and expectation are expressions (traces.Expr),
// evaluated when the line runs with the names bound so far and the line's
// loop variables. A line with loops ("for i in 0..255: ...") runs again
// for each value, its ranges evaluated when each loop starts (loop.go):
// the loop is not expanded, so a scenario's memory does not grow with its
// runs, and traces.MaxLoopRuns bounds them. An error or a mismatch in a
// loop says the variables' values.
//
// It leaves out the parsing (traces.ParseScenario) and everything the
// kernel models. differential_test.go runs random scenarios against a
// reference model of CS:APP's memory semantics, with the kernel's books
// checked after every line.
package scenario
