package traces

// A trace format in one file, as doc.go's "Adding a trace format" says: a
// toy text format registered here, in a test, is detected, read and
// written by the code that serves the real ones (format_test.go).
//
//	toy trace              the first line, by which it is detected
//	L 1000 8               op (I, L or S), hexadecimal address, size
//
// It holds sizes but no modifies: its writer writes a modify as a load and
// a store.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

const toyMagic = "toy trace\n"

func init() {
	Register(&Format{
		Name:    "toy",
		Exts:    []string{".toy"},
		Order:   50, // after the binary formats, before lackey text, which takes all text
		Holds:   HoldsSizes,
		Instead: map[Holds]string{HoldsModifies: "each is written as a load and a store"},
		Detect:  func(s *Sniff) bool { return bytes.HasPrefix(s.Head, []byte(toyMagic)) },
		Open: func(in *Input) (Reader, error) {
			sc := bufio.NewScanner(in.R)
			sc.Buffer(make([]byte, 256), 256) // constant memory: a longer line is an error
			sc.Scan()                         // the first line, which Detect saw
			return &toyReader{in: in, sc: sc, line: 1}, nil
		},
		NewWriter: func(w io.Writer, _ WriteOptions) (TraceWriter, error) {
			bw := bufio.NewWriter(w)
			bw.WriteString(toyMagic)
			return &toyWriter{w: bw}, nil
		},
	})
}

type toyReader struct {
	in   *Input
	sc   *bufio.Scanner
	line int
	err  error // sticky: io.EOF or what went wrong
}

func (t *toyReader) Format() string { return "toy" }
func (t *toyReader) Close() error   { return t.in.Close() }

// Read gives the records before a bad line, then the error.
func (t *toyReader) Read(recs []Record) (int, error) {
	n := 0
	for n < len(recs) && t.err == nil {
		if !t.sc.Scan() {
			t.err = io.EOF
			if err := t.sc.Err(); err != nil {
				t.err = &Error{File: t.in.Name, Line: t.line + 1, Field: "line", Msg: err.Error()}
			}
			break
		}
		t.line++
		if recs[n], t.err = t.parse(t.sc.Text()); t.err == nil {
			n++
		}
	}
	if n > 0 {
		return n, nil
	}
	return 0, t.err
}

func (t *toyReader) parse(line string) (Record, error) {
	bad := func(field, msg string) error { return &Error{File: t.in.Name, Line: t.line, Field: field, Msg: msg} }
	f := strings.Fields(line)
	if len(f) != 3 {
		return Record{}, bad("line", fmt.Sprintf("%d fields, want 3", len(f)))
	}
	op := strings.Index("ILS", f[0])
	if len(f[0]) != 1 || op < 0 {
		return Record{}, bad("op", strconv.Quote(f[0])+" is not one of I, L, S")
	}
	addr, err := strconv.ParseUint(f[1], 16, 64)
	if err != nil {
		return Record{}, bad("address", strconv.Quote(f[1])+" is not a 64-bit hexadecimal number")
	}
	size, err := strconv.ParseUint(f[2], 10, 32)
	if err != nil || size == 0 {
		return Record{}, bad("size", strconv.Quote(f[2])+" is not a size (1 to 2^32-1)")
	}
	return Record{Addr: addr, Size: uint32(size), Op: Op(op)}, nil
}

type toyWriter struct{ w *bufio.Writer }

func (w *toyWriter) WriteRefs(refs []Ref) error {
	for i := range refs {
		r := &refs[i].Record
		switch r.Op {
		case Fetch, Load, Store:
			fmt.Fprintf(w.w, "%c %x %d\n", "ILS"[r.Op], r.Addr, r.Size)
		case Modify:
			fmt.Fprintf(w.w, "L %x %d\nS %x %d\n", r.Addr, r.Size, r.Addr, r.Size)
		default:
			return fmt.Errorf("traces: cannot write a %v record to a toy trace", r.Op)
		}
	}
	return nil
}

func (w *toyWriter) Close() error { return w.w.Flush() }
