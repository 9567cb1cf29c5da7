package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/vmemu/vmemu/machine"
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

func (f *configFlags) load() (*machine.Config, error) {
	cfg, err := machine.Load(f.spec)
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

func newRunCmd() *cobra.Command {
	var cf configFlags
	var jsonPath, stdoutPath string
	var max uint64
	cmd := &cobra.Command{
		Use:   "run [-c PRESET|FILE] [--set key=value ...] [--json FILE] TRACE",
		Short: "replay a trace and report cycles, hits and misses per level",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := cf.load()
			if err != nil {
				return err
			}
			var scenario *traces.Scenario
			if strings.HasSuffix(args[0], ".emu") {
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
			if jsonPath != "" && jsonPath != "-" && sameFile(jsonPath, args[0]) {
				return fmt.Errorf("--json %s would overwrite the trace", jsonPath)
			}
			if scenario != nil {
				return runScenario(cmd, m, scenario, jsonPath, stdoutPath)
			}
			tr, err := traces.Open(args[0])
			if err != nil {
				return err
			}
			r := traces.Pipelined(tr, 0) // decompress and parse on another core
			defer r.Close()
			rep, err := m.Run(r, machine.RunOptions{Max: max})
			if err != nil {
				return err
			}
			rep.Trace.Path = args[0]
			if jsonPath == "-" {
				return writeJSON(cmd.OutOrStdout(), rep)
			}
			if err := rep.WriteText(cmd.OutOrStdout()); err != nil {
				return err
			}
			if jsonPath != "" {
				return writeJSONFile(jsonPath, rep)
			}
			return nil
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVar(&jsonPath, "json", "", "also write the report as JSON to FILE (- for standard output, instead of the text)")
	cmd.Flags().Uint64Var(&max, "max", 0, "stop after this many trace records (0: all)")
	cmd.Flags().StringVar(&stdoutPath, "stdout", "", "scenarios: write what the processes wrote to their standard output to FILE")
	return cmd
}

func writeJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeJSONFile writes v to path through a temporary file and a rename, so
// a reader never sees half a report.
func writeJSONFile(path string, v any) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := writeJSON(tmp, v); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

func joinPresets() string {
	s := ""
	for i, p := range machine.Presets() {
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
	rep, err := m.RunScenario(s)
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
		if err := os.WriteFile(stdoutPath, out, 0o644); err != nil {
			return err
		}
	}
	if n := len(rep.Scenario.Mismatches); n > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%s: %d stated values did not match", path, n)}
	}
	return nil
}

// applySets applies a scenario's settings, then the command line's again.
func applySets(cfg *machine.Config, scenario, cmdline []string) error {
	for _, list := range [][]string{scenario, cmdline} {
		for _, s := range list {
			if err := cfg.SetArg(s); err != nil {
				return err
			}
		}
	}
	return nil
}
