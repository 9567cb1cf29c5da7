package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/vmemu/vmemu/machine"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/machine/scenario"
	"github.com/vmemu/vmemu/outfile"
	"github.com/vmemu/vmemu/progress"
	"github.com/vmemu/vmemu/traces"
)

type configFlags struct {
	spec string
	sets []string
}

func (f *configFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.spec, "config", "c", "default", "a preset ("+joinPresets()+") or a YAML/JSON file")
	cmd.Flags().StringArrayVar(&f.sets, "set", nil, "change one key, as key=value (repeatable); see emu config list")
	completePresets(cmd, "config")
	completeSetKeys(cmd, "set")
}

func (f *configFlags) load() (*config.Config, error) {
	cfg, err := config.Load(f.spec)
	if err != nil {
		return nil, err
	}
	for _, s := range f.sets {
		if err := cfg.SetArg(s); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// warnInert prints a warning for each key the user set that has no effect
// under the rest of the configuration.
func warnInert(w io.Writer, cfg *config.Config) {
	for _, in := range cfg.Inert() {
		fmt.Fprintln(w, "emu: warning:", in)
	}
}

// replayFlags are emu run's options besides the configuration.
type replayFlags struct {
	jsonPath, stdoutPath, intervalPath, timelinePath string
	warmup, max, measure, interval, quantum          uint64
	timelineFirst, timelineCount                     uint64
	quiet, alone                                     bool
	allowHost                                        []string
}

const runLong = `Replay one or more traces on a machine, one process each, or run a .emu
scenario, and report instructions, cycles and IPC, the accesses of each kind,
each cache level's and TLB's hits and misses, DRAM and the kernel's work, and
where the cycles went (the CPI stack). TRACE may be - for standard input.

The machine is a preset or a YAML/JSON file (-c) changed by --set key=value
(emu config list has every key); a key that has no effect under the rest of
the configuration is a warning. The report's first lines say how it was
made: the trace, the configuration with every --set, and emu's version.`

const runExample = `  emu run examples/matmul.lackey.gz
  emu run -c cachegrind --json report.json examples/matmul.lackey.gz
  emu run --set l2.size=1MiB --set llc.replacement=random trace.vmt
  emu run --warmup 100000 --max 1000000 --interval 10000 trace.vmt
  emu run --warmup 100000 --measure 1000000 trace.champsim.xz    # ChampSim's -w and -i
  valgrind --tool=lackey --trace-mem=yes --log-fd=3 ./prog 3>&1 >/dev/null | emu run -
  emu run --stdout - traces/examples/mmapcopy.emu > copy.dat`

func newRunCmd() *cobra.Command {
	var cf configFlags
	var rf replayFlags
	cmd := &cobra.Command{
		Use:     "run [-c PRESET|FILE] [--set key=value ...] [--json FILE] [--warmup N] [--max N | --measure N] [--interval N [--interval-csv FILE]] [--quantum N] [--timeline FILE.json] TRACE ... | SCENARIO.emu [--stdout FILE] [--allow-host PATH ...]",
		Short:   "replay traces (or run a .emu scenario) and report cycles, IPC, hits and misses, and where the cycles went",
		Long:    runLong,
		Example: runExample,
		Args:    cobra.MinimumNArgs(1),
		RunE:    func(cmd *cobra.Command, args []string) error { return runCommand(cmd, cf, &rf, args) },
	}
	cf.add(cmd)
	f := cmd.Flags()
	f.StringVar(&rf.jsonPath, "json", "", "also write the report as JSON to FILE (- for standard output, instead of the text)")
	f.Uint64Var(&rf.warmup, "warmup", 0, "instructions whose statistics are discarded (caches, TLBs and page tables stay warm)")
	f.Uint64Var(&rf.max, "max", 0, "stop after this many instructions, warmup included (0: all; ChampSim's -i counts after warmup: see --measure)")
	f.Uint64Var(&rf.measure, "measure", 0, "stop after this many instructions after warmup, as ChampSim's -i (0: all; with --max, the first limit reached)")
	f.Uint64Var(&rf.interval, "interval", 0, "write statistics every N instructions (after warmup) to --interval-csv")
	f.StringVar(&rf.intervalPath, "interval-csv", "", "the CSV file for --interval (default: TRACE's name with .interval.csv, in the working folder)")
	f.Uint64Var(&rf.quantum, "quantum", 100000, "several traces: instructions of one before the next one's turn")
	f.StringVar(&rf.stdoutPath, "stdout", "", "scenarios: write what the processes wrote to their standard output to FILE (- for standard output; the report then goes to standard error)")
	f.StringArrayVar(&rf.allowHost, "allow-host", nil, "scenarios: let host= lines read this file or folder too (repeatable; by default only the scenario's own folder)")
	f.BoolVarP(&rf.quiet, "quiet", "q", false, "no progress bar (there is one only when standard error is a terminal)")
	f.BoolVar(&rf.alone, "alone", false, "several cores: also run each trace alone on the machine (cores=1) and report each core's IPC alone, the weighted speedup and the harmonic mean of the speedups")
	f.StringVar(&rf.timelinePath, "timeline", "", "write a window of accesses to FILE.json in Chrome's trace-event format (Perfetto)")
	f.Uint64Var(&rf.timelineFirst, "timeline-from", 0, "the first access of the timeline's window (0: the first)")
	f.Uint64Var(&rf.timelineCount, "timeline-count", 10000, "accesses in the timeline's window")
	return cmd
}

// runCommand is emu run: it builds the machine, runs the traces or the
// scenario on it, and writes the report.
func runCommand(cmd *cobra.Command, cf configFlags, rf *replayFlags, args []string) error {
	m, scn, err := buildRun(cmd, cf, rf, args)
	if err != nil {
		return err
	}
	var rep *report.Report
	if scn != nil {
		rep, err = scenario.RunWith(m, scn, scenario.Options{AllowHost: rf.allowHost})
		if rep != nil {
			rep.Trace.Path = scn.Name
		}
	} else {
		rep, err = runTraces(cmd, m, args, *rf)
	}
	if rep == nil {
		return err
	}
	if rf.alone {
		if err := runAlone(cf, args, rep); err != nil {
			return err
		}
	}
	rep.Made(emuVersion(), cf.sets)
	// A scenario stopped partway still has its report so far.
	if err := writeReport(cmd, rep, *rf); err != nil {
		return err
	}
	if err != nil {
		return err
	}
	if scn != nil {
		return scenarioOutcome(cmd, rep, rf.stdoutPath)
	}
	return nil
}

// buildRun builds the machine a run names: the configuration with a
// scenario's set lines under --set, the scenario read, the flags checked
// (and rf's interval file named).
func buildRun(cmd *cobra.Command, cf configFlags, rf *replayFlags, args []string) (*machine.Machine, *traces.Scenario, error) {
	cfg, err := cf.load()
	if err != nil {
		return nil, nil, err
	}
	var scn *traces.Scenario
	if traces.IsScenario(args[0]) {
		if len(args) > 1 {
			return nil, nil, fmt.Errorf("a scenario runs alone (its processes are in it)")
		}
		if scn, err = traces.ReadScenario(args[0]); err != nil {
			return nil, nil, err
		}
		// The scenario's set lines come first; --set overrides them.
		if err := applySets(cfg, scn, cf.sets); err != nil {
			return nil, nil, err
		}
	}
	warnInert(cmd.ErrOrStderr(), cfg)
	m, err := machine.Build(cfg)
	if err != nil {
		return nil, nil, err
	}
	if err := rf.check(args, scn != nil); err != nil {
		return nil, nil, err
	}
	if err := rf.checkCores(len(m.Cores), args, scn != nil); err != nil {
		return nil, nil, err
	}
	return m, scn, nil
}

// check refuses outputs that would overwrite an input or share standard
// output, and names the interval file when --interval-csv does not.
func (rf *replayFlags) check(inputs []string, scenario bool) error {
	if rf.jsonPath == "-" && rf.stdoutPath == "-" {
		return fmt.Errorf("--json - and --stdout -: only one of them can have standard output")
	}
	if rf.stdoutPath != "" && !scenario {
		return fmt.Errorf("--stdout: only scenarios (.emu) have processes that write")
	}
	if rf.max > 0 && rf.max <= rf.warmup {
		return fmt.Errorf("--max %d --warmup %d: the run would stop within its warmup, and measure nothing", rf.max, rf.warmup)
	}
	if len(rf.allowHost) > 0 && !scenario {
		return fmt.Errorf("--allow-host: only scenarios (.emu) read host files")
	}
	if rf.interval > 0 && rf.intervalPath == "" {
		rf.intervalPath = defaultIntervalPath(inputs[0])
	}
	for _, out := range []string{rf.jsonPath, rf.intervalPath, rf.stdoutPath, rf.timelinePath} {
		for _, in := range inputs {
			if out != "" && out != "-" && (sameFile(out, in) || filepath.Clean(out) == filepath.Clean(in)) {
				return fmt.Errorf("%s would overwrite the input %s", out, in)
			}
		}
	}
	return nil
}

// defaultIntervalPath is the interval file of a trace when --interval-csv
// names none: its name with .interval.csv, in the working folder (never
// beside the trace, whose folder may be another's or read-only).
func defaultIntervalPath(trace string) string {
	name := filepath.Base(trace)
	if trace == "-" {
		name = "stdin"
	}
	return name + ".interval.csv"
}

// openTrace opens a trace to replay, decompressed and parsed on another
// core.
func openTrace(path string) (traces.Reader, error) {
	tr, err := traces.Open(path)
	if err != nil {
		return nil, err
	}
	return traces.Pipelined(tr, 0), nil
}

// runTraces replays one or more traces (one process each) on the machine.
func runTraces(cmd *cobra.Command, m *machine.Machine, paths []string, rf replayFlags) (*report.Report, error) {
	var rs []traces.Reader
	for _, p := range paths {
		r, err := openTrace(p)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		rs = append(rs, r)
	}
	opt := machine.RunOptions{Warmup: rf.warmup, Max: rf.max, Measure: rf.measure, Interval: rf.interval, Quantum: rf.quantum,
		Reopen: func(i int) (traces.Reader, error) { return reopen(paths[i]) }, Names: paths}
	var iw *intervalWriter
	if rf.interval > 0 {
		var err error
		if iw, err = newIntervalWriter(rf.intervalPath); err != nil {
			return nil, err
		}
		defer iw.abort()
		opt.OnInterval = iw.row
	}
	var tl *outfile.File
	if rf.timelinePath != "" {
		var err error
		if tl, err = outfile.Create(rf.timelinePath); err != nil {
			return nil, err
		}
		defer tl.Abort() // nothing after Close
		opt.Timeline, opt.TimelineFirst, opt.TimelineCount = tl, rf.timelineFirst, rf.timelineCount
	}
	// The machine knows how many instructions the run measures (the
	// cores and streams, where each ends), or that it does not yet.
	bar := progress.NewTo(cmd.ErrOrStderr(), 0, "instructions", rf.quiet)
	done, known := uint64(0), uint64(0)
	opt.Progress = func(n, total uint64) {
		if total != known {
			bar.SetTotal(int64(total))
			known = total
		}
		bar.Add(int64(n - done))
		done = n
	}
	rep, err := m.RunMany(rs, opt)
	bar.Done()
	if we := (*machine.WarmupError)(nil); errors.As(err, &we) {
		trace := "the trace"
		if len(m.Cores) > 1 {
			trace = fmt.Sprintf("core %d's trace (%s)", we.Core, we.Trace)
		}
		return nil, fmt.Errorf("--warmup %d: %s has %d instructions, all of them warmup: nothing was measured (give a warmup shorter than the trace)", we.Warmup, trace, we.Retired)
	}
	if err != nil {
		return nil, err
	}
	if tl != nil {
		if err := tl.Close(); err != nil {
			return nil, err
		}
	}
	if iw != nil {
		if err := iw.close(); err != nil {
			return nil, err
		}
	}
	rep.Trace.Path = strings.Join(paths, " ")
	return rep, nil
}

// writeReport prints the report as text, or as JSON with --json -, and
// writes the JSON file --json names. With --stdout - (a scenario's
// processes' output on standard output) the text goes to standard error.
func writeReport(cmd *cobra.Command, rep *report.Report, rf replayFlags) error {
	if rf.jsonPath == "-" {
		return writeJSON(cmd.OutOrStdout(), rep)
	}
	text := cmd.OutOrStdout()
	if rf.stdoutPath == "-" {
		text = cmd.ErrOrStderr()
	}
	if err := rep.WriteText(text); err != nil {
		return err
	}
	if rf.jsonPath != "" {
		return writeJSONFile(rf.jsonPath, rep)
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeJSONFile writes v to path, whole or not at all (see outfile).
func writeJSONFile(path string, v any) error {
	out, err := outfile.Create(path)
	if err != nil {
		return err
	}
	if err := writeJSON(out, v); err != nil {
		out.Abort()
		return err
	}
	return out.Close()
}

func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

func joinPresets() string { return strings.Join(config.Presets(), ", ") }

// scenarioOutcome writes what the processes wrote where --stdout says, and
// fails the run (exit status 1) when a stated value did not match.
func scenarioOutcome(cmd *cobra.Command, rep *report.Report, stdoutPath string) error {
	if stdoutPath != "" {
		var out []byte
		for _, p := range rep.Scenario.Processes {
			out = append(out, p.Stdout...)
		}
		if err := writeStdout(cmd, stdoutPath, out); err != nil {
			return err
		}
	}
	if n := len(rep.Scenario.Mismatches); n > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%s: %d stated values did not match", rep.Trace.Path, n)}
	}
	return nil
}

func writeStdout(cmd *cobra.Command, path string, data []byte) error {
	if path == "-" {
		_, err := cmd.OutOrStdout().Write(data)
		return err
	}
	return outfile.WriteFile(path, data)
}

// applySets applies a scenario's set lines, each named by its file and
// line for errors, then the command line's --set again.
func applySets(cfg *config.Config, s *traces.Scenario, cmdline []string) error {
	for _, op := range s.Ops {
		if op.Op != "set" {
			continue
		}
		k, v, _ := strings.Cut(op.Args[0].Text, "=")
		where := fmt.Sprintf("%s:%d: set", s.Name, op.Line)
		if err := cfg.SetFrom(where, k, v); err != nil {
			return err
		}
	}
	for _, a := range cmdline {
		if err := cfg.SetArg(a); err != nil {
			return err
		}
	}
	return nil
}
