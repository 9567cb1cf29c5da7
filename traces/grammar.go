package traces

import (
	"bytes"
	"strconv"
)

// diagnose re-reads a line the fast parser rejected, token by token, to say
// which field is wrong and how. It follows the grammar in doc.go; speed does
// not matter here, clarity of the message does.
func diagnose(s []byte) (field, msg string) {
	s = trimBlanks(s)
	op := s[:tokenEnd(s, " \t")]
	switch {
	case len(op) == 0:
		return "line", "unexpected " + quote(s) // only a stray '\r' gets here
	case !isOp(op[0]):
		return "op", quote(op) + " is not one of I, L, S, M"
	case len(op) > 1 && hexVal[op[1]] <= 15:
		return "op", "missing blank between " + quote(op[:1]) + " and the address"
	case len(op) > 1:
		return "op", quote(op) + " is not one of I, L, S, M"
	}
	s = trimBlanks(s[1:])

	addr := s[:tokenEnd(s, " \t\r,")]
	if len(addr) == 0 {
		return "address", "missing"
	}
	digits := addr
	if len(digits) >= 2 && digits[0] == '0' && digits[1]|0x20 == 'x' {
		digits = digits[2:]
	}
	if len(digits) == 0 || !allHex(digits) {
		return "address", quote(addr) + " is not hexadecimal"
	}
	if len(bytes.TrimLeft(digits, "0")) > 16 {
		return "address", quote(addr) + " does not fit in 64 bits"
	}
	s = trimBlanks(s[len(addr):])

	if len(s) == 0 {
		return "size", "missing (expected \",SIZE\" after the address)"
	}
	if s[0] != ',' {
		return "size", "missing \",\" between address and size"
	}
	s = trimBlanks(s[1:])
	size := s[:tokenEnd(s, " \t\r")]
	if len(size) == 0 {
		return "size", "missing"
	}
	var v uint64
	for _, c := range size {
		if c < '0' || c > '9' {
			return "size", quote(size) + " is not a decimal number"
		}
		if v = v*10 + uint64(c-'0'); v > MaxAccessSize {
			return "size", quote(size) + " " + sizeTooBig
		}
	}
	if v == 0 {
		return "size", "must not be 0"
	}
	if a, _ := strconv.ParseUint(string(digits), 16, 64); runsPastTop(a, v) { // digits checked above
		return "size", quote(size) + " bytes at " + quote(addr) + " " + pastTheTop
	}
	if rest := bytes.TrimLeft(s[len(size):], " \t\r"); len(rest) > 0 {
		return "line", "unexpected " + quote(rest) + " after the size"
	}
	return "line", "malformed" // the fast parser and this one disagree: a bug
}

func trimBlanks(s []byte) []byte { return bytes.TrimLeft(s, " \t") }

func tokenEnd(s []byte, stop string) int {
	if i := bytes.IndexAny(s, stop); i >= 0 {
		return i
	}
	return len(s)
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func isOp(c byte) bool { return c == 'I' || c == 'L' || c == 'S' || c == 'M' }

func allHex(s []byte) bool {
	for _, c := range s {
		if hexVal[c] > 15 {
			return false
		}
	}
	return true
}

// sniff names the format and rejects what is plainly not a trace, from the
// first buffer of text alone, so the answer does not depend on how far a
// caller reads. Lackey is told apart by valgrind's "==PID==" messages or its
// two blanks after "I"; anything else that parses is the Cache Lab form. A
// trace that starts with a valgrind message is a valgrind log, which may
// have the program's output mixed in (t.mixed).
func (t *textReader) sniff() error {
	t.format = "cachelab"
	head := t.buf[:t.lim]
	if bytes.IndexByte(head[:min(len(head), 512)], 0) >= 0 {
		return &Error{File: t.name, Msg: "not a trace: binary data, and not " + binaryTitles() + t.compressedAs()}
	}
	checked := false
	for n := 1; len(head) > 0 && (!checked || t.format != "lackey"); n++ {
		i := bytes.IndexByte(head, '\n')
		raw := head[:i+1]
		line := trimBlanks(head[:i])
		head = head[i+1:]
		if isValgrindLine(raw, i-len(line)) { // at the line's first non-blank byte
			t.format = "lackey"
			t.mixed = t.mixed || !checked
			continue
		}
		if len(bytes.TrimLeft(line, " \t\r")) == 0 || t.mixed && !recordLike(raw, 0) {
			continue
		}
		if len(line) > 2 && line[0] == 'I' && isBlank(line[1]) && isBlank(line[2]) {
			t.format = "lackey"
		}
		// A first line that starts like a record is a trace even if it is
		// broken: Read will then say which field is wrong.
		if !checked && !(isOp(line[0]) && (len(line) == 1 || isBlank(line[1]) || hexVal[line[1]] <= 15)) {
			return &Error{File: t.name, Line: n, Msg: "not a lackey or cachelab trace" + t.compressedAs() +
				": it begins " + quote(line)}
		}
		checked = true
	}
	if t.mixed && !checked {
		return &Error{File: t.name, Msg: "a valgrind log with no trace records" + t.compressedAs() +
			" in its first 256 KiB: was lackey run with --trace-mem=yes?"}
	}
	return nil
}

func (t *textReader) compressedAs() string {
	if t.zkind == "" {
		return ""
	}
	return ", after " + t.zkind + " decompression"
}
