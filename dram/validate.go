package dram

import (
	"fmt"
	"math/bits"
)

// ConfigError reports one bad field of a Config. Field is a dotted path
// ("timing.tRC", "geometry.rows", "policy.read_queue") that a config layer can
// map onto its own key names. Also lists the other fields of a rule that
// relates several (tREFI >= tRFC + tRP), any of which may be the mistake:
// a config layer can blame the one its user changed.
type ConfigError struct {
	Field string
	Msg   string
	Also  []string
}

func (e *ConfigError) Error() string { return "dram: " + e.Field + ": " + e.Msg }

func bad(field, format string, args ...any) error {
	return &ConfigError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// badWith reports a field that disagrees with the fields in also.
func badWith(field string, also []string, format string, args ...any) error {
	return &ConfigError{Field: field, Msg: fmt.Sprintf(format, args...), Also: also}
}

// Validate checks that the Config describes a memory that can exist: sane
// geometry, timings that respect the JEDEC relations between them, and
// policies the controller knows. The first problem found is returned.
func (c Config) Validate() error {
	if c.Protocol != DDR4 && c.Protocol != DDR5 {
		return bad("protocol", "%q: must be DDR4 or DDR5", c.Protocol)
	}
	if c.ClockHz == 0 {
		return bad("clock_hz", "must be positive")
	}
	if err := c.Geometry.validate(c.Protocol); err != nil {
		return err
	}
	if err := c.Timing.validate(c.Geometry, c.Protocol, c.Policy.Refresh); err != nil {
		return err
	}
	if err := c.Policy.validate(c.Protocol); err != nil {
		return err
	}
	_, err := ParseMapping(c.Policy.Mapping, c.Geometry)
	return err
}

// Limits that keep the model's tables small; real parts are far inside them.
const (
	maxBanksPerChannel = 1024
	maxQueue           = 1 << 16
)

func powerOfTwo(field string, v, max int) error {
	if v < 1 || v > max || v&(v-1) != 0 {
		return bad(field, "%d: must be a power of two between 1 and %d", v, max)
	}
	return nil
}

func (g Geometry) validate(p Protocol) error {
	checks := []struct {
		field string
		v     int
		max   int
	}{
		{"geometry.channels", g.Channels, 64},
		{"geometry.ranks", g.Ranks, 16},
		{"geometry.bank_groups", g.BankGroups, 64},
		{"geometry.banks_per_group", g.BanksPerGroup, 64},
		{"geometry.rows", g.Rows, 1 << 24},
		{"geometry.columns", g.Columns, 1 << 16},
		{"geometry.burst_length", g.BurstLength, 64},
	}
	for _, c := range checks {
		if err := powerOfTwo(c.field, c.v, c.max); err != nil {
			return err
		}
	}
	switch g.DeviceWidth {
	case 4, 8, 16:
	default:
		return bad("geometry.device_width", "%d: must be 4, 8 or 16", g.DeviceWidth)
	}
	if g.BusWidth < g.DeviceWidth || g.BusWidth%g.DeviceWidth != 0 || g.BusWidth%8 != 0 {
		return badWith("geometry.bus_width", []string{"geometry.device_width"}, "%d: must be a multiple of 8 and of the device width %d", g.BusWidth, g.DeviceWidth)
	}
	if g.BurstLength < 2 {
		return bad("geometry.burst_length", "%d: a burst takes at least two beats (one clock)", g.BurstLength)
	}
	if lb := g.LineBytes(); lb&(lb-1) != 0 {
		return badWith("geometry.bus_width", []string{"geometry.burst_length"}, "%d bits x BL%d = %d bytes per access: must be a power of two", g.BusWidth, g.BurstLength, lb)
	}
	if g.Columns < g.BurstLength {
		return badWith("geometry.columns", []string{"geometry.burst_length"}, "%d: fewer than one burst (BL%d) per row", g.Columns, g.BurstLength)
	}
	if n := g.Ranks * g.Banks(); n > maxBanksPerChannel {
		return badWith("geometry.banks_per_group", []string{"geometry.ranks", "geometry.bank_groups"}, "%d banks per channel: at most %d", n, maxBanksPerChannel)
	}
	bitsUsed := bits.Len64(g.Capacity()) - 1
	if bitsUsed > 48 {
		return badWith("geometry.rows", []string{"geometry.channels", "geometry.ranks", "geometry.bank_groups", "geometry.banks_per_group", "geometry.columns", "geometry.bus_width"},
			"capacity 2^%d bytes: at most 2^48", bitsUsed)
	}
	if p == DDR4 && g.BankGroups > 4 {
		return badWith("geometry.bank_groups", []string{"protocol"}, "%d: DDR4 has at most 4 bank groups (JESD79-4)", g.BankGroups)
	}
	return nil
}

func positive(field string, v int) error {
	if v < 1 {
		return bad(field, "%d: must be at least 1", v)
	}
	return nil
}

func (t Timing) validate(g Geometry, p Protocol, refresh RefreshPolicy) error {
	for _, f := range timingFields {
		if f.name == "tRFCsb" {
			continue // only needed for same-bank refresh, checked below
		}
		if err := positive("timing."+f.name, *f.field(&t)); err != nil {
			return err
		}
	}
	if t.RFCsb < 0 {
		return bad("timing.tRFCsb", "%d: must not be negative", t.RFCsb)
	}
	burst := g.BurstLength / 2
	// JEDEC relations between the timings. Each rule is a "must be at least".
	rules := []struct {
		field, expr, why string
		v, min           int
		also             []string // the fields in expr
	}{
		{"timing.tRC", "tRAS + tRP", "a bank must be precharged before it is activated again", t.RC, t.RAS + t.RP, []string{"timing.tRAS", "timing.tRP"}},
		{"timing.tRAS", "tRCD", "a row is read before it is closed", t.RAS, t.RCD, []string{"timing.tRCD"}},
		{"timing.tCCD_L", "tCCD_S", "the same bank group is never faster than another", t.CCDL, t.CCDS, []string{"timing.tCCD_S"}},
		{"timing.tRRD_L", "tRRD_S", "the same bank group is never faster than another", t.RRDL, t.RRDS, []string{"timing.tRRD_S"}},
		{"timing.tWTR_L", "tWTR_S", "the same bank group is never faster than another", t.WTRL, t.WTRS, []string{"timing.tWTR_S"}},
		{"timing.tCCD_S", "BL/2", "a burst holds the data bus for BL/2 clocks", t.CCDS, burst, []string{"geometry.burst_length"}},
		{"timing.tFAW", "tRRD_S", "four activates span at least one tRRD_S", t.FAW, t.RRDS, []string{"timing.tRRD_S"}},
		{"timing.CL", "CWL", "write latency is below read latency in every JEDEC speed bin", t.CL, t.CWL, []string{"timing.CWL"}},
		{"timing.tREFI", "tRFC + tRP", "a refresh must fit in its interval", t.REFI, t.RFC + t.RP, []string{"timing.tRFC", "timing.tRP"}},
	}
	for _, r := range rules {
		if r.v < r.min {
			return badWith(r.field, r.also, "%d: must be at least %s = %d (%s)", r.v, r.expr, r.min, r.why)
		}
	}
	if refresh == PerBankRefresh {
		if p != DDR5 {
			return badWith("policy.refresh", []string{"protocol"}, "per-bank (same-bank) refresh needs DDR5; %s refreshes all banks", p)
		}
		if t.RFCsb < 1 {
			return badWith("timing.tRFCsb", []string{"policy.refresh"}, "%d: per-bank refresh needs tRFCsb of at least 1", t.RFCsb)
		}
		if interval := t.REFI / g.BanksPerGroup; interval < t.RFCsb+t.RP {
			return badWith("timing.tRFCsb", []string{"timing.tRP", "timing.tREFI", "geometry.banks_per_group"},
				"%d: must fit with tRP in the same-bank interval tREFI/banks_per_group = %d", t.RFCsb, interval)
		}
	}
	return nil
}

func (pol Policy) validate(p Protocol) error {
	if pol.ReadQueue < 1 || pol.ReadQueue > maxQueue {
		return bad("policy.read_queue", "%d: must be between 1 and %d", pol.ReadQueue, maxQueue)
	}
	if pol.WriteQueue < 1 || pol.WriteQueue > maxQueue {
		return bad("policy.write_queue", "%d: must be between 1 and %d", pol.WriteQueue, maxQueue)
	}
	if pol.DrainHigh < 1 || pol.DrainHigh > pol.WriteQueue {
		return badWith("policy.drain_high", []string{"policy.write_queue"}, "%d: must be between 1 and the write queue size %d", pol.DrainHigh, pol.WriteQueue)
	}
	if pol.DrainLow < 0 || pol.DrainLow >= pol.DrainHigh {
		return badWith("policy.drain_low", []string{"policy.drain_high"}, "%d: must be between 0 and drain_high-1 = %d", pol.DrainLow, pol.DrainHigh-1)
	}
	if pol.Scheduler != FRFCFS && pol.Scheduler != FCFS {
		return bad("policy.scheduler", "%q: must be %q or %q", pol.Scheduler, FRFCFS, FCFS)
	}
	if pol.RowHitCap < 0 {
		return bad("policy.row_hit_cap", "%d: must be 0 (no cap) or more", pol.RowHitCap)
	}
	if pol.Page != OpenPage && pol.Page != ClosedPage {
		return bad("policy.page", "%q: must be %q or %q", pol.Page, OpenPage, ClosedPage)
	}
	switch pol.Refresh {
	case AllBankRefresh, PerBankRefresh, NoRefresh:
	default:
		return bad("policy.refresh", "%q: must be %q, %q or %q", pol.Refresh, AllBankRefresh, PerBankRefresh, NoRefresh)
	}
	return nil
}
