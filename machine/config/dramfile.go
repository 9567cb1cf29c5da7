package config

import (
	"bytes"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/vmemu/vmemu/dram"
)

// The configuration files of the two DRAM simulators the DRAM model is
// checked against, read into the dram keys: DRAMsim3's .ini and Ramulator
// 2's YAML. Each JEDEC timing maps to one dram.timing key; what a file
// holds that the model leaves out (power, command queues, refresh modes
// other than the normal one) is listed in a note.

// IsDRAMFile says whether path names a DRAM simulator's configuration: a
// DRAMsim3 .ini file, or a YAML file with Ramulator 2's memory_system.
func IsDRAMFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".ini":
		return true
	case ".yaml", ".yml":
		data, err := ReadFile(path)
		return err == nil && bytes.Contains(data, []byte("memory_system:"))
	}
	return false
}

// ReadDRAMFile sets every dram key from a DRAMsim3 .ini or Ramulator 2
// YAML file, each named by the file and line it came from, and returns
// notes on what the file holds that the model leaves out.
func (c *Config) ReadDRAMFile(path string) ([]string, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, &Error{Where: path, Msg: err.Error()}
	}
	var sets []setting
	var notes []string
	if strings.EqualFold(filepath.Ext(path), ".ini") {
		sets, notes, err = dramsim3Settings(path, data)
	} else {
		sets, notes, err = ramulator2Settings(path, data)
	}
	if err != nil {
		return nil, err
	}
	for _, s := range sets {
		if err := c.set(s); err != nil {
			return nil, err
		}
	}
	return notes, c.check()
}

// fileValue is one value of a file, where it was.
type fileValue struct {
	value, where string
}

// jedecClocks are the command clocks of the JEDEC data rates (half the
// rate): DDR4-1600 to 3200, DDR5-3200 to 8800.
var jedecClocks = []uint64{800e6, 933_333_333, 1_066_666_667, 1_200_000_000, 1_333_333_333, 1_466_666_667,
	1600e6, 1800e6, 2000e6, 2200e6, 2400e6, 2600e6, 2800e6, 3000e6, 3200e6, 3400e6, 3600e6, 3800e6, 4000e6, 4200e6, 4400e6}

// clockOf turns a clock period in nanoseconds into the clock, taking the
// JEDEC rate within 1%: DRAMsim3 writes DDR4-2400's 0.833 ns as 0.83.
func clockOf(tCKns float64) uint64 {
	hz := 1e9 / tCKns
	for _, j := range jedecClocks {
		if math.Abs(hz-float64(j)) < 0.01*float64(j) {
			return j
		}
	}
	return uint64(math.Round(hz))
}

// drainMarks are Ramulator 2's default write-drain watermarks (as the
// presets have them) for a write queue of n entries: drain above 0.8 of
// it, stop below 0.2.
func drainMarks(n uint64, high, low float64) (uint64, uint64) {
	return uint64(math.Floor(high*float64(n))) + 1, uint64(math.Max(0, math.Ceil(low*float64(n))-1))
}

// dramsim3Names maps a DRAMsim3 key to its dram key, where they are the
// same quantity in the same unit.
var dramsim3Names = map[string]string{
	"protocol": "dram.protocol", "bankgroups": "dram.bank_groups", "banks_per_group": "dram.banks_per_group",
	"rows": "dram.rows", "columns": "dram.columns", "device_width": "dram.device_width", "BL": "dram.burst_length",
	"channels": "dram.channels", "bus_width": "dram.bus_width", "address_mapping": "dram.mapping",
	"trans_queue_size": "dram.read_queue",
}

// readINI reads an .ini file into key -> value, each with its line.
func readINI(path string, data []byte) (map[string]fileValue, error) {
	out := map[string]fileValue{}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == ';' || line[0] == '#' || line[0] == '[' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		where := fmt.Sprintf("%s:%d", path, i+1)
		if !ok {
			return nil, &Error{Where: where, Msg: fmt.Sprintf("%q is not key = value", line)}
		}
		out[strings.TrimSpace(k)] = fileValue{strings.TrimSpace(v), where}
	}
	return out, nil
}

func dramsim3Settings(path string, data []byte) ([]setting, []string, error) {
	ini, err := readINI(path, data)
	if err != nil {
		return nil, nil, err
	}
	var sets []setting
	used := map[string]bool{}
	get := func(k string) (fileValue, error) {
		used[k] = true
		v, ok := ini[k]
		if !ok {
			return v, &Error{Where: path, Key: k, Msg: "missing: the DRAM model needs it"}
		}
		return v, nil
	}
	add := func(key, value, where string) { sets = append(sets, setting{key: key, value: value, where: where}) }
	for _, k := range slices.Sorted(maps.Keys(dramsim3Names)) {
		v, err := get(k)
		if err != nil {
			return nil, nil, err
		}
		add(dramsim3Names[k], v.value, v.where)
	}
	for _, t := range dram.TimingNames() {
		if t == "tRC" || t == "tRFCsb" {
			continue // below
		}
		v, err := get(t)
		if err != nil {
			return nil, nil, err
		}
		add("dram.timing."+t, v.value, v.where)
	}
	derived, err := dramsim3Rules(path, get, ini)
	if err != nil {
		return nil, nil, err
	}
	sets = append(sets, derived...)
	return sets, unusedNote(path, ini, used), nil
}

