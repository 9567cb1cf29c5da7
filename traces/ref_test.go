package traces

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
)

// refParse is a slow, obviously correct reading of the grammar in doc.go,
// written independently of the parser to check it (see FuzzLackey). It
// returns the records and, for a bad line, its number.
var (
	refRecord = regexp.MustCompile(`^[ \t]*([ILSM])[ \t]+(?:0[xX])?([0-9a-fA-F]+)[ \t]*,[ \t]*([0-9]+)[ \t\r]*$`)
	refBlank  = regexp.MustCompile(`^[ \t\r]*$`)
	refMsg    = regexp.MustCompile(`^[ \t]*(==|--[0-9]+--)`)
	// How a record starts, in a valgrind log the program's output is
	// mixed into: a line there that is not a record and does not start as
	// one is the program's.
	refStart = regexp.MustCompile(`^(I[ \t]|[ \t][LSM][ \t])`)
)

// refLog says whether lines are a valgrind log: the first line that is not
// blank is a valgrind message.
func refLog(lines [][]byte) bool {
	for _, line := range lines {
		if !refBlank.Match(line) {
			return refMsg.Match(line)
		}
	}
	return false
}

type refError struct {
	line int
	text string
}

func (e *refError) Error() string { return fmt.Sprintf("line %d: %q", e.line, e.text) }

func refParse(text []byte) ([]Record, *refError) {
	if len(text) > 0 && text[len(text)-1] == '\n' {
		text = text[:len(text)-1]
	}
	var recs []Record
	if len(text) == 0 {
		return nil, nil
	}
	lines := bytes.Split(text, []byte("\n"))
	log := refLog(lines)
	for i, line := range lines {
		if refMsg.Match(line) || refBlank.Match(line) {
			continue
		}
		rec, ok := refDecode(line)
		switch {
		case ok:
			recs = append(recs, rec)
		case log && !refStart.Match(line):
			// The program's output, in a valgrind log.
		default:
			return recs, &refError{i + 1, string(line)}
		}
	}
	return recs, nil
}

// refDecode is line's record, if it is a valid one.
func refDecode(line []byte) (Record, bool) {
	m := refRecord.FindSubmatch(line)
	if m == nil {
		return Record{}, false
	}
	addr, err1 := strconv.ParseUint(string(m[2]), 16, 64)
	size, err2 := strconv.ParseUint(string(m[3]), 10, 32)
	if err1 != nil || err2 != nil || size == 0 || size > 16384 || addr+(size-1) < addr { // written out: the reference shares no code
		return Record{}, false
	}
	return Record{Addr: addr, Size: uint32(size), Op: Op(bytes.IndexByte([]byte("ILSM"), m[1][0]))}, true
}

// refIsTrace says whether Open should accept text as a trace at all: no NUL
// in the first 512 bytes, and a first line that is neither blank nor a
// message that starts with an op followed by a blank or a digit; or, in a
// valgrind log, a line that starts as a record does (the reader looks for
// it in the first 256 KiB, which no input here reaches).
func refIsTrace(text []byte) bool {
	if bytes.IndexByte(text[:min(512, len(text))], 0) >= 0 {
		return false
	}
	lines := bytes.Split(text, []byte("\n"))
	if refLog(lines) {
		for _, line := range lines {
			if refStart.Match(line) {
				return true
			}
		}
		return false
	}
	for _, line := range lines {
		if refMsg.Match(line) || refBlank.Match(line) {
			continue
		}
		line = bytes.TrimLeft(line, " \t")
		return bytes.IndexByte([]byte("ILSM"), line[0]) >= 0 &&
			(len(line) == 1 || line[1] == ' ' || line[1] == '\t' || hexVal[line[1]] <= 15)
	}
	return true
}
