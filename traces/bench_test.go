package traces

import (
	"bytes"
	stdgzip "compress/gzip"
	"io"
	"os"
	"testing"
)

const (
	matmulGz  = "/work/shared/refdata/lackey/matmul.lackey.gz"
	refDir    = "/work/shared/refdata/cachelab/traces/"
	longTrace = refDir + "long.trace"
)

// drain reads r to the end the way the simulator does, in batches.
func drain(b *testing.B, r Reader, buf []Record) int {
	n := 0
	for {
		m, err := r.Read(buf)
		n += m
		if err == io.EOF {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

func benchOpen(b *testing.B, open func() (Reader, error)) {
	buf := make([]Record, 4096)
	total := 0
	b.ReportAllocs()
	for b.Loop() {
		r, err := open()
		if err != nil {
			b.Fatal(err)
		}
		total += drain(b, r, buf)
		r.Close()
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(total), "ns/record")
}

func need(b *testing.B, path string) {
	if _, err := os.Stat(path); err != nil {
		b.Skip(err)
	}
}

func BenchmarkReadLackeyGz(b *testing.B) {
	need(b, matmulGz)
	benchOpen(b, func() (Reader, error) { return Open(matmulGz) })
}

func BenchmarkReadLackeyGzPipelined(b *testing.B) {
	need(b, matmulGz)
	benchOpen(b, func() (Reader, error) {
		r, err := Open(matmulGz)
		if err != nil {
			return nil, err
		}
		return Pipelined(r, 0), nil
	})
}

// BenchmarkReadLackeyGzStdlib is the same file through compress/gzip, to
// keep an eye on what klauspost/compress buys.
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

// BenchmarkParseLackey measures the parser alone: the decompressed text is
// in memory.
func BenchmarkParseLackey(b *testing.B) {
	need(b, matmulGz)
	text := gunzipFile(b, matmulGz)
	b.SetBytes(int64(len(text)))
	benchOpen(b, func() (Reader, error) { return NewReader("matmul", bytes.NewReader(text)) })
}

func BenchmarkReadPlain(b *testing.B) {
	need(b, longTrace)
	benchOpen(b, func() (Reader, error) { return Open(longTrace) })
}

func BenchmarkReadPlainPipelined(b *testing.B) {
	need(b, longTrace)
	benchOpen(b, func() (Reader, error) {
		r, err := Open(longTrace)
		if err != nil {
			return nil, err
		}
		return Pipelined(r, 0), nil
	})
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
