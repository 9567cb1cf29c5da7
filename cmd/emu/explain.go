package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/vmemu/vmemu/machine"
	"github.com/vmemu/vmemu/machine/explain"
)

func newExplainCmd() *cobra.Command {
	var cf configFlags
	var state string
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "explain [-c PRESET|FILE] [--state FILE] [--json] ADDR ...",
		Short:   "break each virtual address down as a textbook does: VPN, TLB, walk, PA, cache, byte",
		Example: "  emu explain -c csapp-small 0x03d4 0x027c 0x0040\n  emu explain -c csapp-small --json 0x03d4",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := cf.load()
			if err != nil {
				return err
			}
			if state != "" {
				if err := cfg.Set("state", state); err != nil {
					return err
				}
			}
			m, err := machine.Build(cfg)
			if err != nil {
				return err
			}
			vas := make([]uint64, len(args))
			for i, a := range args {
				if vas[i], err = explain.ParseAddress(m, a); err != nil {
					return err
				}
			}
			var all []*explain.Explanation
			for _, va := range vas {
				x, err := explain.Address(m, va)
				if err != nil {
					return err
				}
				all = append(all, x)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(out, all)
			}
			for _, x := range all {
				writeExplanation(out, m, x)
			}
			return nil
		},
	}
	cf.add(cmd)
	cmd.Flags().StringVar(&state, "state", "", "a machine state file (JSON) to preset TLBs, page tables, caches and memory")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON list, one object per address")
	return cmd
}

func writeExplanation(w io.Writer, m *machine.Machine, x *explain.Explanation) {
	hex := func(v uint64) string { return fmt.Sprintf("0x%02X", v) }
	fmt.Fprintf(w, "virtual address %s\n", hex(x.VA))
	fmt.Fprintf(w, "  VPN %s  VPO %s  TLBI %s  TLBT %s  TLB %s\n", hex(x.VPN), hex(x.VPO), hex(x.TLBI), hex(x.TLBT), hitMiss(x.TLBHit))
	for _, s := range x.Walk {
		p := "present"
		if !s.Present {
			p = "not present"
		}
		fmt.Fprintf(w, "  walk level %d  index %s  PTE at %s = %#x (%s, from %s)\n", s.Level, hex(s.Index), hex(s.EntryAddr), s.Entry, p, s.ServedBy)
	}
	if x.PageFault {
		fmt.Fprintf(w, "  page fault (%s)\n\n", x.Fault)
		return
	}
	fmt.Fprintf(w, "  PPN %s  PA %s\n", hex(*x.PPN), hex(*x.PA))
	fmt.Fprintf(w, "  CO %s  CI %s  CT %s  cache %s  byte %s\n\n", hex(*x.CO), hex(*x.CI), hex(*x.CT), hitMiss(*x.CacheHit), hex(*x.Byte))
}

func hitMiss(hit bool) string {
	if hit {
		return "hit"
	}
	return "miss"
}
