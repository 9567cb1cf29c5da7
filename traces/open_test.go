package traces

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

func compress(t testing.TB, kind string, text []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	var w io.WriteCloser
	var err error
	switch kind {
	case "plain":
		return text
	case "gzip":
		w = gzip.NewWriter(&b)
	case "zstd":
		w, err = zstd.NewWriter(&b)
	case "xz":
		w, err = xz.NewWriter(&b)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(text); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// withXZProgram runs f for kind, and for xz runs it both with the xz program
// (if installed) and with the Go decoder.
func withXZProgram(t *testing.T, kind string, f func(t *testing.T)) {
	if kind != "xz" {
		f(t)
		return
	}
	for _, use := range []bool{true, false} {
		name := "go-xz"
		if use {
			name = "xz-program"
			if _, err := exec.LookPath("xz"); err != nil {
				continue
			}
		}
		t.Run(name, func(t *testing.T) {
			defer func(old bool) { useXZProgram = old }(useXZProgram)
			useXZProgram = use
			f(t)
		})
	}
}

func TestOpenCompressed(t *testing.T) {
	text := synthetic(30000)
	want, werr := refParse(text)
	if werr != nil {
		t.Fatal(werr)
	}
	for _, kind := range []string{"plain", "gzip", "zstd", "xz"} {
		// The name says nothing: detection goes by content.
		path := writeFile(t, "trace.txt", compress(t, kind, text))
		t.Run(kind, func(t *testing.T) {
			withXZProgram(t, kind, func(t *testing.T) {
				r, err := Open(path)
				if err != nil {
					t.Fatal(err)
				}
				got, err := readAll(r, 4096)
				if err != nil {
					t.Fatal(err)
				}
				if err := r.Close(); err != nil {
					t.Error(err)
				}
				if diff := diffRecords(want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
				if r.Format() != "lackey" {
					t.Errorf("Format() = %q", r.Format())
				}
			})
		})
	}
}

// Half a compressed file gives the records of the first part, then says
// the stream is truncated, naming the file.
func TestTruncated(t *testing.T) {
	text := synthetic(50000)
	all, _ := refParse(text)
	for _, kind := range []string{"gzip", "zstd", "xz"} {
		data := compress(t, kind, text)
		for _, cut := range []int{len(data) / 2, len(data) - 1, 12} {
			path := writeFile(t, "t", data[:cut])
			t.Run(kind, func(t *testing.T) {
				withXZProgram(t, kind, func(t *testing.T) {
					var got []Record
					r, err := Open(path)
					if err == nil {
						got, err = readAll(r, 1000)
						r.Close()
					}
					want := path + ": truncated " + kind + " stream"
					if err == nil || err.Error() != want || !errors.Is(err, io.ErrUnexpectedEOF) {
						t.Fatalf("cut at %d of %d: error %v, want %s", cut, len(data), err, want)
					}
					if diff := diffRecords(all[:len(got)], got); diff != "" {
						t.Errorf("records before the error (-want +got):\n%s", diff)
					}
				})
			})
		}
	}
}

func TestCorrupt(t *testing.T) {
	text := synthetic(20000)
	for _, kind := range []string{"gzip", "zstd", "xz"} {
		data := bytes.Clone(compress(t, kind, text))
		for i := len(data) / 3; i < len(data)/3+64; i++ {
			data[i] ^= 0x55
		}
		path := writeFile(t, "t", data)
		t.Run(kind, func(t *testing.T) {
			withXZProgram(t, kind, func(t *testing.T) {
				r, err := Open(path)
				if err == nil {
					_, err = readAll(r, 1000)
					r.Close()
				}
				// The checksum comes at the end: before it, the
				// garbage may well be reported as a bad line.
				var e *Error
				if !errors.As(err, &e) || e.File != path {
					t.Errorf("error %v, want an *Error naming the file", err)
				}
			})
		})
	}
}

func TestOpenRefused(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, data, want string }{
		{"bz2", "BZh91AY&SY\x00\x00", "bzip2 compression is not supported; decompress it, or recompress with gzip, zstd or xz"},
		{"zip", "PK\x03\x04\x14\x00", "zip compression is not supported; decompress it, or recompress with gzip, zstd or xz"},
		{"elf", "\x7fELF\x02\x01\x01\x00\x00\x00\x00", "not a trace: binary data, and not ChampSim, ChampSim CloudSuite or native"},
		{"gz-of-binary", string(compress(t, "gzip", []byte("\x00\x01\x02"))),
			"not a trace: binary data, and not ChampSim, ChampSim CloudSuite or native, after gzip decompression"},
		{"gz-header-only", "\x1f\x8b\x08", "truncated gzip stream"},
		{"zstd-magic-cut", "\x28\xb5\x2f", "truncated zstd stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			os.WriteFile(path, []byte(tt.data), 0o644)
			r, err := Open(path)
			if err == nil {
				r.Close()
			}
			if err == nil || err.Error() != path+": "+tt.want {
				t.Errorf("error\n got %v\nwant %s: %s", err, path, tt.want)
			}
		})
	}
	if _, err := Open(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestEmptyFiles(t *testing.T) {
	for _, kind := range []string{"plain", "gzip", "zstd", "xz"} {
		path := writeFile(t, "empty", compress(t, kind, nil))
		r, err := Open(path)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		got, err := readAll(r, 10)
		r.Close()
		if err != nil || len(got) != 0 {
			t.Errorf("%s: %d records, %v", kind, len(got), err)
		}
	}
}

// A stream (a pipe, standard input) reads like a file; xz then goes through
// a copy into the xz program's standard input.
func TestNewReaderStream(t *testing.T) {
	text := synthetic(5000)
	want, _ := refParse(text)
	for _, kind := range []string{"gzip", "xz"} {
		data := compress(t, kind, text)
		withXZProgram(t, kind, func(t *testing.T) {
			pr, pw := io.Pipe()
			go func() { pw.CloseWithError(iotestWriteSlowly(pw, data)) }()
			r, err := NewReader("stdin", pr)
			if err != nil {
				t.Fatal(err)
			}
			got, err := readAll(r, 100)
			r.Close()
			if err != nil {
				t.Fatal(err)
			}
			if diff := diffRecords(want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", kind, diff)
			}
		})
	}
}

func iotestWriteSlowly(w io.Writer, data []byte) error {
	for len(data) > 0 {
		n := min(len(data), 1000)
		if _, err := w.Write(data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// Closing before the end stops the xz program and leaves nothing behind.
func TestCloseEarly(t *testing.T) {
	text := synthetic(100000)
	for _, kind := range []string{"plain", "gzip", "zstd", "xz"} {
		path := writeFile(t, "t", compress(t, kind, text))
		withXZProgram(t, kind, func(t *testing.T) {
			r, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if n, err := r.Read(make([]Record, 10)); n != 10 || err != nil {
				t.Fatal(n, err)
			}
			if err := r.Close(); err != nil {
				t.Errorf("%s: Close: %v", kind, err)
			}
			if err := r.Close(); err != nil {
				t.Errorf("%s: second Close: %v", kind, err)
			}
		})
	}
}

// The reference traces of the project, with counts from `sort | uniq -c`.
func TestRefTraces(t *testing.T) {
	tests := []struct {
		path   string
		format string
		counts [4]int // I, L, S, M
		first  Record
	}{
		{matmulGz, "lackey", [4]int{2119128, 554135, 23797, 1484}, Record{Addr: 0x401ab70, Size: 3, Op: Fetch}},
		{longTrace, "cachelab", [4]int{0, 230025, 18987, 18976}, Record{Addr: 0x602264, Size: 1, Op: Store}},
		{refDir + "trans.trace", "lackey", [4]int{378, 156, 42, 20}, Record{Addr: 0x600aa0, Size: 1, Op: Store}},
		{refDir + "dave.trace", "cachelab", [4]int{0, 2, 3, 0}, Record{Addr: 0x10, Size: 4, Op: Load}},
		{refDir + "yi.trace", "cachelab", [4]int{0, 4, 1, 2}, Record{Addr: 0x10, Size: 1, Op: Load}},
		{refDir + "yi2.trace", "cachelab", [4]int{0, 9, 6, 1}, Record{Addr: 0x0, Size: 1, Op: Load}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			need(t, tt.path)
			r, err := Open(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			recs, err := readAll(r, 4096)
			if err != nil {
				t.Fatal(err)
			}
			var counts [4]int
			for _, rec := range recs {
				counts[rec.Op]++
			}
			if counts != tt.counts || recs[0] != tt.first || r.Format() != tt.format {
				t.Errorf("counts %v, first %v, format %s; want %v, %v, %s",
					counts, recs[0], r.Format(), tt.counts, tt.first, tt.format)
			}
		})
	}
}
