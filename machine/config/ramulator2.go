package config

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ramulator2DDR4Timing names the entries of Ramulator 2's DDR4 timing
// array, in its order (src/dram/impl/DDR4.cpp, m_timings), with the dram
// key each is; "" for what the model derives (nBL from the burst length)
// or leaves out.
var ramulator2DDR4Timing = []struct{ name, key string }{
	{"rate", ""}, {"nBL", ""}, {"nCL", "CL"}, {"nRCD", "tRCD"}, {"nRP", "tRP"}, {"nRAS", "tRAS"},
	{"nRC", "tRC"}, {"nWR", "tWR"}, {"nRTP", "tRTP"}, {"nCWL", "CWL"}, {"nCCDS", "tCCD_S"}, {"nCCDL", "tCCD_L"},
	{"nRRDS", "tRRD_S"}, {"nRRDL", "tRRD_L"}, {"nWTRS", "tWTR_S"}, {"nWTRL", "tWTR_L"}, {"nFAW", "tFAW"},
	{"nRFC", "tRFC"}, {"nREFI", "tREFI"},
	// Ramulator 2 spaces bursts of two ranks by nBL + nCS where DRAMsim3
	// and the model take BL/2 + tRTRS: nCS is tRTRS.
	{"nCS", "tRTRS"}, {"tCK_ps", ""},
}

// yamlAt is a node and the file, for errors.
type yamlAt struct {
	path string
	n    *yaml.Node
}

func (y yamlAt) where() string { return fmt.Sprintf("%s:%d", y.path, y.n.Line) }

// get returns the value under key of a mapping, or an error naming the
// path of keys.
func (y yamlAt) get(keys ...string) (yamlAt, error) {
	n := y.n
	for _, k := range keys {
		var next *yaml.Node
		if n.Kind == yaml.SequenceNode && len(n.Content) > 0 {
			n = n.Content[0] // the first controller: Ramulator 2 repeats one per channel
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					next = n.Content[i+1]
				}
			}
		}
		if next == nil {
			return y, &Error{Where: fmt.Sprintf("%s:%d", y.path, n.Line), Key: strings.Join(keys, "."),
				Msg: "missing: not a Ramulator 2 configuration this reader knows (memory_system.controllers[].dram...)"}
		}
		n = next
	}
	return yamlAt{y.path, n}, nil
}

// ints reads a sequence of whole numbers.
func (y yamlAt) ints() ([]uint64, error) {
	if y.n.Kind != yaml.SequenceNode {
		return nil, &Error{Where: y.where(), Msg: "expected a list of numbers"}
	}
	out := make([]uint64, len(y.n.Content))
	for i, e := range y.n.Content {
		v, err := strconv.ParseUint(e.Value, 10, 64)
		if err != nil {
			return nil, &Error{Where: fmt.Sprintf("%s:%d", y.path, e.Line), Msg: fmt.Sprintf("%q is not a whole number", e.Value)}
		}
		out[i] = v
	}
	return out, nil
}

func ramulator2Settings(path string, data []byte) ([]setting, []string, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil || len(doc.Content) == 0 {
		return nil, nil, &Error{Where: path, Msg: "not YAML: " + fmt.Sprint(err)}
	}
	ctl, err := yamlAt{path, doc.Content[0]}.get("memory_system", "controllers")
	if err != nil {
		return nil, nil, err
	}
	var sets []setting
	add := func(key, value string, at yamlAt) {
		sets = append(sets, setting{key: key, value: value, where: at.where()})
	}
	dev, err := ramulator2Device(ctl)
	if err != nil {
		return nil, nil, err
	}
	if err := ramulator2Controller(ctl, add); err != nil {
		return nil, nil, err
	}
	sets = append(sets, dev...)
	return sets, []string{path + ": not modelled, left out: timing_constraints (the model derives them from the timings), command_cycles, read_latency, frontend and clock ratios"}, nil
}

