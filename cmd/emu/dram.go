package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/vmemu/vmemu/dram"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/traces"
)

func newDRAMCmd() *cobra.Command {
	var spec string
	var sets []string
	var jsonPath string
	cmd := &cobra.Command{
		Use:   "dram [-c PRESET|FILE] [--set key=value ...] [--json FILE] TRACE",
		Short: "run the DRAM controller alone on a request trace (DRAMsim3 format: 0xADDR READ|WRITE CYCLE)",
		Long: `Runs the memory controller alone on a trace of requests, one a line, in DRAMsim3's
format (0x<addr> READ|WRITE <cycle>; the cycle is the earliest issue time) or as LD|ST <addr>.
Requests enter in order, at most one per DRAM cycle; the run ends when every read has returned.

-c names a DRAM part (` + strings.Join(dram.PresetNames(), ", ") + `) or a machine preset or file
whose dram keys are used. --set takes the dram keys (see emu config list), with or without
their "dram." prefix; a bare timing name such as tRCD=18 works too.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := dramMachineConfig(spec, sets)
			if err != nil {
				return err
			}
			dc, err := config.DRAMConfig(cfg)
			if err != nil {
				return err
			}
			if jsonPath != "" && jsonPath != "-" && sameFile(jsonPath, args[0]) {
				return fmt.Errorf("--json %s would overwrite the trace", jsonPath)
			}
			f, err := traces.OpenData(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			res, err := dram.Replay(dc, dram.NewTraceReader(args[0], f))
			if err != nil {
				return err
			}
			if jsonPath == "-" {
				return writeJSON(cmd.OutOrStdout(), res)
			}
			if _, err := fmt.Fprint(cmd.OutOrStdout(), res.Text()); err != nil {
				return err
			}
			if jsonPath != "" {
				return writeJSONFile(jsonPath, res)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&spec, "config", "c", "ddr4-2400", "a DRAM part, or a machine preset or file")
	cmd.Flags().StringArrayVar(&sets, "set", nil, "change one dram key, as key=value (repeatable)")
	cmd.Flags().StringVar(&jsonPath, "json", "", "also write the result as JSON to FILE (- for standard output, instead of the text)")
	return cmd
}

// dramMachineConfig is the machine configuration whose dram keys describe
// the part: a DRAM preset on the default machine, or a machine config.
func dramMachineConfig(spec string, sets []string) (*config.Config, error) {
	load := spec
	if slices.Contains(dram.PresetNames(), spec) {
		load = "default"
	}
	cfg, err := config.Load(load)
	if err != nil {
		if _, serr := os.Stat(spec); serr != nil && load == spec {
			msg := fmt.Sprintf("-c %s: not a DRAM part (%s), a machine preset (%s) or a readable file",
				spec, strings.Join(dram.PresetNames(), ", "), strings.Join(config.Presets(), ", "))
			if near := config.Nearest(spec, append(dram.PresetNames(), config.Presets()...)); near != "" {
				msg += "; did you mean " + near + "?"
			}
			return nil, errors.New(msg)
		}
		return nil, err
	}
	if load != spec {
		if err := cfg.SetFrom("-c "+spec, "dram.preset", spec); err != nil {
			return nil, err
		}
	}
	for _, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return nil, &config.Error{Where: "--set " + s, Msg: "expected key=value"}
		}
		k = strings.TrimSpace(k)
		switch {
		case strings.HasPrefix(k, "dram."):
		case slices.Contains(dram.TimingNames(), k):
			k = "dram.timing." + k
		default:
			k = "dram." + k
		}
		if err := cfg.SetFrom("--set "+s, k, v); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}
