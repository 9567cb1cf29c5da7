package dram

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPresetsValidate(t *testing.T) {
	for _, name := range PresetNames() {
		t.Run(name, func(t *testing.T) {
			c := preset(t, name)
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			if c.Name != name {
				t.Errorf("Name = %q", c.Name)
			}
			if got := c.Geometry.LineBytes(); got != 64 {
				t.Errorf("LineBytes = %d, want 64", got)
			}
		})
	}
	if diff := cmp.Diff([]string{"ddr4-2400", "ddr4-3200", "ddr5-4800"}, PresetNames()); diff != "" {
		t.Errorf("PresetNames (-want +got):\n%s", diff)
	}
	if _, err := Preset("DDR4-2400"); err != nil {
		t.Errorf("preset names are case-insensitive: %v", err)
	}
	if _, err := Preset("ddr3-1600"); err == nil || !strings.Contains(err.Error(), "ddr4-2400") {
		t.Errorf("unknown preset: %v, want an error listing the presets", err)
	}
	// Presets are fresh copies.
	a := Presets()["ddr4-2400"]
	a.Timing.CL = 99
	if preset(t, "ddr4-2400").Timing.CL != 16 {
		t.Error("changing a returned preset changed the preset")
	}
}

func TestPresetCapacities(t *testing.T) {
	tests := []struct {
		name string
		want uint64
	}{
		{"ddr4-2400", 8 << 30}, // one rank of eight 8 Gb devices
		{"ddr4-3200", 8 << 30},
		{"ddr5-4800", 16 << 30}, // two subchannels of four 16 Gb x8 devices
	}
	for _, tc := range tests {
		if got := preset(t, tc.name).Geometry.Capacity(); got != tc.want {
			t.Errorf("%s capacity = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// The ddr4-2400 preset must be exactly the refdata DRAMsim3 file.
func TestDDR4_2400MatchesRefdataIni(t *testing.T) {
	dir := os.Getenv("VMEMU_REFDATA")
	if dir == "" {
		dir = filepath.Join("..", "testdata", "refdata")
	}
	ini, err := readIni(filepath.Join(dir, "dram", "DDR4_8Gb_x8_2400_2_1ch1r_RoBaRaCoCh.ini"))
	if err != nil {
		t.Fatal(err)
	}
	c := preset(t, "ddr4-2400")
	g, tm := c.Geometry, c.Timing
	want := map[string]int{
		"bankgroups": g.BankGroups, "banks_per_group": g.BanksPerGroup, "rows": g.Rows,
		"columns": g.Columns, "device_width": g.DeviceWidth, "BL": g.BurstLength,
		"channels": g.Channels, "bus_width": g.BusWidth, "trans_queue_size": c.Policy.ReadQueue,
		"CL": tm.CL, "CWL": tm.CWL, "tRCD": tm.RCD, "tRP": tm.RP, "tRAS": tm.RAS,
		"tRFC": tm.RFC, "tREFI": tm.REFI, "tRRD_S": tm.RRDS, "tRRD_L": tm.RRDL,
		"tWTR_S": tm.WTRS, "tWTR_L": tm.WTRL, "tFAW": tm.FAW, "tWR": tm.WR,
		"tRTP": tm.RTP, "tCCD_S": tm.CCDS, "tCCD_L": tm.CCDL, "tRTRS": tm.RTRS,
		"channel_size": int(g.Capacity() >> 20), "AL": 0,
	}
	for key, v := range want {
		s, ok := ini[key]
		if !ok {
			t.Errorf("%s missing from the .ini", key)
			continue
		}
		if n, err := strconv.Atoi(s); err != nil || n != v {
			t.Errorf("%s: preset %d, .ini %s", key, v, s)
		}
	}
	// DRAMsim3 derives tRC = tRAS + tRP.
	if tm.RC != tm.RAS+tm.RP {
		t.Errorf("tRC = %d, DRAMsim3 uses tRAS + tRP = %d", tm.RC, tm.RAS+tm.RP)
	}
	if ini["address_mapping"] != "robabgracoch" || ini["row_buf_policy"] != "OPEN_PAGE" {
		t.Errorf("the .ini's mapping/page policy changed: %q %q", ini["address_mapping"], ini["row_buf_policy"])
	}
}

func readIni(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if ok {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out, sc.Err()
}

func TestTimingField(t *testing.T) {
	var tm Timing
	for _, n := range TimingNames() {
		p := tm.Field(n)
		if p == nil {
			t.Fatalf("Field(%q) = nil", n)
		}
		*p = 7
	}
	if tm.RCD != 7 || tm.CCDL != 7 || tm.RFCsb != 7 {
		t.Errorf("fields not set: %+v", tm)
	}
	if tm.Field("tXYZ") != nil {
		t.Error("Field of an unknown name is not nil")
	}
}

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
		field  string // ConfigError.Field
		msg    string // part of the message
	}{
		{"tRC below tRAS+tRP", func(c *Config) { c.Timing.RC = 50 }, "timing.tRC", "tRAS + tRP = 55"},
		{"tRAS below tRCD", func(c *Config) { c.Timing.RAS = 10; c.Timing.RC = 30 }, "timing.tRAS", "tRCD"},
		{"tCCD_L below tCCD_S", func(c *Config) { c.Timing.CCDL = 3 }, "timing.tCCD_L", "tCCD_S"},
		{"tRRD_L below tRRD_S", func(c *Config) { c.Timing.RRDL = 2 }, "timing.tRRD_L", "tRRD_S"},
		{"tWTR_L below tWTR_S", func(c *Config) { c.Timing.WTRL = 1 }, "timing.tWTR_L", "tWTR_S"},
		{"tCCD_S below burst", func(c *Config) { c.Timing.CCDS = 2; c.Timing.CCDL = 2 }, "timing.tCCD_S", "BL/2 = 4"},
		{"tFAW below tRRD_S", func(c *Config) { c.Timing.FAW = 3 }, "timing.tFAW", "tRRD_S"},
		{"CWL above CL", func(c *Config) { c.Timing.CWL = 17 }, "timing.CL", "CWL"},
		{"tREFI below tRFC", func(c *Config) { c.Timing.REFI = 400 }, "timing.tREFI", "tRFC + tRP"},
		{"zero tRCD", func(c *Config) { c.Timing.RCD = 0 }, "timing.tRCD", "at least 1"},
		{"negative tRFCsb", func(c *Config) { c.Timing.RFCsb = -1 }, "timing.tRFCsb", "negative"},
		{"per-bank refresh on DDR4", func(c *Config) { c.Policy.Refresh = PerBankRefresh }, "policy.refresh", "DDR5"},
		{"rows not a power of two", func(c *Config) { c.Geometry.Rows = 60000 }, "geometry.rows", "power of two"},
		{"no channels", func(c *Config) { c.Geometry.Channels = 0 }, "geometry.channels", "power of two"},
		{"device width", func(c *Config) { c.Geometry.DeviceWidth = 5 }, "geometry.device_width", "4, 8 or 16"},
		{"bus width", func(c *Config) { c.Geometry.BusWidth = 60 }, "geometry.bus_width", "multiple"},
		{"columns below burst", func(c *Config) { c.Geometry.Columns = 4 }, "geometry.columns", "burst"},
		{"DDR4 with 8 bank groups", func(c *Config) { c.Geometry.BankGroups = 8 }, "geometry.bank_groups", "DDR4"},
		{"huge", func(c *Config) { c.Geometry.Rows = 1 << 24; c.Geometry.Ranks = 16; c.Geometry.Channels = 64 }, "geometry.rows", "2^48"},
		{"protocol", func(c *Config) { c.Protocol = "DDR3" }, "protocol", "DDR4 or DDR5"},
		{"clock", func(c *Config) { c.ClockHz = 0 }, "clock_hz", "positive"},
		{"read queue", func(c *Config) { c.Policy.ReadQueue = 0 }, "policy.read_queue", "between 1"},
		{"write queue", func(c *Config) { c.Policy.WriteQueue = -3 }, "policy.write_queue", "between 1"},
		{"drain high", func(c *Config) { c.Policy.DrainHigh = 40 }, "policy.drain_high", "write queue size 32"},
		{"drain low", func(c *Config) { c.Policy.DrainLow = 26 }, "policy.drain_low", "drain_high-1 = 25"},
		{"scheduler", func(c *Config) { c.Policy.Scheduler = "fifo" }, "policy.scheduler", "frfcfs"},
		{"row hit cap", func(c *Config) { c.Policy.RowHitCap = -1 }, "policy.row_hit_cap", "0 (no cap)"},
		{"page", func(c *Config) { c.Policy.Page = "half" }, "policy.page", "open"},
		{"refresh", func(c *Config) { c.Policy.Refresh = "sometimes" }, "policy.refresh", "all-bank"},
		{"mapping", func(c *Config) { c.Policy.Mapping = "RoRoRo" }, "policy.mapping", "RoRoRo"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := preset(t, "ddr4-2400")
			tc.change(&c)
			err := c.Validate()
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Validate = %v, want a *ConfigError", err)
			}
			if ce.Field != tc.field || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got %q (field %q), want field %q and %q", err, ce.Field, tc.field, tc.msg)
			}
			if _, err := New(nil, c, 1, nil, ""); err == nil {
				t.Error("New accepted a bad config")
			}
		})
	}
}

func TestValidatePerBankDDR5(t *testing.T) {
	c := preset(t, "ddr5-4800")
	c.Policy.Refresh = PerBankRefresh
	if err := c.Validate(); err != nil {
		t.Fatalf("DDR5 per-bank refresh: %v", err)
	}
	c.Timing.RFCsb = 0
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "tRFCsb") {
		t.Errorf("per-bank refresh without tRFCsb: %v", err)
	}
	c.Timing.RFCsb = 3000 // longer than tREFI/4
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "same-bank interval") {
		t.Errorf("tRFCsb beyond its interval: %v", err)
	}
}
