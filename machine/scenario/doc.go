// Package scenario runs a scenario (.emu): a script of processes, system
// calls and accesses whose values it states, as CS:APP chapter 9's
// examples are written. Each line is an operation of the in-order core
// (scenarioRun is its cpu.Program): a context switch when the line's
// process is not the current one, then its access, which carries its data
// through the same memory side as any access, or its system call in the
// kernel. What each access returns is checked against the line, and the
// report adds the processes' faults, signals and output, the kernel's
// swap and copy-on-write counts and the disk.
//
// It leaves out the parsing (traces.ParseScenario) and everything the
// kernel models. differential_test.go runs random scenarios against a
// reference model of CS:APP's memory semantics, with the kernel's books
// checked after every line.
package scenario
