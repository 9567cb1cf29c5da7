package sweep

import (
	"fmt"
	"maps"
	"slices"
)

// Compare lists how two result folders of the same plan differ in what
// the runs measured: status, error and metrics (never wall time or host).
// Two runs of one sweep, on a laptop and on a cluster, must not differ.
func Compare(a, b *Table) []string {
	var diffs []string
	bs := map[string]Result{}
	for _, r := range b.Rows {
		bs[r.ID] = r
	}
	for _, ra := range a.Rows {
		rb, ok := bs[ra.ID]
		if !ok {
			diffs = append(diffs, ra.ID+": only in the first")
			continue
		}
		delete(bs, ra.ID)
		diffs = append(diffs, compareRows(ra, rb)...)
	}
	for _, r := range b.Rows {
		if _, ok := bs[r.ID]; ok {
			diffs = append(diffs, r.ID+": only in the second")
		}
	}
	return diffs
}

func compareRows(a, b Result) []string {
	var diffs []string
	if a.Status != b.Status || a.Error != b.Error {
		diffs = append(diffs, fmt.Sprintf("%s: %s %q, %s %q", a.ID, a.Status, a.Error, b.Status, b.Error))
	}
	if a.Provenance.ConfigHash != b.Provenance.ConfigHash || a.Provenance.TraceSHA256 != b.Provenance.TraceSHA256 {
		diffs = append(diffs, a.ID+": ran a different configuration or trace")
	}
	for _, k := range slices.Sorted(maps.Keys(a.Metrics)) {
		va := a.Metrics[k]
		if vb := b.Metrics[k]; string(va) != string(vb) {
			diffs = append(diffs, fmt.Sprintf("%s: %s: %s, %s", a.ID, k, va, vb))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(b.Metrics)) {
		if _, ok := a.Metrics[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: %s: only in the second", a.ID, k))
		}
	}
	return diffs
}
