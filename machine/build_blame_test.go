package machine

import (
	"path/filepath"
	"testing"
)

// TestBuildErrorNamesTheKeySet: a geometry whose keys disagree (a cache's
// size, ways and line; a TLB's entries and ways; the page table's widths)
// is blamed on the key set last, where the user set it, not on the
// preset's line of another key.
func TestBuildErrorNamesTheKeySet(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "g.yaml")
	writeTestFile(t, file, "l2:\n  ways: 16\n  size: 1000KiB\n")
	tests := []struct {
		spec string
		sets []string
		want string
	}{
		{"default", []string{"l2.ways=7"}, "--set l2.ways=7: l2.ways: size 2097152 B is not a multiple of ways x line (7 x 64 B)"},
		{"default", []string{"l2.size=1000KiB"}, "--set l2.size=1000KiB: l2.size: 1000 sets (size / (ways x line)) is not a power of two"},
		{"default", []string{"l2.line=32"}, "--set l2.line=32: l2.line: line size 32 B is smaller than l1i's 64 B above it"},
		{"default", []string{"l1d.line=128"}, "--set l1d.line=128: l1d.line: line size 64 B is smaller than l1d's 128 B above it"},
		{"default", []string{"l2.ways=128", "l2.replacement=plru"}, "--set l2.replacement=plru: l2.replacement: tree-PLRU supports at most 64 ways, not 128"},
		{"default", []string{"dtlb.ways=7"}, "--set dtlb.ways=7: dtlb.ways: entries: 96 is not a multiple of ways (7)"},
		{"default", []string{"dtlb.entries=100"}, "--set dtlb.entries=100: dtlb.entries: entries: 100 is not a multiple of ways (6)"},
		{"default", []string{"mmu.level_bits=8"}, "--set mmu.level_bits=8: mmu.level_bits: the page table does not add up: mmu.levels (4) x mmu.level_bits (8) + log2 mmu.page (12) = 44, not mmu.va_bits (48)"},
		{"default", []string{"mmu.va_bits=40"}, "--set mmu.va_bits=40: mmu.va_bits: the page table does not add up: mmu.levels (4) x mmu.level_bits (9) + log2 mmu.page (12) = 48, not mmu.va_bits (40)"},
		{file, nil, file + ":3: l2.size: 1000 sets (size / (ways x line)) is not a power of two"},
	}
	for _, tc := range tests {
		cfg := configFor(t, tc.spec, tc.sets...)
		_, err := Build(cfg)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s %v: error %v\nwant %q", tc.spec, tc.sets, err, tc.want)
		}
	}
}
