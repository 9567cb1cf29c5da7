package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A key the user set that has no effect under the rest of the
// configuration is named, with the key that makes it so; a preset's own
// values, and keys a named part or geometry set, are not.
func TestInert(t *testing.T) {
	tests := []struct {
		preset string
		sets   []string
		want   []string
	}{
		{"default", []string{"memory.latency=300"},
			[]string{"--set memory.latency=300: memory.latency has no effect with memory.model: dram (preset default:23); it applies with memory.model: fixed"}},
		{"default", []string{"memory.model=fixed", "memory.latency=300"}, nil},
		{"default", []string{"memory.model=fixed"}, nil}, // the preset's dram keys are its own
		{"default", []string{"memory.model=fixed", "dram.preset=ddr4-2400"},
			[]string{"--set dram.preset=ddr4-2400: dram.preset has no effect with memory.model: fixed (--set memory.model=fixed); it applies with memory.model: dram"}},
		{"cachegrind", []string{"dram.timing.tRCD=20"},
			[]string{"--set dram.timing.tRCD=20: dram.timing.tRCD has no effect with memory.model: fixed (preset cachegrind:35); it applies with memory.model: dram"}},
		{"cachelab", []string{"dtlb.entries=64", "os.memory=1GiB", "disk.model=hdd-7200"}, []string{
			"--set os.memory=1GiB: os.memory has no effect with mmu.enabled: false (preset cachelab:7); it applies with mmu.enabled: true",
			"--set disk.model=hdd-7200: disk.model has no effect with mmu.enabled: false (preset cachelab:7); it applies with mmu.enabled: true",
			"--set dtlb.entries=64: dtlb.entries has no effect with mmu.enabled: false (preset cachelab:7); it applies with mmu.enabled: true"}},
		{"default", []string{"stlb.entries=0", "stlb.ways=4"},
			[]string{"--set stlb.ways=4: stlb.ways has no effect with stlb.entries: 0 (--set stlb.entries=0); it applies with stlb.entries above 0"}},
		{"default", []string{"core.model=inorder", "core.rob=64"},
			[]string{"--set core.rob=64: core.rob has no effect with core.model: inorder (--set core.model=inorder); it applies with core.model: ooo"}},
		{"default", []string{"disk.model=none", "disk.swap=0"},
			[]string{"--set disk.swap=0: disk.swap has no effect with disk.model: none (--set disk.model=none); it applies with a disk (disk.model other than none)"}},
		{"default", []string{"access.fetch=ignore", "l1i.size=64KiB", "l1d.size=64KiB"},
			[]string{"--set l1i.size=64KiB: l1i.size has no effect with access.fetch: ignore (--set access.fetch=ignore); it applies with access.fetch: simulate"}},
		{"default", []string{"l2.prefetch_degree=4", "stlb.prefetch_buffer=32"}, []string{
			"--set stlb.prefetch_buffer=32: stlb.prefetch_buffer has no effect with stlb.prefetcher: none (preset default:179); it applies with stlb.prefetcher other than none",
			"--set l2.prefetch_degree=4: l2.prefetch_degree has no effect with l2.prefetcher: none (level default); it applies with l2.prefetcher other than none"}},
		{"modern", []string{"l2.prefetch_degree=4"}, nil},
		{"modern", []string{"mmu.enabled=false", "l1d.prefetch_walk=true"}, []string{
			"--set l1d.prefetch_walk=true: l1d.prefetch_walk has no effect with mmu.enabled: false (--set mmu.enabled=false); it applies with mmu.enabled: true (a prefetch walks only for a virtual address)"}},
		{"cachelab", []string{"l1.replacement=random"},
			[]string{"--set l1.replacement=random: l1.replacement has no effect with l1.ways: 1 (preset cachelab:21); it applies with l1.ways above 1 (direct-mapped: no choice of victim)"}},
		{"cachegrind", []string{"d1.write_allocate=false"},
			[]string{"--set d1.write_allocate=false: d1.write_allocate has no effect with d1.write_policy: as-read (preset cachegrind:27); it applies with d1.write_policy: write-back or write-through"}},
		{"default", []string{"mmu.paging=x86-64-5level", "l2.size=1MiB"}, nil}, // geometry keys follow mmu.paging
	}
	for _, tc := range tests {
		t.Run(tc.preset+" "+strings.Join(tc.sets, " "), func(t *testing.T) {
			c, err := Load(tc.preset)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.sets {
				if err := c.SetArg(s); err != nil {
					t.Fatal(err)
				}
			}
			var got []string
			for _, in := range c.Inert() {
				got = append(got, in.String())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// Keys set in a file are the user's too; a file's base preset's are not.
func TestInertFromFile(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"m.yaml": "base: default\nl2:\n  size: 1MiB\nmemory:\n  latency: 300\n"})
	path := dir + "/m.yaml"
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got := c.Inert()
	if len(got) != 1 || got[0].Key != "memory.latency" || got[0].Where != path+":5" {
		t.Errorf("%+v", got)
	}
}
