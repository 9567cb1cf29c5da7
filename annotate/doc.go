// Package annotate charges the events of a run to the functions and source
// lines of the program traced, as cg_annotate does with cachegrind's counts
// (emu annotate).
//
// The machine counts every event of its report by instruction as it runs
// (machine.RunOptions.ByIP; each block tells a sim.ByIP of what it counts,
// with the IP its request carries): instructions, each component of the
// CPI stack, each cache level's misses, each TLB's misses and the walks,
// page faults by kind and signals, and main memory's reads. A Table holds
// those counts, a row per IP. A Binary is what the program's ELF file says
// of its code: its functions (the symbol table, debug/elf), its line table
// (DWARF, debug/dwarf), and whether it is position-independent, in which
// case FindBase finds where the run loaded it from the IPs fetched (the
// instructions at its entry point). An Annotation sums the rows by function
// and by source line, adds cycles (the CPI stack's sum), sorts them by an
// event, and writes them as text (totals, functions, then the source of the
// hottest functions with counts beside each line) or as JSON (Document).
// The totals are the run report's by construction; emu annotate checks it.
//
// What it leaves out: inlined functions are charged to the function they
// were inlined into (the symbol holding the code), though their lines are
// their own; code outside the program (the dynamic loader, shared
// libraries, whose symbols are not read) and events no instruction is
// behind (IP 0: write-backs, context switches, the kernel's own traffic)
// are charged to "???"; so are a program's functions without symbols. A
// function's source is shown from the first to the last line of its file
// its code comes from.
//
// Reference: cg_annotate (valgrind's Cachegrind manual, "Running
// cg_annotate"), whose layout, "." for zero and "???" it follows; the
// DWARF 5 line number program (DWARF Debugging Information Format, §6.2).
package annotate