// dramsim3Rules reads the dram keys DRAMsim3 writes another way: the clock
// from tCK, the ranks from the channel's size, tRC as DRAMsim3 computes it
// (tRAS + tRP), and the policies from its names.
func dramsim3Rules(path string, get func(string) (fileValue, error), ini map[string]fileValue) ([]setting, error) {
	var sets []setting
	add := func(key, value, where string) { sets = append(sets, setting{key: key, value: value, where: where}) }
	vals := map[string]fileValue{}
	for _, k := range []string{"tCK", "AL", "channel_size", "row_buf_policy", "refresh_policy", "tRAS", "tRP",
		"rows", "columns", "bankgroups", "banks_per_group", "bus_width", "trans_queue_size"} {
		v, err := get(k)
		if err != nil {
			return nil, err
		}
		vals[k] = v
	}
	num := func(k string) (float64, error) {
		f, err := strconv.ParseFloat(vals[k].value, 64)
		if err != nil || f < 0 {
			return 0, &Error{Where: vals[k].where, Key: k, Msg: fmt.Sprintf("%q is not a number", vals[k].value)}
		}
		return f, nil
	}
	n := map[string]float64{}
	for k := range vals {
		if k != "row_buf_policy" && k != "refresh_policy" {
			f, err := num(k)
			if err != nil {
				return nil, err
			}
			n[k] = f
		}
	}
	if n["AL"] != 0 {
		return nil, &Error{Where: vals["AL"].where, Key: "AL", Msg: "additive latency is not modelled: AL must be 0"}
	}
	if n["tCK"] == 0 {
		return nil, &Error{Where: vals["tCK"].where, Key: "tCK", Msg: "must be more than 0"}
	}
	add("dram.clock", formatHertz(clockOf(n["tCK"])), vals["tCK"].where)
	rankBytes := n["rows"] * n["columns"] * n["bankgroups"] * n["banks_per_group"] * n["bus_width"] / 8
	ranks := n["channel_size"] * (1 << 20) / rankBytes
	if rankBytes == 0 || ranks < 1 || ranks > 1<<10 || ranks != math.Trunc(ranks) {
		return nil, &Error{Where: vals["channel_size"].where, Key: "channel_size",
			Msg: fmt.Sprintf("%g MB is not a whole number of %g MB ranks", n["channel_size"], rankBytes/(1<<20))}
	}
	add("dram.ranks", strconv.Itoa(int(ranks)), vals["channel_size"].where)
	add("dram.timing.tRC", strconv.Itoa(int(n["tRAS"]+n["tRP"])), vals["tRAS"].where+" (tRAS + tRP)")
	rfcsb := fileValue{"0", path + " (no tRFCb)"}
	if v, ok := ini["tRFCb"]; ok {
		rfcsb = v
	}
	add("dram.timing.tRFCsb", rfcsb.value, rfcsb.where)
	q := vals["trans_queue_size"]
	add("dram.write_queue", q.value, q.where)
	hi, lo := drainMarks(uint64(n["trans_queue_size"]), 0.8, 0.2)
	add("dram.drain_high", strconv.FormatUint(hi, 10), q.where+" (0.8 of it)")
	add("dram.drain_low", strconv.FormatUint(lo, 10), q.where+" (0.2 of it)")
	policies, err := dramsim3Policies(path, vals)
	return append(sets, policies...), err
}

// dramsim3Policies reads the controller's policies from DRAMsim3's names
// for them; DRAMsim3 schedules FR-FCFS, with no cap on row hits.
func dramsim3Policies(path string, vals map[string]fileValue) ([]setting, error) {
	var sets []setting
	for _, p := range []struct {
		ini, key string
		names    map[string]string
	}{
		{"row_buf_policy", "dram.page", map[string]string{"OPEN_PAGE": "open", "CLOSE_PAGE": "closed"}},
		{"refresh_policy", "dram.refresh", map[string]string{"RANK_LEVEL_SIMULTANEOUS": "all-bank",
			"RANK_LEVEL_STAGGERED": "all-bank", "BANK_LEVEL_STAGGERED": "per-bank"}},
	} {
		v := vals[p.ini]
		ours, ok := p.names[v.value]
		if !ok {
			return nil, &Error{Where: v.where, Key: p.ini, Msg: fmt.Sprintf("%q: the model has %s", v.value, strings.Join(slices.Sorted(maps.Keys(p.names)), ", "))}
		}
		sets = append(sets, setting{key: p.key, value: ours, where: v.where})
	}
	return append(sets,
		setting{key: "dram.scheduler", value: "frfcfs", where: path + " (DRAMsim3 schedules FR-FCFS)"},
		setting{key: "dram.row_hit_cap", value: "0", where: path},
		setting{key: "dram.per_bank_stats", value: "false", where: path}), nil
}

// unusedNote names the keys of a file the model leaves out.
func unusedNote(path string, vals map[string]fileValue, used map[string]bool) []string {
	var left []string
	for k := range vals {
		if !used[k] {
			left = append(left, k)
		}
	}
	if len(left) == 0 {
		return nil
	}
	slices.Sort(left)
	return []string{path + ": not modelled, left out: " + strings.Join(left, ", ")}
}
