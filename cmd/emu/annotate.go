package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/vmemu/vmemu/annotate"
	"github.com/vmemu/vmemu/machine"
	"github.com/vmemu/vmemu/machine/report"
)

const annotateLong = `Replay TRACE, a trace of the program PROG (emu record makes one), and
charge every event of the run to the function and source line of the
instruction that caused it, as cg_annotate does for cachegrind's counts:
instructions, cycles and each component of the CPI stack (cpi_stack.NAME),
each cache level's misses (LEVEL.misses: its demand misses, a page walk's
reads charged to the access that walked), each TLB's misses and the walks,
page faults as getrusage counts them and their breakdown (faults.minor,
faults.major, faults.cow, ...) and the signals they gave (sigsegv,
sigbus), and main memory's reads (memory.reads), under the run report's
names. The totals are the report's.

It prints the totals, the functions sorted by --sort with every event shown
(--show; by default every event that happened), then the source of the
hottest functions with each line's counts beside it (the file the line
table names, or one of that name beside PROG). --json writes every function
and source line with every event instead.

PROG's symbols and DWARF line table (gcc -g) place the instructions. A
position-independent PROG (gcc's default) ran at a load base its trace
shows: it is found from the fetches at PROG's entry point (valgrind puts a
PIE at 0x108000), or --base gives it. Code outside PROG (the dynamic loader,
libraries) and events no instruction is behind (write-backs, context
switches) are charged to ???.`

const annotateExample = `  emu record -o prog.vmt -- ./prog
  emu annotate --binary prog prog.vmt
  emu annotate --binary prog --sort l1d.misses --show instructions,l1d.misses,l2.misses prog.vmt
  emu annotate --binary prog -c cachegrind --json prog.vmt > prog.annotate.json`

type annotateFlags struct {
	binary, base, sort string
	show               []string
	json               bool
	max                uint64
	sources            int
}

func newAnnotateCmd() *cobra.Command {
	var cf configFlags
	var af annotateFlags
	cmd := &cobra.Command{
		Use:     "annotate --binary PROG [-c PRESET|FILE] [--set key=value ...] [--sort EVENT] [--show EVENT,...] [--json] [--base ADDR] TRACE",
		Short:   "charge a run's misses, walks, faults and cycles to the functions and source lines of the program traced",
		Long:    annotateLong,
		Example: annotateExample,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAnnotate(cmd, cf, af, args[0])
		},
	}
	cf.add(cmd)
	f := cmd.Flags()
	f.StringVar(&af.binary, "binary", "", "the program TRACE is a trace of, with its symbols and line table (gcc -g)")
	f.StringVar(&af.base, "base", "", "the address PROG was loaded at, if position-independent (default: found from the trace)")
	f.StringVar(&af.sort, "sort", "cycles", "the event functions and lines are sorted by")
	f.StringSliceVar(&af.show, "show", nil, "the events shown, by name, comma-separated (default: every event that happened)")
	f.BoolVar(&af.json, "json", false, "write every function and line with every event as JSON, instead of the text")
	f.Uint64Var(&af.max, "max", 0, "stop after this many instructions (0: all)")
	f.IntVar(&af.sources, "sources", 5, "show the source of at most this many of the hottest functions")
	cmd.MarkFlagRequired("binary")
	return cmd
}

func runAnnotate(cmd *cobra.Command, cf configFlags, af annotateFlags, path string) error {
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	bin, err := annotate.ReadBinary(af.binary)
	if err != nil {
		return err
	}
	warnInert(cmd.ErrOrStderr(), cfg)
	m, err := machine.Build(cfg)
	if err != nil {
		return err
	}
	r, err := openTrace(path)
	if err != nil {
		return err
	}
	defer r.Close()
	tab := annotate.NewTable()
	rep, err := m.Run(r, machine.RunOptions{Max: af.max, ByIP: tab})
	if err != nil {
		return err
	}
	rep.Made(emuVersion(), cf.sets)
	rep.Trace.Path = path
	info, err := loadBase(bin, af.base, tab.IPs())
	if err != nil {
		return err
	}
	a := annotate.New(tab, bin, info.Base)
	if err := a.SortBy(af.sort); err != nil {
		return err
	}
	if err := checkTotals(a, rep); err != nil {
		return err
	}
	if af.json {
		return writeJSON(cmd.OutOrStdout(), a.Document(rep, info))
	}
	return writeAnnotation(cmd.OutOrStdout(), a, rep, info, af)
}

// loadBase is where PROG ran: given, found from the trace's IPs, or its
// own addresses.
func loadBase(bin *annotate.Binary, given string, ips []uint64) (annotate.BinaryInfo, error) {
	info := annotate.BinaryInfo{Path: bin.Path, PIE: bin.PIE, BaseFrom: "file"}
	if given != "" {
		base, err := strconv.ParseUint(given, 0, 64)
		if err != nil {
			return info, fmt.Errorf("--base %s: not an address (decimal or 0x hex)", given)
		}
		info.Base, info.BaseFrom = base, "given"
		return info, bin.CheckBase(base, ips)
	}
	base, err := bin.FindBase(ips)
	if bin.PIE {
		info.BaseFrom = "trace"
	}
	info.Base = base
	return info, err
}

// checkTotals makes sure the counts by instruction add up to the run's
// report: anything else is the emulator's mistake, not the input's.
func checkTotals(a *annotate.Annotation, rep *report.Report) error {
	want := machine.EventTotals(rep)
	want["cycles"] = rep.Cycles
	var bad []string
	for _, name := range a.Events {
		if w, ok := want[name]; ok {
			if got, _ := a.Event(name); got != w {
				bad = append(bad, fmt.Sprintf("%s %d by instruction, %d in the report", name, got, w))
			}
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w: the counts by instruction do not add up to the run's: %s", machine.ErrInternal, strings.Join(bad, "; "))
	}
	return nil
}

func writeAnnotation(w io.Writer, a *annotate.Annotation, rep *report.Report, info annotate.BinaryInfo, af annotateFlags) error {
	fmt.Fprintf(w, "vmemu annotate: %s (%s) on %s%s\n", rep.Trace.Path, rep.Trace.Format, rep.Config, rep.OverrideArgs())
	fmt.Fprintf(w, "vmemu version %s\n", rep.Version)
	switch info.BaseFrom {
	case "trace":
		fmt.Fprintf(w, "binary %s: position-independent, loaded at %#x (found from the trace)\n", info.Path, info.Base)
	case "given":
		fmt.Fprintf(w, "binary %s: loaded at %#x (--base)\n", info.Path, info.Base)
	default:
		fmt.Fprintf(w, "binary %s\n", info.Path)
	}
	return a.WriteText(w, annotate.TextOptions{Show: af.show, Sources: af.sources})
}
