package plot

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// LatencyChart reads latencies from path: a list of values (a JSON array,
// or one number a line) gives a histogram; a report (emu run --json or
// emu dram --json) gives its latency mean and percentiles as bars.
func LatencyChart(path string) (Chart, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	title := "latency: " + filepath.Base(path)
	var v any
	if json.Unmarshal(data, &v) != nil {
		vals, err := readNumbers(path, data)
		return Histogram{Title: title, XLabel: "latency (cycles)", Values: vals}, err
	}
	if list, ok := numbers(v); ok {
		return Histogram{Title: title, XLabel: "latency (cycles)", Values: list}, nil
	}
	b := percentiles(v)
	if len(b.Values) == 0 {
		return nil, fmt.Errorf("%s: no latencies: expected a list of numbers, or a report with latency percentiles (p50, p95, p99)", path)
	}
	b.Title = title
	return b, nil
}

// readNumbers reads one number a line; blank lines and # comments are
// skipped.
func readNumbers(path string, data []byte) ([]float64, error) {
	var out []float64
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		f, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %q is not a number", path, line, t)
		}
		if msg := checkValue(f); msg != "" {
			return nil, fmt.Errorf("%s:%d: %q %s", path, line, t, msg)
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no values", path)
	}
	return out, sc.Err()
}

func numbers(v any) ([]float64, bool) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return nil, false
	}
	out := make([]float64, len(list))
	for i, e := range list {
		if out[i], ok = e.(float64); !ok {
			return nil, false
		}
	}
	return out, true
}

// percentileKey finds pNN in a key such as ReadLatencyP99 or
// read_latency_p95_cycles.
var percentileKey = regexp.MustCompile(`p(\d+(?:\.\d+)?)`)

// percentiles finds the latency mean and percentiles anywhere in a report
// (cycles only: keys in nanoseconds are left out), mean first.
func percentiles(v any) Bars {
	type stat struct {
		name string
		rank float64
		v    float64
	}
	var stats []stat
	flatten(v, "", func(key string, x float64) {
		k := strings.ToLower(key[strings.LastIndexByte(key, '.')+1:])
		if !strings.Contains(k, "latency") || strings.HasSuffix(k, "ns") {
			return
		}
		if m := percentileKey.FindStringSubmatch(k); m != nil {
			r, _ := strconv.ParseFloat(m[1], 64)
			stats = append(stats, stat{"p" + m[1], r, x})
		} else if strings.Contains(k, "mean") || strings.Contains(k, "avg") {
			stats = append(stats, stat{"mean", -1, x})
		}
	})
	sort.SliceStable(stats, func(i, j int) bool { return stats[i].rank < stats[j].rank })
	// The reports' latency percentiles are the DRAM model's.
	b := Bars{YLabel: "read latency (DRAM cycles)"}
	for i, s := range stats {
		if i == 0 || s.name != stats[i-1].name {
			b.Names, b.Values = append(b.Names, s.name), append(b.Values, s.v)
		}
	}
	return b
}

// flatten calls f with every number in v and its dotted path.
func flatten(v any, path string, f func(string, float64)) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			flatten(x[k], strings.TrimPrefix(path+"."+k, "."), f)
		}
	case float64:
		f(path, x)
	}
}
