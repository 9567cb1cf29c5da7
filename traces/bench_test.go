package traces

import (
	"bytes"
	stdgzip "compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// The reference traces, in testdata/refdata at the top of the repository (a
// copy of ../shared/refdata), or VMEMU_REFDATA; tests and benchmarks that
// need them fail without.
var (
	matmulGz  = refPath("lackey/matmul.lackey.gz")
	refDir    = refPath("cachelab/traces") + string(filepath.Separator)
	longTrace = refDir + "long.trace"
)

func refPath(rel string) string {
	dir := os.Getenv("VMEMU_REFDATA")
	if dir == "" {
		dir = filepath.Join("..", "testdata", "refdata")
	}
	return filepath.Join(dir, rel)
}

func need(tb testing.TB, path string) {
	tb.Helper()
	if _, err := os.Stat(path); err != nil {
		tb.Fatalf("reference data missing: %v (set VMEMU_REFDATA to the refdata folder)", err)
	}
}

// benchOpen reads whole traces the way the simulator does, in batches, and
// reports records per second.
func benchOpen(b *testing.B, open func() (Reader, error)) {
	buf := make([]Record, 4096)
	total := 0
	b.ReportAllocs()
	for b.Loop() {
		r, err := open()
		if err != nil {
			b.Fatal(err)
		}
		for {
			n, err := r.Read(buf)
			total += n
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		r.Close()
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(total), "ns/record")
}

func openPath(path string, pipelined bool) func() (Reader, error) {
	return func() (Reader, error) {
		r, err := Open(path)
		if err != nil || !pipelined {
			return r, err
		}
		return Pipelined(r, 0), nil
	}
}

func BenchmarkReadLackeyGz(b *testing.B) {
	need(b, matmulGz)
	benchOpen(b, openPath(matmulGz, false))
}

func BenchmarkReadLackeyGzPipelined(b *testing.B) {
	need(b, matmulGz)
	benchOpen(b, openPath(matmulGz, true))
}

// BenchmarkReadLackeyGzStdlib is the same file through compress/gzip, to
// see what klauspost/compress buys.
func BenchmarkReadLackeyGzStdlib(b *testing.B) {
	need(b, matmulGz)
	benchOpen(b, func() (Reader, error) {
		f, err := os.Open(matmulGz)
		if err != nil {
			return nil, err
		}
		z, err := stdgzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		return NewReader(matmulGz, z)
	})
}

func BenchmarkReadLackeyZstd(b *testing.B) {
	need(b, matmulGz)
	var z bytes.Buffer
	w, _ := zstd.NewWriter(&z)
	w.Write(gunzipFile(b, matmulGz))
	w.Close()
	path := filepath.Join(b.TempDir(), "matmul.zst")
	os.WriteFile(path, z.Bytes(), 0o644)
	benchOpen(b, openPath(path, false))
}

func BenchmarkReadLackeyXz(b *testing.B) {
	need(b, matmulGz)
	path := filepath.Join(b.TempDir(), "matmul")
	os.WriteFile(path, gunzipFile(b, matmulGz), 0o644)
	if err := exec.Command("xz", "-T1", path).Run(); err != nil {
		b.Skip("no xz program to make the file: ", err)
	}
	for _, program := range []bool{true, false} {
		name := map[bool]string{true: "program", false: "go"}[program]
		b.Run(name, func(b *testing.B) {
			defer func(old bool) { useXZProgram = old }(useXZProgram)
			useXZProgram = program
			benchOpen(b, openPath(path+".xz", false))
		})
	}
}

// BenchmarkParseLackey measures the parser alone, on text in memory.
func BenchmarkParseLackey(b *testing.B) {
	need(b, matmulGz)
	text := gunzipFile(b, matmulGz)
	b.SetBytes(int64(len(text)))
	benchOpen(b, func() (Reader, error) { return NewReader("matmul", bytes.NewReader(text)) })
}

func BenchmarkReadPlain(b *testing.B) {
	need(b, longTrace)
	benchOpen(b, openPath(longTrace, false))
}

func BenchmarkReadPlainPipelined(b *testing.B) {
	need(b, longTrace)
	benchOpen(b, openPath(longTrace, true))
}

func gunzipFile(tb testing.TB, path string) []byte {
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	z, err := stdgzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	text, err := io.ReadAll(z)
	if err != nil {
		tb.Fatal(err)
	}
	return text
}

// simulate stands in for the simulator: about 25 ns of work per record,
// which Pipelined should overlap with decompression and parsing.
func simulate(recs []Record) uint64 {
	var h uint64
	for _, r := range recs {
		x := r.Addr ^ h
		for range 20 {
			x = x*0x9e3779b97f4a7c15 + 1
		}
		h ^= x
	}
	return h
}

var sink uint64

func benchWork(b *testing.B, pipelined bool) {
	need(b, matmulGz)
	buf := make([]Record, 4096)
	total := 0
	for b.Loop() {
		r, _ := openPath(matmulGz, pipelined)()
		for {
			n, err := r.Read(buf)
			sink += simulate(buf[:n])
			total += n
			if err != nil {
				break
			}
		}
		r.Close()
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(total), "ns/record")
}

// BenchmarkGzWithWork and BenchmarkGzWithWorkPipelined show the overlap:
// direct, the costs add up; pipelined, the slower side sets the pace (given
// a second core that is free).
func BenchmarkGzWithWork(b *testing.B)          { benchWork(b, false) }
func BenchmarkGzWithWorkPipelined(b *testing.B) { benchWork(b, true) }
