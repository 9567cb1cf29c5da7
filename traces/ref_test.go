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
	refSkip   = regexp.MustCompile(`^[ \t]*(==.*)?[ \t\r]*$`)
)

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
	for i, line := range bytes.Split(text, []byte("\n")) {
		if bytes.HasPrefix(bytes.TrimLeft(line, " \t"), []byte("==")) || refSkip.Match(line) {
			continue
		}
		m := refRecord.FindSubmatch(line)
		if m == nil {
			return recs, &refError{i + 1, string(line)}
		}
		addr, err1 := strconv.ParseUint(string(m[2]), 16, 64)
		size, err2 := strconv.ParseUint(string(m[3]), 10, 32)
		if err1 != nil || err2 != nil || size == 0 || size > 16384 || addr+(size-1) < addr { // written out: the reference shares no code
			return recs, &refError{i + 1, string(line)}
		}
		recs = append(recs, Record{Addr: addr, Size: uint32(size), Op: Op(bytes.IndexByte([]byte("ILSM"), m[1][0]))})
	}
	return recs, nil
}

// refIsTrace says whether Open should accept text as a trace at all: no NUL
// in the first 512 bytes, and a first record-like line that starts with an
// op followed by a blank or a digit.
func refIsTrace(text []byte) bool {
	if bytes.IndexByte(text[:min(512, len(text))], 0) >= 0 {
		return false
	}
	for _, line := range bytes.Split(text, []byte("\n")) {
		line = bytes.TrimLeft(line, " \t")
		if len(bytes.TrimLeft(line, " \t\r")) == 0 || bytes.HasPrefix(line, []byte("==")) {
			continue
		}
		return bytes.IndexByte([]byte("ILSM"), line[0]) >= 0 &&
			(len(line) == 1 || line[1] == ' ' || line[1] == '\t' || hexVal[line[1]] <= 15)
	}
	return true
}
