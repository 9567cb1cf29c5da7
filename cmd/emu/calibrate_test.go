package main

import (
	"bytes"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/machine/config"
)

// calibrated loads a calibration as a configuration and reads its costs.
func calibrated(t *testing.T, text string) map[string]uint64 {
	t.Helper()
	cfg, err := config.Load(writeFile(t, t.TempDir(), "host.yaml", text))
	if err != nil {
		t.Fatalf("the calibration does not load: %v\n%s", err, text)
	}
	out := map[string]uint64{}
	for _, k := range []string{"fault_cycles", "zero_cycles", "copy_cycles", "fork_cycles", "fork_entry_cycles"} {
		out[k] = cfg.Reader().Count("os." + k)
	}
	return out
}

// emu calibrate measures this host's kernel and prints a configuration that
// -c reads: every cost positive, a copy-on-write fault (a fault and a
// copy) dearer than zeroing a page, fork's fixed cost more than one entry's.
func TestCalibrateHost(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("measures Linux's system calls")
	}
	code, out, stderr := emu(t, "", "calibrate", "--pages", "256")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	c := calibrated(t, out)
	for k, v := range c {
		if v == 0 {
			t.Errorf("%s is 0", k)
		}
	}
	// How the costs compare is the host's business, and a loaded host
	// (the tests run in parallel) can bury a small cost in noise:
	// TestCalibrationCycles checks the arithmetic on known times.
	t.Logf("%v", c)
}

// The host's times become the kernel's keys in cycles of the configured
// clock: zeroing from huge-page faults where the host gives them, from a
// page cleared in user space where not; a fault less its zeroing; a copy
// less a fault; a cost lost in noise is one cycle.
func TestCalibrationCycles(t *testing.T) {
	h := hostCosts{Pages: 256, AnonFault: 1000, COWFault: 2500, UserZero: 100, ForkBase: 100 * time.Microsecond,
		ForkPerPage: 40, ForkPages: 4096}
	huge := h
	huge.HugeFault = 1000 + 511*150
	noisy := h
	noisy.ForkBase = -time.Microsecond
	for _, c := range []struct {
		name string
		h    hostCosts
		freq string
		want map[string]uint64
	}{
		{"memclr", h, "4GHz", map[string]uint64{"fault_cycles": 3600, "zero_cycles": 400, "copy_cycles": 6400, "fork_cycles": 400000, "fork_entry_cycles": 160}},
		{"huge pages", huge, "4GHz", map[string]uint64{"fault_cycles": 3400, "zero_cycles": 600, "copy_cycles": 6600, "fork_cycles": 400000, "fork_entry_cycles": 160}},
		{"2GHz", h, "2GHz", map[string]uint64{"fault_cycles": 1800, "zero_cycles": 200, "copy_cycles": 3200, "fork_cycles": 200000, "fork_entry_cycles": 80}},
		{"noise", noisy, "4GHz", map[string]uint64{"fault_cycles": 3600, "zero_cycles": 400, "copy_cycles": 6400, "fork_cycles": 1, "fork_entry_cycles": 160}},
	} {
		hz, err := config.ParseHertz(c.freq)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		writeCalibration(&b, c.h, "default", c.freq, hz)
		if diff := cmp.Diff(c.want, calibrated(t, b.String())); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
}
