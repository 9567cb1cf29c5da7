package config

import (
	"path/filepath"
	"testing"
)

// TestDRAMErrorNamesTheKeySet: when DRAM keys disagree, the error names the
// one set last (what the user changed), not the preset's value it broke.
func TestDRAMErrorNamesTheKeySet(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"d.yaml": "dram:\n  timing:\n    tRFC: 100000\n"})
	file := filepath.Join(dir, "d.yaml")
	tests := []struct {
		spec string
		sets []string
		want string
	}{
		{"default", []string{"dram.timing.tRFC=100000"},
			"--set dram.timing.tRFC=100000: dram.timing.tRFC: 100000 does not fit dram.timing.tREFI: 9360: must be at least tRFC + tRP = 100039 (a refresh must fit in its interval)"},
		{"default", []string{"dram.timing.tREFI=10"},
			"--set dram.timing.tREFI=10: dram.timing.tREFI: 10: must be at least tRFC + tRP = 747 (a refresh must fit in its interval)"},
		{"default", []string{"dram.timing.tRP=100000"},
			"--set dram.timing.tRP=100000: dram.timing.tRP: 100000 does not fit dram.timing.tRC: 116: must be at least tRAS + tRP = 100077 (a bank must be precharged before it is activated again)"},
		{"default", []string{"dram.write_queue=8"},
			"--set dram.write_queue=8: dram.write_queue: 8 does not fit dram.drain_high: 26: must be between 1 and the write queue size 8"},
		{"default", []string{"dram.protocol=DDR4"},
			"--set dram.protocol=DDR4: dram.protocol: DDR4 does not fit dram.bank_groups: 8: DDR4 has at most 4 bank groups (JESD79-4)"},
		{"default", []string{"dram.preset=ddr4-2400", "dram.bank_groups=8"},
			"--set dram.bank_groups=8: dram.bank_groups: 8: DDR4 has at most 4 bank groups (JESD79-4)"},
		{"default", []string{"dram.columns=8"},
			"--set dram.columns=8: dram.columns: 8: fewer than one burst (BL16) per row"},
		{"default", []string{"dram.burst_length=32"},
			"--set dram.burst_length=32: dram.burst_length: 32 does not fit dram.timing.tCCD_S: 8: must be at least BL/2 = 16 (a burst holds the data bus for BL/2 clocks)"},
		{"default", []string{"dram.refresh=per-bank", "dram.timing.tRFCsb=0"},
			"--set dram.timing.tRFCsb=0: dram.timing.tRFCsb: 0: per-bank refresh needs tRFCsb of at least 1"},
		{file, nil,
			file + ":3: dram.timing.tRFC: 100000 does not fit dram.timing.tREFI: 9360: must be at least tRFC + tRP = 100039 (a refresh must fit in its interval)"},
		{file, []string{"dram.timing.tREFI=9000"},
			"--set dram.timing.tREFI=9000: dram.timing.tREFI: 9000: must be at least tRFC + tRP = 100039 (a refresh must fit in its interval)"},
	}
	for _, tc := range tests {
		c, err := Load(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range tc.sets {
			if err := c.SetArg(s); err != nil {
				t.Fatal(err)
			}
		}
		_, err = DRAMConfig(c)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s %v: error %v\nwant %q", tc.spec, tc.sets, err, tc.want)
		}
	}
}

// TestSetFrom: a value set in the user's words is blamed in them.
func TestSetFrom(t *testing.T) {
	c, err := Load("default")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetFrom("-c ddr4-2400", "dram.preset", "ddr4-2400"); err != nil {
		t.Fatal(err)
	}
	if err := c.SetFrom("--set tRFC=100000", "dram.timing.tRFC", "100000"); err != nil {
		t.Fatal(err)
	}
	want := "--set tRFC=100000: dram.timing.tRFC: 100000 does not fit dram.timing.tREFI: 9360: must be at least tRFC + tRP = 100016 (a refresh must fit in its interval)"
	if _, err := DRAMConfig(c); err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %q", err, want)
	}
	if got := c.Origin("dram.timing.tREFI"); got != "-c ddr4-2400 (dram.preset)" {
		t.Errorf("tREFI from %q", got)
	}
}
