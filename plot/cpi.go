package plot

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// readJSON decodes a file into plain values.
func readJSON(path string) (any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return v, nil
}

// component is one layer of a CPI stack as a report gives it.
type component struct {
	name   string
	cycles float64
}

// stackOf finds a report's CPI stack: cpi_stack, or breakdown in older
// reports; each element is {name or level, cycles}.
func stackOf(path string, rep map[string]any) ([]component, error) {
	list := rep["cpi_stack"]
	if list == nil {
		list = rep["breakdown"]
	}
	items, ok := list.([]any)
	if !ok || len(items) == 0 {
		return nil, fmt.Errorf("%s: no cpi_stack or breakdown (is it a report of emu run --json?)", path)
	}
	var out []component
	for i, it := range items {
		m, _ := it.(map[string]any)
		name, ok1 := m["name"].(string)
		if !ok1 {
			name, ok1 = m["level"].(string)
		}
		cycles, ok2 := m["cycles"].(float64)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%s: element %d of the CPI stack lacks a name (or level) or cycles", path, i)
		}
		if msg := checkValue(cycles); msg != "" {
			return nil, fmt.Errorf("%s: element %d of the CPI stack: cycles %g %s", path, i, cycles, msg)
		}
		out = append(out, component{name, cycles})
	}
	return out, nil
}

// CPIChart stacks each report's cycles by where they went, one bar per
// report: per instruction when every report counts instructions, else in
// cycles.
func CPIChart(paths []string) (Stacks, error) {
	var stacks [][]component
	var labels []string
	perInstr := true
	var instrs []float64
	for _, path := range paths {
		v, err := readJSON(path)
		if err != nil {
			return Stacks{}, err
		}
		rep, ok := v.(map[string]any)
		if !ok {
			return Stacks{}, fmt.Errorf("%s: not a report (a JSON object)", path)
		}
		st, err := stackOf(path, rep)
		if err != nil {
			return Stacks{}, err
		}
		n, _ := rep["instructions"].(float64)
		perInstr = perInstr && n > 0
		stacks, instrs, labels = append(stacks, st), append(instrs, n), append(labels, reportLabel(path, rep))
	}
	s := Stacks{Title: "where the cycles went", YLabel: "core cycles", Bars: uniqueLabels(labels, paths)}
	if perInstr {
		s.YLabel = "core cycles per instruction (CPI)"
	}
	s.Parts = layers(stacks, instrs, perInstr)
	return s, nil
}

// layers turns per-report stacks into one part per component name, in
// the order they first appear.
func layers(stacks [][]component, instrs []float64, perInstr bool) []Part {
	var parts []Part
	index := map[string]int{}
	for b, st := range stacks {
		for _, c := range st {
			i, ok := index[c.name]
			if !ok {
				i, index[c.name] = len(parts), len(parts)
				parts = append(parts, Part{Name: c.name, Values: make([]float64, len(stacks))})
			}
			v := c.cycles
			if perInstr {
				v /= instrs[b]
			}
			parts[i].Values[b] += v
		}
	}
	return parts
}

func reportLabel(path string, rep map[string]any) string {
	if tr, ok := rep["trace"].(map[string]any); ok {
		if p, ok := tr["path"].(string); ok && p != "" {
			return filepath.Base(p)
		}
	}
	return filepath.Base(path)
}

// uniqueLabels falls back to the file names when two bars would share a
// label.
func uniqueLabels(labels, paths []string) []string {
	for i, l := range labels {
		if slices.Index(labels, l) != i {
			out := make([]string, len(paths))
			for j, p := range paths {
				out[j] = filepath.Base(p)
			}
			return out
		}
	}
	return labels
}
