package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/vmemu/vmemu/machine"
	"github.com/vmemu/vmemu/machine/config"
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

// replayFlags are emu run's options besides the configuration.
type replayFlags struct {
	jsonPath, stdoutPath, intervalPath, timelinePath string
	warmup, max, interval, quantum                   uint64
	timelineFirst, timelineCount                     uint64
	quiet                                            bool
}

func newRunCmd() *cobra.Command {
	var cf configFlags
	var rf replayFlags
	cmd := &cobra.Command{
		Use:   "run [-c PRESET|FILE] [--set key=value ...] [--json FILE] [--warmup N] [--max N] [--interval N --interval-csv FILE] TRACE [TRACE ...]",
		Short: "replay traces (or run a .emu scenario) and report cycles, IPC, hits and misses, and where the cycles went",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := cf.load()
			if err != nil {
				return err
			}
			var scenario *traces.Scenario
			if traces.IsScenario(args[0]) {
				if len(args) > 1 {
					return fmt.Errorf("a scenario runs alone (its processes are in it)")
				}
				if scenario, err = traces.ReadScenario(args[0]); err != nil {
					return err
				}
				// The scenario's set lines come first; --set overrides them.
				if err := applySets(cfg, scenario.Settings(), cf.sets); err != nil {
					return err
				}
			}
			m, err := machine.Build(cfg)
			if err != nil {
				return err
			}
			for _, out := range []string{rf.jsonPath, rf.intervalPath, rf.stdoutPath, rf.timelinePath} {
				for _, in := range args {
					if out != "" && out != "-" && sameFile(out, in) {
						return fmt.Errorf("%s would overwrite the input %s", out, in)
					}
				}
			}
			if scenario != nil {
				return runScenario(cmd, m, scenario, rf.jsonPath, rf.stdoutPath)
			}
			return runTraces(cmd, m, args, rf)
		},
	}
	cf.add(cmd)
	f := cmd.Flags()
	f.StringVar(&rf.jsonPath, "json", "", "also write the report as JSON to FILE (- for standard output, instead of the text)")
	f.Uint64Var(&rf.warmup, "warmup", 0, "instructions whose statistics are discarded (caches, TLBs and page tables stay warm)")
	f.Uint64Var(&rf.max, "max", 0, "stop after this many instructions, warmup included (0: all)")
	f.Uint64Var(&rf.interval, "interval", 0, "write statistics every N instructions (after warmup) to --interval-csv")
	f.StringVar(&rf.intervalPath, "interval-csv", "", "the CSV file for --interval (default: TRACE.interval.csv)")
	f.Uint64Var(&rf.quantum, "quantum", 100000, "several traces: instructions of one before the next one's turn")
	f.StringVar(&rf.stdoutPath, "stdout", "", "scenarios: write what the processes wrote to their standard output to FILE")
	f.BoolVarP(&rf.quiet, "quiet", "q", false, "no progress bar (there is one only when standard error is a terminal)")
	f.StringVar(&rf.timelinePath, "timeline", "", "write a window of accesses to FILE.json in Chrome's trace-event format (Perfetto)")
	f.Uint64Var(&rf.timelineFirst, "timeline-from", 0, "the first access of the timeline's window (0: the first)")
	f.Uint64Var(&rf.timelineCount, "timeline-count", 10000, "accesses in the timeline's window")
	return cmd
}

// runTraces replays one or more traces (one process each) on the machine.
func runTraces(cmd *cobra.Command, m *machine.Machine, paths []string, rf replayFlags) error {
	var rs []traces.Reader
	for _, p := range paths {
		tr, err := traces.Open(p)
		if err != nil {
			return err
		}
		r := traces.Pipelined(tr, 0) // decompress and parse on another core
		defer r.Close()
		rs = append(rs, r)
	}
	opt := machine.RunOptions{Warmup: rf.warmup, Max: rf.max, Interval: rf.interval, Quantum: rf.quantum}
	var iw *intervalWriter
	if rf.interval > 0 {
		path := rf.intervalPath
		if path == "" {
			path = paths[0] + ".interval.csv"
		}
		var err error
		if iw, err = newIntervalWriter(path); err != nil {
			return err
		}
		defer iw.abort() // nothing after close
		opt.OnInterval = iw.row
	}
	var tl *outfile.File
	if rf.timelinePath != "" {
		var err error
		if tl, err = outfile.Create(rf.timelinePath); err != nil {
			return err
		}
		defer tl.Abort() // nothing after Close
		opt.Timeline, opt.TimelineFirst, opt.TimelineCount = tl, rf.timelineFirst, rf.timelineCount
	}
	bar := progress.NewTo(cmd.ErrOrStderr(), int64(rf.max), "instructions", rf.quiet)
	done := uint64(0)
	opt.Progress = func(n uint64) { bar.Add(int64(n - done)); done = n }
	rep, err := m.RunMany(rs, opt)
	bar.Done()
	if err != nil {
		return err
	}
	if tl != nil {
		if err := tl.Close(); err != nil {
			return err
		}
	}
	if iw != nil {
		if err := iw.close(); err != nil {
			return err
		}
	}
	rep.Trace.Path = strings.Join(paths, " ")
	if rf.jsonPath == "-" {
		return writeJSON(cmd.OutOrStdout(), rep)
	}
	if err := rep.WriteText(cmd.OutOrStdout()); err != nil {
		return err
	}
	if rf.jsonPath != "" {
		return writeJSONFile(rf.jsonPath, rep)
	}
	return nil
}

func writeJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeJSONFile writes v to path, whole or not at all (see outfile).
func writeJSONFile(path string, v any) error {
	f, err := outfile.Create(path)
	if err != nil {
		return err
	}
	if err := writeJSON(f, v); err != nil {
		f.Abort()
		return err
	}
	return f.Close()
}

func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

func joinPresets() string {
	s := ""
	for i, p := range config.Presets() {
		if i > 0 {
			s += ", "
		}
		s += p
	}
	return s
}

// runScenario runs a .emu scenario; a stated value that does not match
// fails the run (exit status 1) after the report.
func runScenario(cmd *cobra.Command, m *machine.Machine, s *traces.Scenario, jsonPath, stdoutPath string) error {
	path := s.Name
	rep, err := scenario.Run(m, s)
	if err != nil {
		return err
	}
	rep.Trace.Path = path
	if jsonPath == "-" {
		err = writeJSON(cmd.OutOrStdout(), rep)
	} else {
		err = rep.WriteText(cmd.OutOrStdout())
		if err == nil && jsonPath != "" {
			err = writeJSONFile(jsonPath, rep)
		}
	}
	if err != nil {
		return err
	}
	if stdoutPath != "" {
		var out []byte
		for _, p := range rep.Scenario.Processes {
			out = append(out, p.Stdout...)
		}
		if sameFile(stdoutPath, path) {
			return fmt.Errorf("--stdout %s would overwrite the scenario", stdoutPath)
		}
		if err := outfile.WriteFile(stdoutPath, out); err != nil {
			return err
		}
	}
	if n := len(rep.Scenario.Mismatches); n > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%s: %d stated values did not match", path, n)}
	}
	return nil
}

// applySets applies a scenario's settings, then the command line's again.
func applySets(cfg *config.Config, scenario, cmdline []string) error {
	for _, list := range [][]string{scenario, cmdline} {
		for _, s := range list {
			if err := cfg.SetArg(s); err != nil {
				return err
			}
		}
	}
	return nil
}
