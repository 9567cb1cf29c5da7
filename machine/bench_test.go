package machine

import (
	"io"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/vmemu/vmemu/cache/csim"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/traces"
)

// sliceReader replays records already in memory, so a benchmark can time
// the simulation alone.
type sliceReader struct {
	recs []traces.Record
	off  int
}

func (s *sliceReader) Read(buf []traces.Record) (int, error) {
	if s.off == len(s.recs) {
		return 0, io.EOF
	}
	n := copy(buf, s.recs[s.off:])
	s.off += n
	return n, nil
}
func (s *sliceReader) Format() string { return "memory" }
func (s *sliceReader) Close() error   { return nil }

var (
	loadOnce sync.Map // path -> []traces.Record
)

func loadRecords(b testing.TB, path string) []traces.Record {
	if v, ok := loadOnce.Load(path); ok {
		return v.([]traces.Record)
	}
	recs := readAll(b, path)
	loadOnce.Store(path, recs)
	return recs
}

func readAll(b testing.TB, path string) []traces.Record {
	r, err := traces.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	var out []traces.Record
	buf := make([]traces.Record, 4096)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

func countAll(b *testing.B, path string) int {
	r, err := traces.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	total := 0
	buf := make([]traces.Record, 4096)
	for {
		n, err := r.Read(buf)
		total += n
		if err == io.EOF {
			return total
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

func reportRate(b *testing.B, refs int) {
	b.ReportMetric(float64(refs)*float64(b.N)/b.Elapsed().Seconds(), "refs/s")
}

// configFor loads a preset or file and applies --set arguments to it.
func configFor(tb testing.TB, spec string, sets ...string) *config.Config {
	tb.Helper()
	cfg, err := config.Load(spec)
	if err != nil {
		tb.Fatal(err)
	}
	for _, s := range sets {
		if err := cfg.SetArg(s); err != nil {
			tb.Fatal(err)
		}
	}
	return cfg
}

func build(b testing.TB, preset string, sets ...string) *Machine {
	m, err := BuildFrom(preset, sets...)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkReadMatmul decompresses and parses the lackey trace, nothing
// else: the baseline the replay benchmarks are compared with.
func BenchmarkReadMatmul(b *testing.B) {
	path := refdata(b, "lackey/matmul.lackey.gz")
	n := 0
	for i := 0; i < b.N; i++ {
		n = countAll(b, path)
	}
	reportRate(b, n)
}

// BenchmarkRunMatmul is `emu run` on the default machine: read, decompress
// and parse on one core, simulate on another.
func BenchmarkRunMatmul(b *testing.B) {
	path := refdata(b, "lackey/matmul.lackey.gz")
	n := countAll(b, path)
	for i := 0; i < b.N; i++ {
		m := build(b, "default")
		r, err := traces.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		p := traces.Pipelined(r, 0)
		if _, err := m.Run(p, RunOptions{}); err != nil {
			b.Fatal(err)
		}
		p.Close()
	}
	reportRate(b, n)
}

// BenchmarkSimMatmul times the simulation alone (records in memory) on the
// default machine (L1I+L1D, L2, LLC, translation on), with translation off,
// on L1+L2 only, and with prefetchers (the L2 streamer, the L1D's IP-based
// stride prefetcher: issue 14's speed figure, at least 0.7 of default's
// rate).
func BenchmarkSimMatmul(b *testing.B) {
	recs := loadRecords(b, refdata(b, "lackey/matmul.lackey.gz"))
	for _, tc := range []struct {
		name string
		sets []string
	}{
		{"default", nil},
		{"translation-off", []string{"mmu.enabled=false"}},
		{"l1+l2", []string{"levels=l1i+l1d,l2", "mmu.enabled=false"}},
		{"l1+l2-inorder", []string{"levels=l1i+l1d,l2", "mmu.enabled=false", "core.model=inorder"}},
		{"prefetch", []string{"l2.prefetcher=stream", "l1d.prefetcher=ip-stride"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				m := build(b, "default", tc.sets...)
				if _, err := m.Run(&sliceReader{recs: recs}, RunOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			reportRate(b, len(recs))
		})
	}
}

// BenchmarkReadLong and BenchmarkCSimLong compare `emu csim` on the Cache
// Lab's long.trace with reading the trace alone. They run csim.Run, but stay
// here beside emu run's figures, whose trace-reading helpers they share.
func BenchmarkReadLong(b *testing.B) {
	path := refdata(b, "cachelab/traces/long.trace")
	n := 0
	for i := 0; i < b.N; i++ {
		n = countAll(b, path)
	}
	reportRate(b, n)
}

func BenchmarkCSimLong(b *testing.B) {
	path := refdata(b, "cachelab/traces/long.trace")
	n := countAll(b, path)
	for i := 0; i < b.N; i++ {
		tr, err := traces.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		r := traces.Pipelined(tr, 0)
		if _, err := csim.Run(r, 5, 1, 5, nil); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
	reportRate(b, n)
}

// BenchmarkTHPVsSmallPages compares a replay with transparent huge pages
// (os.thp: always: the first touches map 2 MiB pages) with the same replay
// on 4 KiB pages: a pointer chase of 300,000 loads over 256 MiB on the
// default machine. The two run by turns and each counts at its best run,
// so the ratio (thp-vs-4k) does not follow the machine's load; making the
// trace (its random cycle) is left out of the time.
func BenchmarkTHPVsSmallPages(b *testing.B) {
	const count = 300_000
	replay := func(mode string) time.Duration {
		m := build(b, "default", "os.thp="+mode)
		r, err := traces.Generate("chase", traces.GenParams{Size: 256 << 20, Count: count})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if _, err := m.Run(r, RunOptions{}); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	best := map[string]time.Duration{"never": time.Duration(math.MaxInt64), "always": time.Duration(math.MaxInt64)}
	for b.Loop() {
		for _, mode := range []string{"never", "always"} {
			best[mode] = min(best[mode], replay(mode))
		}
	}
	b.ReportMetric(count/best["always"].Seconds(), "thp-refs/s")
	b.ReportMetric(count/best["never"].Seconds(), "4k-refs/s")
	b.ReportMetric(best["never"].Seconds()/best["always"].Seconds(), "thp-vs-4k")
}
