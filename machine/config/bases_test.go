package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBaseChains: a base is read from the folder of the file that names
// it (not the current one); a cycle of bases, or a chain too deep, is an
// error that names the chain, found at once.
func TestBaseChains(t *testing.T) {
	dir := t.TempDir()
	chain := map[string]string{}
	for i := 1; i <= maxBaseDepth+1; i++ {
		chain[fmt.Sprintf("deep/%d.yaml", i)] = fmt.Sprintf("base: %d.yaml\nseed: %d\n", i+1, i)
	}
	chain[fmt.Sprintf("deep/%d.yaml", maxBaseDepth)] = "base: cachegrind\n"
	writeFiles(t, dir, chain)
	writeFiles(t, dir, map[string]string{
		"a.yaml":          "base: b.yaml\n",
		"b.yaml":          "seed: 3\nbase: a.yaml\n",
		"self.yaml":       "base: self.yaml\n",
		"dotted.yaml":     "base: ./sub/../dotted.yaml\n",
		"sub/c.yaml":      "base: ../d.yaml\nseed: 5\n",
		"d.yaml":          "base: sub/e.yaml\n",
		"sub/e.yaml":      "base: cachegrind\nseed: 7\n",
		"sub/loop.yaml":   "base: ../loop2.yaml\n",
		"loop2.yaml":      "base: sub/loop.yaml\n",
		"missing.yaml":    "base: nothere.yaml\n",
		"empty.yaml":      "base: \"\"\n",
		"null.yaml":       "seed: 1\nbase:\n",
		"deep/long.yaml":  "base: 1.yaml\n",
		"deep/short.yaml": fmt.Sprintf("base: %d.yaml\n", 2),
	})
	if err := os.Symlink(filepath.Join(dir, "linked.yaml"), filepath.Join(dir, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{"linked.yaml": "base: link.yaml\n"})
	at := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		spec, want string
	}{
		{"a.yaml", at("b.yaml") + ":2: base: the bases form a cycle: " + at("a.yaml") + " -> " + at("b.yaml") + " -> " + at("a.yaml")},
		{"self.yaml", at("self.yaml") + ":1: base: the bases form a cycle: " + at("self.yaml") + " -> " + at("self.yaml")},
		{"dotted.yaml", at("dotted.yaml") + ":1: base: the bases form a cycle: " + at("dotted.yaml") + " -> " + at("sub/../dotted.yaml")},
		{"sub/loop.yaml", at("loop2.yaml") + ":1: base: the bases form a cycle: " + at("sub/loop.yaml") + " -> " + at("loop2.yaml") + " -> " + at("sub/loop.yaml")},
		{"link.yaml", at("link.yaml") + ":1: base: the bases form a cycle: " + at("link.yaml") + " -> " + at("link.yaml")},
		{"missing.yaml", at("nothere.yaml") + ": neither a preset"},
		{"empty.yaml", at("empty.yaml") + ":1: base: empty; name a preset (cachegrind, cachelab, csapp-small, default, modern) or a file"},
		{"null.yaml", at("null.yaml") + ":2: base: empty; name a preset"},
		{"deep/long.yaml", at(fmt.Sprintf("deep/%d.yaml", maxBaseDepth-1)) + ":1: base: more than 16 files deep: " + at("deep/long.yaml") + " -> " + at("deep/1.yaml")},
	}
	t.Chdir(t.TempDir()) // none of the files is here
	for _, tc := range tests {
		_, err := Load(at(tc.spec))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: error %v\nwant one starting %q", tc.spec, err, tc.want)
		}
	}
	for _, tc := range []struct{ spec, seed, seedFrom string }{
		{"sub/c.yaml", "5", at("sub/c.yaml") + ":2"},
		{"d.yaml", "7", at("sub/e.yaml") + ":2"},
		{"deep/1.yaml", "1", at("deep/1.yaml") + ":2"}, // 16 files, then a preset
		{"deep/short.yaml", "2", at("deep/2.yaml") + ":2"},
	} {
		c, err := Load(at(tc.spec))
		if err != nil {
			t.Errorf("%s: %v", tc.spec, err)
			continue
		}
		if c.Get("seed") != tc.seed || c.Origin("seed") != tc.seedFrom || c.Get("access.modify") != "load" {
			t.Errorf("%s: seed %s from %s, access.modify %s; want seed %s from %s on cachegrind",
				tc.spec, c.Get("seed"), c.Origin("seed"), c.Get("access.modify"), tc.seed, tc.seedFrom)
		}
	}
}

// TestRepeatedKeys: a key given twice in one file is refused, naming both
// lines, however it is written; sweep files use the same check.
func TestRepeatedKeys(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, text, want string
	}{
		{"top", "seed: 1\nlevels: l1\nseed: 2\n", ":3: seed: given twice, on lines 1 and 3"},
		{"nested", "l2:\n  size: 1MiB\n  ways: 8\n  size: 2MiB\n", ":4: l2.size: given twice, on lines 2 and 4"},
		{"section", "l2:\n  size: 1MiB\nseed: 1\nl2:\n  ways: 4\n", ":4: l2: given twice, on lines 1 and 4"},
		{"dotted and nested", "l2:\n  size: 1MiB\nl2.size: 2MiB\n", ":3: l2.size: given twice, on lines 2 and 3"},
		{"base", "base: default\nbase: cachegrind\n", ":2: base: given twice, on lines 1 and 2"},
		{"json", "{\"seed\": 1,\n \"seed\": 1}", ":2: seed: given twice, on lines 1 and 2"},
		{"json nested", "{\"l2\": {\"ways\": 8,\n \"ways\": 4}}", ":2: l2.ways: given twice, on lines 1 and 2"},
		{"flow mapping", "l2: {size: 1MiB, size: 1MiB}\n", ":1: l2.size: given twice, on lines 1 and 1"},
	}
	for _, tc := range tests {
		path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".yaml")
		writeFiles(t, dir, map[string]string{filepath.Base(path): tc.text})
		_, err := Load(path)
		if err == nil || err.Error() != path+tc.want {
			t.Errorf("%s: error %v\nwant %q", tc.name, err, path+tc.want)
		}
	}
}

// TestReadFileBounded: a configuration named by a device is refused after
// MaxFileBytes, not read until memory runs out.
func TestReadFileBounded(t *testing.T) {
	_, err := Load("/dev/zero")
	if err == nil || err.Error() != "/dev/zero: larger than 16 MiB, more than any configuration or state file" {
		t.Errorf("Load(/dev/zero) = %v", err)
	}
}
