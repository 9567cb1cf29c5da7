package sweep

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeTrace writes a Cache Lab trace of n loads and stores walking an
// array with the given stride, so traces differ in their miss rates.
func writeTrace(t testing.TB, path string, n int, stride uint64) {
	t.Helper()
	var b strings.Builder
	for i := 0; i < n; i++ {
		op := "L"
		if i%4 == 3 {
			op = "S"
		}
		fmt.Fprintf(&b, " %s %x,8\n", op, 0x10000+uint64(i)*stride%(1<<20))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// sweepDir makes a folder with two traces and a sweep file of the given
// text; it returns the sweep file's path.
func sweepDir(t testing.TB, text string) string {
	t.Helper()
	dir := t.TempDir()
	writeTrace(t, filepath.Join(dir, "a.trace"), 3000, 64)
	writeTrace(t, filepath.Join(dir, "b.trace"), 3000, 4160)
	path := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustLoad(t testing.TB, path string) *Sweep {
	t.Helper()
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// twelve is the sweep of the check: 2 parameters x 3 values x 2
// traces.
const twelve = `
base: default
params:
  l1d.ways: [6, 12]
  l2.size: {from: 256KiB, to: 1MiB, times: 2}
traces: ["*.trace"]
metrics: [cycles, amat, levels.l1d.miss_rate, levels.l2.misses, stats.l1d.load.misses]
output: out
`