// ramulator2Device reads the dram node: protocol, organisation, timings.
func ramulator2Device(ctl yamlAt) ([]setting, error) {
	var sets []setting
	set := func(key, value string, at yamlAt) {
		sets = append(sets, setting{key: key, value: value, where: at.where()})
	}
	impl, err := ctl.get("dram", "impl")
	if err != nil {
		return nil, err
	}
	set("dram.protocol", impl.n.Value, impl)
	width, err := ctl.get("dram", "channel_width")
	if err != nil {
		return nil, err
	}
	set("dram.bus_width", width.n.Value, width)
	dq, err := ctl.get("dram", "org", "dq")
	if err != nil {
		return nil, err
	}
	set("dram.device_width", dq.n.Value, dq)
	countAt, err := ctl.get("dram", "org", "count")
	if err != nil {
		return nil, err
	}
	count, err := countAt.ints()
	if err != nil {
		return nil, err
	}
	levels := []string{"channels", "ranks", "bank_groups", "banks_per_group", "rows", "columns"}
	if len(count) != len(levels) {
		return nil, &Error{Where: countAt.where(), Key: "org.count", Msg: "expected " + strings.Join(levels, ", ")}
	}
	for i, l := range levels {
		set("dram."+l, strconv.FormatUint(count[i], 10), countAt)
	}
	if impl.n.Value != "DDR4" {
		return nil, &Error{Where: impl.where(), Key: "dram.impl", Msg: impl.n.Value + ": this reader knows Ramulator 2's DDR4 timing array only"}
	}
	timingAt, err := ctl.get("dram", "timing")
	if err != nil {
		return nil, err
	}
	timing, err := timingAt.ints()
	if err != nil {
		return nil, err
	}
	if len(timing) != len(ramulator2DDR4Timing) {
		return nil, &Error{Where: timingAt.where(), Key: "timing", Msg: fmt.Sprintf("%d values, expected Ramulator 2's %d for DDR4", len(timing), len(ramulator2DDR4Timing))}
	}
	for i, t := range ramulator2DDR4Timing {
		at := yamlAt{timingAt.path, timingAt.n.Content[i]}
		switch t.name {
		case "rate":
			if timing[i] == 0 || timing[i] > 20000 {
				return nil, &Error{Where: at.where(), Key: "timing.rate", Msg: fmt.Sprintf("%d MT/s is not a data rate (DDR4 and DDR5: 1600 to 8800)", timing[i])}
			}
			set("dram.clock", formatHertz(timing[i]*1e6/2), at)
		case "nBL":
			set("dram.burst_length", strconv.FormatUint(2*timing[i], 10), at)
		}
		if t.key != "" {
			set("dram.timing."+t.key, strconv.FormatUint(timing[i], 10), at)
		}
	}
	set("dram.timing.tRFCsb", "0", timingAt)
	return sets, nil
}

// ramulator2Controller reads the controller: queues, watermarks, and the
// scheduler, row policy, refresh and address mapping by name.
func ramulator2Controller(ctl yamlAt, add func(string, string, yamlAt)) error {
	for _, q := range []struct{ name, key string }{{"read_buffer_size", "dram.read_queue"}, {"write_buffer_size", "dram.write_queue"}} {
		v, err := ctl.get(q.name)
		if err != nil {
			return err
		}
		add(q.key, v.n.Value, v)
	}
	wq, _ := ctl.get("write_buffer_size")
	n, err := strconv.ParseUint(wq.n.Value, 10, 64)
	if err != nil {
		return &Error{Where: wq.where(), Key: "write_buffer_size", Msg: fmt.Sprintf("%q is not a whole number", wq.n.Value)}
	}
	marks := map[string]float64{}
	for _, k := range []string{"wr_high_watermark", "wr_low_watermark"} {
		v, err := ctl.get(k)
		if err != nil {
			return err
		}
		if marks[k], err = strconv.ParseFloat(v.n.Value, 64); err != nil || marks[k] < 0 || marks[k] > 1 {
			return &Error{Where: v.where(), Key: k, Msg: fmt.Sprintf("%q is not a fraction from 0 to 1", v.n.Value)}
		}
	}
	hi, lo := drainMarks(n, marks["wr_high_watermark"], marks["wr_low_watermark"])
	hiAt, _ := ctl.get("wr_high_watermark")
	loAt, _ := ctl.get("wr_low_watermark")
	add("dram.drain_high", strconv.FormatUint(hi, 10), hiAt)
	add("dram.drain_low", strconv.FormatUint(lo, 10), loAt)
	policies := []struct {
		node, key string
		names     map[string]string
	}{
		{"scheduler", "dram.scheduler", map[string]string{"FRFCFS": "frfcfs", "FCFS": "fcfs"}},
		{"row_policy", "dram.page", map[string]string{"Open": "open", "OpenRowPolicy": "open", "Closed": "closed", "ClosedRowPolicy": "closed"}},
		{"refresh_manager", "dram.refresh", map[string]string{"AllBank": "all-bank", "AllBankRefresh": "all-bank", "SameBank": "per-bank", "No": "none"}},
	}
	for _, p := range policies {
		v, err := ctl.get(p.node, "impl")
		if err != nil {
			return err
		}
		ours, ok := p.names[v.n.Value]
		if !ok {
			return &Error{Where: v.where(), Key: p.node + ".impl", Msg: fmt.Sprintf("%q is not one the model has", v.n.Value)}
		}
		add(p.key, ours, v)
	}
	mapper, err := ctl.get("addr_mapper", "impl")
	if err != nil {
		return err
	}
	add("dram.mapping", mapper.n.Value, mapper)
	add("dram.row_hit_cap", "0", mapper)
	add("dram.per_bank_stats", "false", mapper)
	return nil
}
