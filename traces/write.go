package traces

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Writer writes records as lackey text, exactly as valgrind prints them:
// "I  0401ab70,3" for a fetch, " L 1fff000d38,8" for data, addresses in at
// least 8 hex digits. It buffers; call Flush at the end.
type Writer struct {
	w   io.Writer
	buf []byte
	err error
}

// NewWriter returns a Writer with a 64 KiB buffer in front of w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, buf: make([]byte, 0, 64<<10)}
}

// Write appends recs. A record this package could not read back (size 0
// or above MaxAccessSize, past the top of the address space, unknown op)
// is an error, and so is any error of the underlying writer; after one,
// Write and Flush keep returning it.
func (w *Writer) Write(recs []Record) error {
	for _, r := range recs {
		if w.err != nil {
			return w.err
		}
		if checkSize(uint64(r.Size)) != "" || runsPastTop(r.Addr, uint64(r.Size)) || r.Op > Modify {
			w.err = fmt.Errorf("traces: cannot write record %+v", r)
			return w.err
		}
		if len(w.buf) > cap(w.buf)-64 {
			w.Flush()
		}
		b := w.buf
		if r.Op == Fetch {
			b = append(b, "I  "...)
		} else {
			b = append(b, ' ', "ILSM"[r.Op], ' ')
		}
		for shift := 28; shift >= 4 && r.Addr>>shift == 0; shift -= 4 {
			b = append(b, '0')
		}
		b = strconv.AppendUint(b, r.Addr, 16)
		b = append(b, ',')
		b = strconv.AppendUint(b, uint64(r.Size), 10)
		w.buf = append(b, '\n')
	}
	return w.err
}

// Flush writes out what is buffered.
func (w *Writer) Flush() error {
	if w.err == nil && len(w.buf) > 0 {
		_, w.err = w.w.Write(w.buf)
		w.buf = w.buf[:0]
	}
	return w.err
}

// WriteLackey writes recs to w as lackey text.
func WriteLackey(w io.Writer, recs []Record) error {
	tw := NewWriter(w)
	if err := tw.Write(recs); err != nil {
		return err
	}
	return tw.Flush()
}

// WriteRefs appends refs as lackey text, which holds only what a Record
// does (and not its process).
func (w *Writer) WriteRefs(refs []Ref) error {
	for i := range refs {
		if err := w.Write([]Record{refs[i].Record}); err != nil {
			return err
		}
	}
	return w.err
}

// Close is Flush, so that a Writer is a TraceWriter.
func (w *Writer) Close() error { return w.Flush() }

// TraceWriter writes refs in one format. Close writes out what is
// buffered and any trailer; it does not close the underlying writer.
type TraceWriter interface {
	WriteRefs(refs []Ref) error
	Close() error
}

// NewTraceWriter returns a writer of the registered format called name
// ("native", "champsim", "lackey", ...) to w, with opt (which only the
// native writer uses).
func NewTraceWriter(w io.Writer, name string, opt WriteOptions) (TraceWriter, error) {
	if f, err := Lookup(name); err == nil && f.NewWriter != nil {
		return f.NewWriter(w, opt)
	}
	return nil, fmt.Errorf("traces: cannot write format %q; one of %s", name, strings.Join(WriteFormats(), ", "))
}

// Copy writes all of src to dst, and returns how many refs it copied. It
// does not close either.
func Copy(dst TraceWriter, src RefReader) (int64, error) {
	buf := make([]Ref, 4096)
	var total int64
	for {
		n, err := src.ReadRefs(buf)
		if n > 0 {
			if werr := dst.WriteRefs(buf[:n]); werr != nil {
				return total, werr
			}
			total += int64(n)
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}
