package traces

import (
	"errors"
	"fmt"
	"strconv"

	inputquote "github.com/vmemu/vmemu/quote"
)

// Error is what every reader of this package returns for bad input: a
// malformed line, a truncated or corrupt compressed stream, a file that is not
// a trace. It always names the file, so a user running a sweep over hundreds
// of traces knows which one to fix.
type Error struct {
	File  string // path given to Open, or name given to NewReader
	Line  int    // 1-based line of the decompressed text; 0 if not about a line
	Field string // "op", "address", "size", "line"; empty if not about a field
	Msg   string // what is wrong
	Err   error  // underlying cause (a decompressor's or the OS's error), if any
	// Binary formats (ChampSim, native) have no lines: they name the byte
	// offset, in the decompressed stream, where the bad part starts.
	Offset    int64
	HasOffset bool
}

// Error formats as FILE:LINE: field: msg, or FILE: offset N: field: msg for
// a binary format, leaving out the parts that are zero.
func (e *Error) Error() string {
	s := e.File
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
	}
	s += ": "
	if e.HasOffset {
		s += "offset " + strconv.FormatInt(e.Offset, 10) + ": "
	}
	if e.Field != "" {
		s += e.Field + ": "
	}
	return s + e.Msg
}

// Unwrap lets errors.Is see the cause, e.g. io.ErrUnexpectedEOF for a
// truncated gzip stream.
func (e *Error) Unwrap() error { return e.Err }

// errClosed is returned by Read after Close.
var errClosed = errors.New("traces: Read after Close")

// quote shows a bad token to the user; long garbage (a binary file read as
// text) is cut so the message stays one readable line.
func quote(b []byte) string { return inputquote.Input(string(b)) }

// offsetError is an *Error about the bytes at off of a binary trace.
func offsetError(file string, off int64, format string, args ...any) *Error {
	return &Error{File: file, Offset: off, HasOffset: true, Msg: fmt.Sprintf(format, args...)}
}
