package traces

import (
	"bytes"
	"errors"
	"io"
	"strings"
)

func init() {
	Register(&Format{
		Name:   "lackey",
		Labels: []string{"cachelab"},
		Exts:   []string{".lackey", ".trace", ".txt"},
		// Last: text is what the binary formats are not, and the reader
		// itself refuses binary data and lines unlike a record's.
		Order:  100,
		Holds:  HoldsSizes | HoldsModifies,
		Detect: func(*Sniff) bool { return true },
		Open: func(in *Input) (Reader, error) {
			t, err := newText(in.Name, in.Compression, in.R, in.Close)
			if err != nil {
				return nil, err
			}
			return t, nil
		},
		NewWriter: func(w io.Writer, _ WriteOptions) (TraceWriter, error) { return NewWriter(w), nil },
	})
}

// bufAlloc bounds the memory a reader holds, whatever the file's size, and
// thus the longest line it accepts. 256 KiB amortises the read and
// decompressor calls to nothing per line. A power of two lets the parser
// prove its indexes in range with a mask instead of a bounds check.
const (
	bufAlloc = 256 << 10
	bufSize  = bufAlloc - 1 // data; the last byte is for a missing final '\n'
)

// textReader parses the line formats (lackey, cachelab) straight out of its
// own buffer: no bufio underneath, no allocation per line.
type textReader struct {
	name   string
	zkind  string // compression ("gzip", "zstd", "xz"); "" for plain text
	src    io.Reader
	close  func() error
	format string

	// buf[r:lim] are complete lines not yet parsed, each ending in '\n', so
	// the parser needs no end-of-buffer checks; buf[lim:w] is a partial line.
	// One byte past bufSize takes the newline a file's last line may lack.
	buf       []byte
	r, lim, w int
	line      int // lines parsed so far
	// mixed: the trace is a valgrind log (it starts with a valgrind
	// message), into which the program's own output may be mixed, as in
	// the Cache Lab handout's valgrind --log-fd=1: lines that do not start
	// like a record are skipped, as csim-ref skips them.
	mixed        bool
	eof          bool  // src has nothing more to give
	srcErr       error // src failed; reported once the lines before it are read
	err          error // sticky result for every later Read
	closed       bool
	zeroReadRuns int
}

func newText(name, zkind string, src io.Reader, close func() error) (*textReader, error) {
	t := &textReader{name: name, zkind: zkind, src: src, close: close,
		buf: make([]byte, bufAlloc)}
	if err := t.fill(); err != nil {
		return nil, err
	}
	if err := t.sniff(); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *textReader) Format() string { return t.format }

func (t *textReader) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	t.err = errClosed
	if t.close != nil {
		return t.close()
	}
	return nil
}

// Read returns n > 0 with a nil error, or 0 with an error: records before a
// bad line are delivered first, the error on the next call. Callers that drop
// n on error thus lose nothing.
func (t *textReader) Read(recs []Record) (int, error) {
	n := 0
	for n < len(recs) && t.err == nil {
		if t.r == t.lim {
			if t.eof {
				t.err = io.EOF
				if t.srcErr != nil {
					t.err = t.streamError(t.srcErr)
				}
				break
			}
			t.err = t.fill()
			continue
		}
		m, err := t.parse(recs[n:])
		n += m
		t.err = err
	}
	if n > 0 {
		return n, nil
	}
	return 0, t.err
}

// fill keeps the partial line, then reads until the buffer is full or src
// ends. Filling completely (rather than taking what one Read gives) makes the
// first window, and so the detected format, independent of how a pipe or
// decompressor happens to chunk its output.
func (t *textReader) fill() error {
	t.w = copy(t.buf, t.buf[t.r:t.w])
	t.r, t.lim = 0, 0
	for !t.eof && t.w < bufSize {
		m, err := t.src.Read(t.buf[t.w:bufSize])
		t.w += m
		switch {
		case err == io.EOF:
			t.eof = true
		case err != nil:
			t.eof, t.srcErr = true, err
		case m == 0:
			// A reader that never makes progress must not hang us.
			if t.zeroReadRuns++; t.zeroReadRuns > 100 {
				t.eof, t.srcErr = true, io.ErrNoProgress
			}
		default:
			t.zeroReadRuns = 0
		}
	}
	t.lim = bytes.LastIndexByte(t.buf[:t.w], '\n') + 1
	if t.eof {
		if t.srcErr != nil {
			// The tail was cut by the failure: parsing it could turn
			// "0401ab70" into a plausible but wrong "0401".
			t.w = t.lim
		} else if t.lim < t.w {
			t.buf[t.w] = '\n'
			t.w++
			t.lim = t.w
		}
		return nil
	}
	if t.lim == 0 {
		return &Error{File: t.name, Line: t.line + 1, Field: "line",
			Msg: "longer than 256 KiB (not a trace?)"}
	}
	return nil
}

func (t *textReader) streamError(err error) error { return streamError(t.name, t.zkind, err) }

// streamError turns what the file or decompressor returned into an *Error
// naming the file: truncated or corrupt compressed data, a failed read.
func streamError(name, zkind string, err error) error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return err
	case zkind == "":
		return &Error{File: name, Msg: "read: " + err.Error(), Err: err}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{File: name, Msg: "truncated " + zkind + " stream", Err: err}
	}
	msg := strings.TrimPrefix(err.Error(), zkind+": ")
	return &Error{File: name, Msg: "corrupt " + zkind + " stream: " + msg, Err: err}
}

// lineError builds the error for the line that begins rest.
func (t *textReader) lineError(line int, rest []byte) error {
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[:i]
	}
	field, msg := diagnose(rest)
	return &Error{File: t.name, Line: line, Field: field, Msg: msg}
}
