package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// The first check through the command line: isolated reads on
// ddr4-2400 take 37 DRAM cycles to a closed bank, 21 on a row hit and 53 on a
// row conflict (DRAMsim3 and Ramulator 2.1 agree).
func TestDRAMCommandIsolatedReads(t *testing.T) {
	dir := t.TempDir()
	// Row r of bank 0 under RoBaRaCoCh: the row bits are the top of the
	// 8 GiB address; 1 << 33 / 65536 rows = 128 KiB per row.
	const row = 1 << 17
	trace := writeFile(t, dir, "iso.trace", "0x0 READ 0\n0x40 READ 1000\n0x"+fmt.Sprintf("%x", row)+" READ 2000\n")
	code, out, stderr := emu(t, "", "dram", "--json", "-", trace)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"end_cycle", "reads", "writes", "avg_read_latency_cycles", "avg_read_latency_ns",
		"bandwidth_gbps", "row_hit_rate", "act", "pre", "rd", "wr", "ref"} {
		if _, ok := res[key]; !ok {
			t.Errorf("JSON lacks %q", key)
		}
	}
	if got := res["avg_read_latency_cycles"].(float64); got != (37+21+53)/3.0 {
		t.Errorf("mean latency %.3f, want (37+21+53)/3 = 37", got)
	}
}

func TestDRAMCommandBadInput(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.trace", "0x40 READ 0\n")
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"malformed line", []string{"dram", writeFile(t, dir, "bad.trace", "0x40 READ 0\n0x80 RAED 5\n")}, "bad.trace:2"},
		{"beyond capacity", []string{"dram", writeFile(t, dir, "far.trace", "0x40000000000 READ 0\n")}, "far.trace:1"},
		{"JEDEC relation", []string{"dram", "--set", "tRC=10", good}, "dram.timing.tRC"},
		{"unknown key", []string{"dram", "--set", "tRCDD=10", good}, "unknown key"},
		{"unknown part", []string{"dram", "-c", "ddr9-9999", good}, "-c ddr9-9999: not a DRAM part (ddr4-2400, ddr4-3200, ddr5-4800), a machine preset (cachegrind, cachelab, csapp-small, default, modern) or a readable file"},
		{"misspelt part", []string{"dram", "-c", "ddr4-2401", good}, "did you mean ddr4-2400?"},
		{"bad machine file", []string{"dram", "-c", writeFile(t, dir, "m.yaml", "base: default\nl2: {sise: 1}\n"), good}, "m.yaml"},
		{"request at cycle 2^64-1", []string{"dram", writeFile(t, dir, "late.trace", "0x0 READ 0\n0x40 READ 18446744073709551615\n")},
			"late.trace:2: cycle: 18446744073709551615 is later than 4611686018427387904 (2^62)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := emu(t, "", tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, tc.stderr)
			}
		})
	}
}
