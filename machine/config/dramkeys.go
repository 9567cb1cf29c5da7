package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/vmemu/vmemu/dram"
)

// dramInt is a whole-number field of dram.Config under its key (after
// "dram.").
type dramInt struct {
	key      string
	min, max uint64
	doc      string
	field    func(*dram.Config) *int
}

var dramInts = []dramInt{
	{"channels", 1, 64, "independent channels", func(c *dram.Config) *int { return &c.Geometry.Channels }},
	{"ranks", 1, 16, "ranks per channel", func(c *dram.Config) *int { return &c.Geometry.Ranks }},
	{"bank_groups", 1, 16, "bank groups per rank", func(c *dram.Config) *int { return &c.Geometry.BankGroups }},
	{"banks_per_group", 1, 16, "banks per bank group", func(c *dram.Config) *int { return &c.Geometry.BanksPerGroup }},
	{"rows", 1, 1 << 22, "rows per bank", func(c *dram.Config) *int { return &c.Geometry.Rows }},
	{"columns", 1, 1 << 16, "columns per row", func(c *dram.Config) *int { return &c.Geometry.Columns }},
	{"device_width", 4, 16, "data bits per device (x4, x8, x16)", func(c *dram.Config) *int { return &c.Geometry.DeviceWidth }},
	{"bus_width", 8, 128, "data bits per channel", func(c *dram.Config) *int { return &c.Geometry.BusWidth }},
	{"burst_length", 2, 32, "beats per column access", func(c *dram.Config) *int { return &c.Geometry.BurstLength }},
	{"read_queue", 1, 4096, "read queue entries per channel", func(c *dram.Config) *int { return &c.Policy.ReadQueue }},
	{"write_queue", 1, 4096, "write queue entries per channel", func(c *dram.Config) *int { return &c.Policy.WriteQueue }},
	{"drain_high", 0, 4096, "write-queue entries that start a write drain", func(c *dram.Config) *int { return &c.Policy.DrainHigh }},
	{"drain_low", 0, 4096, "write-queue entries that end a write drain", func(c *dram.Config) *int { return &c.Policy.DrainLow }},
	{"row_hit_cap", 0, 1 << 20, "column commands to one open row before an older request to another row goes (0: no cap)", func(c *dram.Config) *int { return &c.Policy.RowHitCap }},
}

// dramWord is a field written as a word.
type dramWord struct {
	key     string
	choices []string // nil: any word, checked when the controller is built
	doc     string
	get     func(*dram.Config) string
	set     func(*dram.Config, string)
}

var dramWords = []dramWord{
	{"protocol", []string{"DDR4", "DDR5"}, "the standard the devices follow",
		func(c *dram.Config) string { return string(c.Protocol) }, func(c *dram.Config, v string) { c.Protocol = dram.Protocol(v) }},
	{"scheduler", []string{"frfcfs", "fcfs"}, "FR-FCFS (row hits first, then oldest) or FCFS",
		func(c *dram.Config) string { return string(c.Policy.Scheduler) }, func(c *dram.Config, v string) { c.Policy.Scheduler = dram.SchedulerKind(v) }},
	{"page", []string{"open", "closed"}, "open-page or closed-page policy",
		func(c *dram.Config) string { return string(c.Policy.Page) }, func(c *dram.Config, v string) { c.Policy.Page = dram.PagePolicy(v) }},
	{"refresh", []string{"all-bank", "per-bank", "none"}, "all-bank refresh, DDR5 same-bank refresh, or none",
		func(c *dram.Config) string { return string(c.Policy.Refresh) }, func(c *dram.Config, v string) { c.Policy.Refresh = dram.RefreshPolicy(v) }},
	{"mapping", nil, "address mapping: RoBaRaCoCh, ChRaBaRoCo, RoBaRaCoCh-xor, or a bit-field string",
		func(c *dram.Config) string { return c.Policy.Mapping }, func(c *dram.Config, v string) { c.Policy.Mapping = v }},
}

