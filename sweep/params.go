package sweep

import (
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/vmemu/vmemu/machine/config"
	"go.yaml.in/yaml/v3"
)

// maxValues bounds one range, so a typo in a step cannot plan a billion
// points; MaxPoints bounds the plan, the product of every list and range
// with the traces and seeds, for the same reason: three ranges of 10,000
// values each are within the first bound and plan 10^12 points.
const (
	maxValues = 100000
	MaxPoints = 100000
)

// checkPoints refuses a plan of more than MaxPoints points before any is
// made; the product is checked arithmetic, as it may pass 2^64.
func (r *reader) checkPoints(s *Sweep) error {
	n, factors, overflow := uint64(len(s.Traces)), []string{plural(len(s.Traces), "trace")}, false
	mul := func(k int) {
		hi, lo := bits.Mul64(n, uint64(k))
		n, overflow = lo, overflow || hi != 0
	}
	for _, p := range s.Params {
		mul(len(p.Values))
		factors = append(factors, plural(len(p.Values), p.Key+" value"))
	}
	if len(s.Seeds) > 0 {
		mul(len(s.Seeds))
		factors = append(factors, plural(len(s.Seeds), "seed"))
	}
	if !overflow && n <= MaxPoints {
		return nil
	}
	count := strconv.FormatUint(n, 10)
	if overflow {
		count = "more than 2^64"
	}
	return &Error{File: r.file, Line: r.paramsLine, Field: "params",
		Msg: fmt.Sprintf("the plan has %s points (%s); at most %d: split the sweep", count, strings.Join(factors, " x "), MaxPoints)}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// params reads the params mapping: each key takes one value, a list, or a
// range.
func (r *reader) params(v *yaml.Node) ([]Param, error) {
	if v.Kind != yaml.MappingNode {
		return nil, r.err(v, "params", "expected a mapping of keys to values, lists or ranges")
	}
	if first, again := config.RepeatedKey(v); again != nil {
		return nil, r.err(again, again.Value, "%s", config.GivenTwice(first.Line, again.Line))
	}
	var out []Param
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		vals, err := r.values(k.Value, val)
		if err != nil {
			return nil, err
		}
		out = append(out, Param{Key: k.Value, Values: vals})
		r.lines = append(r.lines, lineOf(val, len(vals)))
	}
	return out, nil
}

// lineOf gives each value the line it was written on (a range's values
// all have the range's line).
func lineOf(v *yaml.Node, n int) []int {
	lines := make([]int, n)
	for i := range lines {
		lines[i] = v.Line
		if v.Kind == yaml.SequenceNode && i < len(v.Content) {
			lines[i] = v.Content[i].Line
		}
	}
	return lines
}

func (r *reader) values(key string, v *yaml.Node) ([]string, error) {
	if v.Kind == yaml.MappingNode {
		return r.rangeValues(key, v)
	}
	return r.strings(v, key)
}

// rangeValues expands {from, to, step} (arithmetic) or {from, to, times}
// (geometric). Sizes stay sizes: {from: 256KiB, to: 4MiB, times: 2}.
func (r *reader) rangeValues(key string, v *yaml.Node) ([]string, error) {
	if first, again := config.RepeatedKey(v); again != nil {
		return nil, r.err(again, key, "%s: %s", again.Value, config.GivenTwice(first.Line, again.Line))
	}
	f := map[string]*yaml.Node{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		name := v.Content[i].Value
		if name != "from" && name != "to" && name != "step" && name != "times" {
			return nil, r.err(v.Content[i], key, "%q is not part of a range (from, to, and step or times)", name)
		}
		f[name] = v.Content[i+1]
	}
	if f["from"] == nil || f["to"] == nil || (f["step"] == nil) == (f["times"] == nil) {
		return nil, r.err(v, key, "a range has from, to, and either step or times")
	}
	from, sized1, err := r.amount(f["from"], key)
	if err != nil {
		return nil, err
	}
	to, sized2, err := r.amount(f["to"], key)
	if err != nil {
		return nil, err
	}
	if to < from {
		return nil, r.err(v, key, "the range ends (to) before it starts (from)")
	}
	ns, err := r.expand(key, f, from, to)
	if err != nil {
		return nil, err
	}
	return formatValues(ns, sized1 || sized2), nil
}

