package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/vmemu/vmemu/machine/config"
)

// A state file is read member by member rather than decoded into structs,
// so that every mistake names its line, its entry and its field ("tlb entry
// 3: set"), a key given twice is refused rather than silently replaced, and
// numbers may be JSON numbers or strings in any Go base ("0x0D").

// value is a JSON value of the file and its offset in the file.
type value struct {
	raw json.RawMessage
	off int64
}

// member is one key of a JSON object, its line and its value.
type member struct {
	key  string
	line int
	val  value
}

// reader reads one state file.
type reader struct {
	where string
	data  []byte
}

const whatAFileHas = "a state file is a JSON object with system, tlb, page_table, cache and memory"

// Parse reads a state file's text; where names it in errors.
func Parse(where string, data []byte) (*File, error) {
	r := &reader{where: where, data: data}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errAt(where, 0, "", "empty; "+whatAFileHas)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var top json.RawMessage
	if err := dec.Decode(&top); err != nil {
		return nil, r.syntax(err)
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		return nil, r.errAt(r.line(r.skip(end)), "", "more text after the state file's object")
	}
	ms, err := r.object(value{top, r.skip(0)}, "")
	if err != nil {
		return nil, err
	}
	f := &File{Where: where}
	for _, m := range ms {
		if err := r.section(f, m); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// object reads a JSON object's members in order; name is what it is, for
// errors ("tlb entry 3").
func (r *reader) object(v value, name string) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(v.raw))
	if t, _ := dec.Token(); t != json.Delim('{') {
		return nil, r.shape(v, name, "an object {...}")
	}
	var out []member
	lines := map[string]int{}
	for dec.More() {
		at := r.skip(v.off + dec.InputOffset())
		t, err := dec.Token()
		if err != nil {
			return nil, r.syntax(err)
		}
		key, _ := t.(string)
		line := r.line(at)
		field := strings.TrimPrefix(name+": "+key, ": ")
		if first, ok := lines[key]; ok {
			return nil, r.errAt(line, field, config.GivenTwice(first, line))
		}
		lines[key] = line
		valAt := r.skip(v.off + dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, r.syntax(err)
		}
		out = append(out, member{key: key, line: line, val: value{raw, valAt}})
	}
	return out, nil
}

// array reads a JSON list's elements.
func (r *reader) array(v value, name string) ([]value, error) {
	dec := json.NewDecoder(bytes.NewReader(v.raw))
	if t, _ := dec.Token(); t != json.Delim('[') {
		return nil, r.shape(v, name, "a list [...]")
	}
	var out []value
	for dec.More() {
		at := r.skip(v.off + dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, r.syntax(err)
		}
		out = append(out, value{raw, at})
	}
	return out, nil
}

// shape reports a value of the wrong kind.
func (r *reader) shape(v value, name, want string) error {
	msg := fmt.Sprintf("expected %s, not %s", want, kind(v.raw))
	if name == "" {
		msg = whatAFileHas + ", not " + kind(v.raw)
	}
	return r.errAt(r.line(v.off), name, msg)
}

func kind(raw []byte) string {
	switch {
	case len(raw) == 0:
		return "nothing"
	case raw[0] == '{':
		return "an object"
	case raw[0] == '[':
		return "a list"
	case raw[0] == '"':
		return "a string"
	case raw[0] == 'n':
		return "null"
	case raw[0] == 't' || raw[0] == 'f':
		return "a boolean"
	}
	return "a number"
}

// syntax places a JSON syntax error at its line.
func (r *reader) syntax(err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return r.errAt(r.line(se.Offset), "", se.Error())
	case errors.Is(err, io.ErrUnexpectedEOF):
		return r.errAt(r.line(int64(len(r.data))), "", "the file ends inside a value")
	}
	return r.errAt(0, "", err.Error())
}

// skip moves an offset past the blanks, commas and colons between values.
func (r *reader) skip(off int64) int64 {
	for off < int64(len(r.data)) && strings.IndexByte(" \t\r\n,:", r.data[off]) >= 0 {
		off++
	}
	return off
}

// errAt is a mistake at a line of the file, in a field ("tlb entry 3:
// set"; "" for none).
func (r *reader) errAt(line int, field, msg string) error { return errAt(r.where, line, field, msg) }

func (r *reader) line(off int64) int {
	return 1 + bytes.Count(r.data[:min(max(off, 0), int64(len(r.data)))], []byte("\n"))
}

// number reads a JSON number, or a string holding one in any Go base.
func number(raw []byte) (uint64, error) {
	s := string(raw)
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, err
		}
	}
	n, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("%s is not a number", raw)
	}
	return n, nil
}

// index reads a set or a way: a number small enough to be one.
func index(raw []byte) (int, error) {
	n, err := number(raw)
	if err == nil && n > math.MaxInt32 {
		err = fmt.Errorf("%d is out of range", n)
	}
	return int(n), err
}

// optional reads a number that may be null.
func optional(raw []byte) (*uint64, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	n, err := number(raw)
	return &n, err
}

// flag reads true/false or 1/0 (null: false).
func flag(raw []byte) (bool, error) {
	switch string(raw) {
	case "true", "1":
		return true, nil
	case "false", "0", "null":
		return false, nil
	}
	return false, fmt.Errorf("%s is not true, false, 1 or 0", raw)
}

// boolean reads true or false (null: not given).
func boolean(raw []byte) (*bool, error) {
	switch string(raw) {
	case "null":
		return nil, nil
	case "true", "false":
		b := string(raw) == "true"
		return &b, nil
	}
	return nil, fmt.Errorf("%s is not true or false", raw)
}

func text(raw []byte) (string, error) {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", fmt.Errorf("%s is not a string", raw)
	}
	return s, nil
}

// byteList reads a list of bytes; null is none (nil), and an empty list
// is not nil.
func byteList(raw []byte) ([]byte, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	var elems []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &elems) != nil {
		return nil, fmt.Errorf("expected a list of bytes, not %s", kind(raw))
	}
	out := make([]byte, len(elems))
	for i, el := range elems {
		n, err := number(el)
		if err != nil {
			return nil, fmt.Errorf("byte %d: %v", i, err)
		}
		if n > 0xff {
			return nil, fmt.Errorf("byte %d is %#x, more than a byte", i, n)
		}
		out[i] = byte(n)
	}
	return out, nil
}