// dramKeys are the keys of the DRAM model, all under "dram.".
func dramKeys() []Key {
	keys := []Key{
		{Name: "dram.preset", Unit: Choice, Choices: append(dram.PresetNames(), "custom"), Doc: "a DRAM part by name: setting it sets every dram key; setting one of those makes it custom"},
		{Name: "dram.clock", Unit: Hertz, Min: 1e6, Max: 10e9, Doc: "DRAM command clock (half the transfer rate)"},
		{Name: "dram.per_bank_stats", Unit: Bool, Doc: "count commands and row hits per bank too"},
	}
	for _, w := range dramWords {
		u := Choice
		if w.choices == nil {
			u = Word
		}
		keys = append(keys, Key{Name: "dram." + w.key, Unit: u, Choices: w.choices, Doc: w.doc})
	}
	for _, f := range dramInts {
		keys = append(keys, Key{Name: "dram." + f.key, Unit: Count, Min: f.min, Max: f.max, Doc: f.doc})
	}
	for _, t := range dram.TimingNames() {
		keys = append(keys, Key{Name: "dram.timing." + t, Unit: Count, Min: 0, Max: 1 << 20, Doc: "JEDEC " + t + ", in DRAM clock cycles"})
	}
	return keys
}

// dramValues writes a DRAM configuration as the keys that hold it.
func dramValues(c dram.Config) map[string]string {
	out := map[string]string{
		"dram.clock":          formatHertz(c.ClockHz),
		"dram.per_bank_stats": strconv.FormatBool(c.Policy.PerBankStats),
	}
	for _, w := range dramWords {
		out["dram."+w.key] = w.get(&c)
	}
	for _, f := range dramInts {
		out["dram."+f.key] = strconv.Itoa(*f.field(&c))
	}
	for _, t := range dram.TimingNames() {
		out["dram.timing."+t] = strconv.Itoa(*c.Timing.Field(t))
	}
	return out
}

// DRAM reads the DRAM keys into the part they describe.
func (r *Reader) DRAM() (dram.Config, error) {
	c := dram.Config{Name: r.Str("dram.preset"), ClockHz: r.Hertz("dram.clock")}
	c.Policy.PerBankStats = r.Bool("dram.per_bank_stats")
	for _, w := range dramWords {
		w.set(&c, r.Str("dram."+w.key))
	}
	for _, f := range dramInts {
		*f.field(&c) = int(r.Count("dram." + f.key))
	}
	for _, t := range dram.TimingNames() {
		*c.Timing.Field(t) = int(r.Count("dram.timing." + t))
	}
	if r.Err != nil {
		return c, r.Err
	}
	if err := c.Validate(); err != nil {
		return c, DRAMError(r.Config, err)
	}
	return c, nil
}

// DRAMError turns an error of the DRAM model into one that names the key
// it is about (a dram.ConfigError names a field of dram.Config). When the
// field must agree with others, it names the one set last, which the
// message relates to the field the rule is stated for.
func DRAMError(c *Config, err error) error {
	var ce *dram.ConfigError
	if !errors.As(err, &ce) {
		return &Error{Where: c.Name, Key: "dram", Msg: err.Error()}
	}
	key := dramKey(ce.Field)
	keys := []string{key}
	for _, f := range ce.Also {
		keys = append(keys, dramKey(f))
	}
	e := c.Blame(ce.Msg, keys...)
	if e.Key != key {
		e.Msg = fmt.Sprintf("%s does not fit %s: %s", c.Get(e.Key), key, ce.Msg)
	}
	return e
}

// dramKey is the key of a field of dram.Config.
func dramKey(field string) string {
	if field == "clock_hz" {
		return "dram.clock"
	}
	return "dram." + strings.TrimPrefix(strings.TrimPrefix(field, "geometry."), "policy.")
}

// DRAMConfig returns the DRAM part a configuration's dram keys describe.
func DRAMConfig(c *Config) (dram.Config, error) {
	return c.Reader().DRAM()
}
