package dram

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Record is one request of a memory trace.
type Record struct {
	Addr  uint64 // physical byte address
	Write bool
	Cycle uint64 // earliest DRAM cycle it may enter the controller (0 for LD/ST lines)
	Line  int    // line number in its file, for messages (0 if none)
}

// RecordSource yields records in order; Next returns io.EOF at the end.
// A source with a Name method names itself in error messages.
type RecordSource interface {
	Next() (Record, error)
}

// TraceError is a malformed trace line: "FILE:LINE: FIELD: MESSAGE".
type TraceError struct {
	File  string
	Line  int
	Field string // "address", "operation", "cycle", "line"
	Msg   string
}

func (e *TraceError) Error() string {
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg)
}

// TraceReader parses a DRAMsim3-format trace, one request per line:
//
//	0x<addr> READ|WRITE <cycle>    (DRAMsim3: the cycle is the earliest issue time)
//	LD|ST <addr>                   (as fast as the controller accepts)
//
// Addresses are hexadecimal, with or without 0x; cycles decimal; keywords
// in any case. Blank lines and lines starting with # are skipped.
type TraceReader struct {
	name string
	r    *bufio.Reader
	line int
}

// maxTraceLine bounds a line, so a binary file cannot exhaust memory.
const maxTraceLine = 4096

// NewTraceReader reads a trace from r; name (a file name) goes into errors.
func NewTraceReader(name string, r io.Reader) *TraceReader {
	return &TraceReader{name: name, r: bufio.NewReaderSize(r, 64<<10)}
}

// Name is the name the reader was given.
func (t *TraceReader) Name() string { return t.name }

// Next returns the next record, io.EOF at the end, or a *TraceError.
func (t *TraceReader) Next() (Record, error) {
	for {
		text, err := t.readLine()
		if err != nil {
			return Record{}, err
		}
		fields, n := splitFields(text)
		if n == 0 || fields[0][0] == '#' {
			continue
		}
		rec, perr := t.parse(fields[:n])
		if perr != nil {
			return Record{}, perr
		}
		rec.Line = t.line
		return rec, nil
	}
}

func (t *TraceReader) readLine() ([]byte, error) {
	line, err := t.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) || len(line) > maxTraceLine {
		t.line++
		return nil, t.fail("line", fmt.Sprintf("longer than %d bytes (not a text trace?)", maxTraceLine))
	}
	if len(line) == 0 && err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("%s: %w", t.name, err)
	}
	t.line++
	return line, nil
}

func (t *TraceReader) fail(field, msg string) error {
	return &TraceError{File: t.name, Line: t.line, Field: field, Msg: msg}
}

// splitFields cuts a line into at most four whitespace-separated fields
// without allocating; n counts them (4 means "too many").
func splitFields(line []byte) (f [4][]byte, n int) {
	i := 0
	for n < 4 {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			return f, n
		}
		j := i
		for j < len(line) && !isSpace(line[j]) {
			j++
		}
		f[n] = line[i:j]
		n++
		i = j
	}
	return f, n
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' }

func (t *TraceReader) parse(f [][]byte) (Record, error) {
	if ld, st := bytes.EqualFold(f[0], kwLD), bytes.EqualFold(f[0], kwST); ld || st {
		if len(f) != 2 {
			return Record{}, t.fail("line", fmt.Sprintf("%q: want \"LD|ST <addr>\"", joinFields(f)))
		}
		addr, err := parseHex(f[1])
		if err != nil {
			return Record{}, t.fail("address", err.Error())
		}
		return Record{Addr: addr, Write: st}, nil
	}
	if len(f) != 3 {
		return Record{}, t.fail("line", fmt.Sprintf("%q: want \"0x<addr> READ|WRITE <cycle>\" or \"LD|ST <addr>\"", joinFields(f)))
	}
	addr, err := parseHex(f[0])
	if err != nil {
		return Record{}, t.fail("address", err.Error())
	}
	var write bool
	switch {
	case bytes.EqualFold(f[1], kwREAD):
	case bytes.EqualFold(f[1], kwWRITE):
		write = true
	default:
		return Record{}, t.fail("operation", fmt.Sprintf("%q: want READ or WRITE", f[1]))
	}
	cycle, err := parseDec(f[2])
	if err != nil {
		return Record{}, t.fail("cycle", err.Error())
	}
	if cycle > MaxCycle {
		return Record{}, t.fail("cycle", cycleTooLate(cycle))
	}
	return Record{Addr: addr, Write: write, Cycle: cycle}, nil
}

// MaxCycle is the latest cycle a request may ask for: 2^62 DRAM cycles,
// 122 years of a 1.2 GHz clock. It leaves a run room to finish before a
// 64-bit cycle count wraps (each request adds at most thousands of cycles);
// a request at 2^64-1 used to be dropped and the end cycle wrapped.
const MaxCycle = 1 << 62

func cycleTooLate(c uint64) string {
	return fmt.Sprintf("%d is later than %d (2^62), the latest a request may ask for", c, uint64(MaxCycle))
}

func joinFields(f [][]byte) string {
	s := ""
	for i, x := range f {
		if i > 0 {
			s += " "
		}
		s += string(x)
	}
	return s
}

var (
	kwLD    = []byte("LD")
	kwST    = []byte("ST")
	kwREAD  = []byte("READ")
	kwWRITE = []byte("WRITE")
)

func parseHex(b []byte) (uint64, error) {
	s := b
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s = s[2:]
	}
	if len(s) == 0 {
		return 0, fmt.Errorf("%q: no hex digits", b)
	}
	var v uint64
	for _, c := range s {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, fmt.Errorf("%q is not a hexadecimal number", b)
		}
		if v>>60 != 0 {
			return 0, fmt.Errorf("%q does not fit in 64 bits", b)
		}
		v = v<<4 | uint64(d)
	}
	return v, nil
}

func parseDec(b []byte) (uint64, error) {
	if len(b) == 0 {
		return 0, errors.New("empty")
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a decimal number", b)
		}
		d := uint64(c - '0')
		if v > (1<<64-1-d)/10 {
			return 0, fmt.Errorf("%q does not fit in 64 bits", b)
		}
		v = v*10 + d
	}
	return v, nil
}

// Records is a RecordSource over records in memory (generated streams).
func Records(recs []Record) RecordSource { return &sliceSource{recs: recs} }

type sliceSource struct {
	recs []Record
	i    int
}

func (s *sliceSource) Next() (Record, error) {
	if s.i == len(s.recs) {
		return Record{}, io.EOF
	}
	s.i++
	return s.recs[s.i-1], nil
}
