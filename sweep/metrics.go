package sweep

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// decodeReport turns a report into plain JSON values, numbers kept as
// written so a 64-bit count survives exactly.
func decodeReport(rep any) (any, error) {
	b, err := json.Marshal(rep)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc any
	err = dec.Decode(&doc)
	return doc, err
}

// Lookup resolves a metric path such as "levels.l1d.miss_rate" in a
// decoded report. A step into a list takes an index ("kinds.0") or the
// element whose name, level or kind is that step ("levels.l1d"), so a path
// reads the same whatever the order of the list. Fields added to the
// report later need no change here. "stats.NAME" reads one counter of the
// machine's registry (the report's stats, whose names hold dots).
func Lookup(doc any, path string) (any, error) {
	if name, ok := strings.CutPrefix(path, "stats."); ok {
		stats, err := lookupStep(doc, "stats")
		if err != nil {
			return nil, fmt.Errorf("stats: %v (a report of an emu before the registry)", err)
		}
		v, err := lookupStep(stats, name)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		return v, nil
	}
	cur := doc
	steps := strings.Split(path, ".")
	for i, step := range steps {
		next, err := lookupStep(cur, step)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", strings.Join(steps[:i+1], "."), err)
		}
		cur = next
	}
	return cur, nil
}

func lookupStep(cur any, step string) (any, error) {
	switch v := cur.(type) {
	case map[string]any:
		if x, ok := v[step]; ok {
			return x, nil
		}
		return nil, missing(step, mapKeys(v))
	case []any:
		if i, err := strconv.Atoi(step); err == nil && i >= 0 && i < len(v) {
			return v[i], nil
		}
		var names []string
		for _, e := range v {
			if n := elementName(e); n == step {
				return e, nil
			} else if n != "" {
				names = append(names, n)
			}
		}
		return nil, missing(step, names)
	}
	return nil, fmt.Errorf("%q: the value above is a single value", step)
}

// elementName is what names a list element: its name, level or kind.
func elementName(e any) string {
	m, ok := e.(map[string]any)
	if !ok {
		return ""
	}
	for _, k := range []string{"name", "level", "kind"} {
		if s, ok := m[k].(string); ok {
			return s
		}
	}
	return ""
}

func missing(step string, have []string) error {
	msg := fmt.Sprintf("no %q", step)
	if near := Nearest(step, have); near != "" {
		msg += "; did you mean " + near + "?"
	}
	if len(have) > 0 && len(have) <= 12 {
		msg += " (there are " + strings.Join(have, ", ") + ")"
	}
	return fmt.Errorf("%s", msg)
}

func mapKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// pickMetrics keeps the named paths of a report, as exact JSON. A path the
// report lacks is kept as null (a level or a model may exist only in some
// points) and explained in missing.
func pickMetrics(rep any, paths []string) (metrics map[string]json.RawMessage, missing []string, err error) {
	doc, err := decodeReport(rep)
	if err != nil {
		return nil, nil, err
	}
	metrics = make(map[string]json.RawMessage, len(paths))
	for _, p := range paths {
		v, err := Lookup(doc, p)
		if err != nil {
			metrics[p] = json.RawMessage("null")
			missing = append(missing, err.Error())
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, nil, err
		}
		metrics[p] = b
	}
	return metrics, missing, nil
}
