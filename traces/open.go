package traces

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Open opens a trace file, or standard input for "-". Compression (gzip,
// zstd, xz) is recognised from the first bytes, and the format from the
// content, by the registered formats (Register): a native trace by its magic
// bytes, a ChampSim trace by its records (or its name, see doc.go), text
// formats by their lines.
func Open(path string) (Reader, error) {
	if path == "-" {
		return NewReader(StdinName, os.Stdin)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *os.PathError already names the file
	}
	head, err := readHead(path, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	// Rewinding lets an xz child process read the file descriptor itself;
	// pipes and FIFOs cannot rewind, so they get the head stitched back on.
	var src io.Reader = f
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		src = io.MultiReader(bytes.NewReader(head), f)
	}
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	r, err := open(path, head, src, f.Close, size)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// StdinName stands for standard input in errors: "stdin:3: op: ...".
const StdinName = "stdin"

// NewReader reads a trace from a stream, such as standard input; name stands
// for the file in error messages. Close does not close r.
func NewReader(name string, r io.Reader) (Reader, error) {
	head, err := readHead(name, r)
	if err != nil {
		return nil, err
	}
	return open(name, head, io.MultiReader(bytes.NewReader(head), r), nil, -1)
}

const headLen = 8

func readHead(name string, r io.Reader) ([]byte, error) {
	head := make([]byte, headLen)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, &Error{File: name, Msg: "read: " + err.Error(), Err: err}
	}
	return head[:n], nil
}

// magics lists the containers we read and, so that the user gets a useful
// message instead of "binary data", a few we do not.
var magics = []struct {
	magic, kind string
	supported   bool
}{
	{"\x1f\x8b", "gzip", true},
	{"\x28\xb5\x2f\xfd", "zstd", true},
	{"\xfd7zXZ\x00", "xz", true},
	{"BZh", "bzip2", false},
	{"\x04\x22\x4d\x18", "lz4", false},
	{"\x1f\x9d", "compress (.Z)", false},
	{"PK\x03\x04", "zip", false},
	{"7z\xbc\xaf\x27\x1c", "7-zip", false},
}

// open recognises the compression from head, then the format from the
// decompressed start: the first registered format, in detection order,
// whose Detect says yes (see Register). size is the file's size, or -1 for
// a stream.
func open(name string, head []byte, src io.Reader, closeFile func() error, size int64) (Reader, error) {
	kind := ""
	for _, m := range magics {
		if len(head) >= 2 && len(head) < len(m.magic) && m.supported && strings.HasPrefix(m.magic, string(head)) {
			return nil, &Error{File: name, Msg: "truncated " + m.kind + " stream", Err: io.ErrUnexpectedEOF}
		}
		if bytes.HasPrefix(head, []byte(m.magic)) {
			if !m.supported {
				return nil, &Error{File: name, Msg: m.kind + " compression is not supported; " +
					"decompress it, or recompress with gzip, zstd or xz"}
			}
			kind = m.kind
			break
		}
	}
	dec, closeDec, err := decompressor(kind, src)
	if err != nil {
		return nil, streamError(name, kind, err)
	}
	closeAll := func() error {
		var err error
		if closeDec != nil {
			err = closeDec()
		}
		if closeFile != nil {
			err = errors.Join(err, closeFile())
		}
		return err
	}
	peek, perr := peekStream(dec, sniffLen)
	f := detect(name, peek)
	if f == nil {
		closeDec()
		return nil, &Error{File: name, Msg: "not a trace: no format recognises it"}
	}
	if kind != "" {
		size = -1
	}
	in := &Input{Name: name, Compression: kind, Size: size, R: &prefixReader{head: peek, r: dec, err: perr}, Close: closeAll}
	r, err := f.Open(in)
	if err != nil {
		closeDec()
		return nil, err
	}
	return r, nil
}

// sniffLen is how much of the decompressed stream open looks at.
const sniffLen = 4096

// peekStream reads up to n bytes, stopping early only at the end of the
// stream (io.EOF) or an error, which it returns.
func peekStream(r io.Reader, n int) ([]byte, error) {
	buf := make([]byte, n)
	k, zero := 0, 0
	for k < n {
		m, err := r.Read(buf[k:])
		k += m
		if err != nil {
			return buf[:k], err
		}
		if m == 0 {
			if zero++; zero > 100 {
				return buf[:k], io.ErrNoProgress
			}
		}
	}
	return buf[:k], nil
}

// prefixReader gives head, then what r gives; err, if not nil, is how r
// ended (io.EOF, or an error) while head was read: r is not read again.
type prefixReader struct {
	head []byte
	r    io.Reader
	err  error
}

func (p *prefixReader) Read(b []byte) (int, error) {
	if len(p.head) > 0 {
		n := copy(b, p.head)
		p.head = p.head[n:]
		return n, nil
	}
	if p.err != nil {
		return 0, p.err
	}
	return p.r.Read(b)
}

// useXZProgram lets tests force the pure-Go xz decoder.
var useXZProgram = true

func decompressor(kind string, src io.Reader) (io.Reader, func() error, error) {
	nop := func() error { return nil }
	switch kind {
	case "gzip":
		z, err := gzip.NewReader(src)
		if err != nil {
			return nil, nil, headerError(err)
		}
		return z, z.Close, nil
	case "zstd":
		// Decoding in the calling goroutine: Pipelined already overlaps it
		// with the simulation, and the library's own goroutines only fight
		// for the cores (matmul: 19 ms synchronous, 32 ms with them).
		z, err := zstd.NewReader(src, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, nil, err
		}
		return z, func() error { z.Close(); return nil }, nil
	case "xz":
		if useXZProgram {
			if x, err := startXZ(src); err == nil {
				return x, x.Close, nil
			}
		}
		z, err := newGoXZ(src)
		if err != nil {
			return nil, nil, headerError(err)
		}
		return z, nop, nil
	}
	return src, nop, nil
}

// headerError makes a header cut short count as truncation, like a body cut
// short.
func headerError(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