// expand lists from, from+step, ... or from, from*times, ... up to to.
func (r *reader) expand(key string, f map[string]*yaml.Node, from, to uint64) ([]uint64, error) {
	var next func(n uint64) (uint64, bool)
	if s := f["step"]; s != nil {
		step, _, err := r.amount(s, key)
		if err != nil || step == 0 {
			return nil, r.err(s, key, "step must be a positive number")
		}
		next = func(n uint64) (uint64, bool) { return n + step, n+step > n }
	} else {
		t, _, err := r.amount(f["times"], key)
		if err != nil || t < 2 {
			return nil, r.err(f["times"], key, "times must be a whole number of at least 2")
		}
		next = func(n uint64) (uint64, bool) { return n * t, n != 0 && n*t/t == n }
	}
	var ns []uint64
	for n, ok := from, true; ok && n <= to; n, ok = next(n) {
		if len(ns) == maxValues {
			return nil, r.err(f["from"], key, "the range has more than %d values", maxValues)
		}
		ns = append(ns, n)
	}
	return ns, nil
}

func (r *reader) amount(v *yaml.Node, field string) (uint64, bool, error) {
	s, err := r.scalar(v, field)
	if err != nil {
		return 0, false, err
	}
	n, sized, err := parseAmount(s)
	if err != nil {
		return 0, false, r.err(v, field, "%v", err)
	}
	return n, sized, nil
}

func formatValues(ns []uint64, sized bool) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		if sized {
			out[i] = formatSize(n)
		} else {
			out[i] = strconv.FormatUint(n, 10)
		}
	}
	return out
}

// seeds reads a list of seeds or a range of them.
func (r *reader) seeds(v *yaml.Node) ([]uint64, error) {
	vals, err := r.values("seeds", v)
	if err != nil {
		return nil, err
	}
	out := make([]uint64, len(vals))
	for i, s := range vals {
		if out[i], err = strconv.ParseUint(s, 10, 63); err != nil {
			return nil, r.err(v, "seeds", "%q is not a seed (a whole number below 2^63)", s)
		}
	}
	return out, nil
}

// traces expands each entry: a file, or a glob that must match something.
// Relative entries stay relative to dir, so a sweep folder can move.
func (r *reader) traces(dir string, v *yaml.Node) ([]string, error) {
	entries, err := r.strings(v, "traces")
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	for i, e := range entries {
		n := v
		if v.Kind == yaml.SequenceNode {
			n = v.Content[i]
		}
		paths, err := expandTrace(dir, e)
		if err != nil {
			return nil, r.err(n, "traces", "%v", err)
		}
		for _, p := range paths {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out, nil
}

func expandTrace(dir, entry string) ([]string, error) {
	full := entry
	if !filepath.IsAbs(entry) {
		full = filepath.Join(dir, entry)
	}
	if !strings.ContainsAny(entry, "*?[") {
		st, err := os.Stat(full)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", entry, unwrapPath(err))
		}
		if st.IsDir() {
			return nil, fmt.Errorf("%s is a folder; name its files, e.g. %s", entry, filepath.Join(entry, "*"))
		}
		return []string{relTo(dir, entry, full)}, nil
	}
	matches, err := filepath.Glob(full)
	if err != nil {
		return nil, fmt.Errorf("%q: %v", entry, err)
	}
	var out []string
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil && !st.IsDir() {
			out = append(out, relTo(dir, entry, m))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%q matches no file", entry)
	}
	return out, nil
}

// relTo keeps a path relative to dir when it was written relative.
func relTo(dir, entry, full string) string {
	if filepath.IsAbs(entry) {
		return full
	}
	if rel, err := filepath.Rel(dir, full); err == nil {
		return rel
	}
	return full
}

// Nearest returns the candidate closest to name, if close enough to be a
// likely misspelling.
func Nearest(name string, candidates []string) string { return config.Nearest(name, candidates) }
