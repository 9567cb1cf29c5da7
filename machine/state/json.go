package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
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

// section reads one top-level member into f.
func (r *reader) section(f *File, m member) error {
	var err error
	switch m.key {
	case "system":
		f.System, err = r.system(m.val)
	case "tlb":
		f.TLB, err = entries(r, m, tlbFields, "set", "tag")
	case "page_table", "page_table_first16":
		var ptes []PTE
		ptes, err = entries(r, m, pteFields, "vpn")
		f.PageTable = append(f.PageTable, ptes...)
	case "cache":
		f.Cache, err = entries(r, m, lineFields, "set|index", "tag")
	case "memory":
		f.Memory, err = entries(r, m, bytesFields, "pa", "data")
	case "source", "comment", "provenance_levels": // for people
	default:
		return r.errAt(m.line, m.key, fmt.Sprintf("unknown field %q; %s", m.key, whatAFileHas))
	}
	return err
}

// fields are the members an entry of one kind may have: each reads its
// value into the entry.
type fields[T any] struct {
	has  string // in words, for an unknown member
	at   func(*T) *At
	read func(*T) map[string]func([]byte) error
	same [][2]string // two names of one member, of which one may be given
}

var (
	tlbFields = fields[TLBEntry]{"a tlb entry has tlb, set, way, tag, ppn and valid",
		func(e *TLBEntry) *At { return &e.At },
		func(e *TLBEntry) map[string]func([]byte) error {
			return map[string]func([]byte) error{"tlb": into(&e.TLB, text), "set": into(&e.Set, index),
				"way": into(&e.Way, index), "tag": into(&e.Tag, number), "ppn": into(&e.PPN, optional), "valid": into(&e.Valid, flag)}
		}, nil}
	pteFields = fields[PTE]{"a page_table entry has vpn, ppn, valid, writable and user",
		func(e *PTE) *At { return &e.At },
		func(e *PTE) map[string]func([]byte) error {
			return map[string]func([]byte) error{"vpn": into(&e.VPN, number), "ppn": into(&e.PPN, optional),
				"valid": into(&e.Valid, flag), "writable": into(&e.Writable, boolean), "user": into(&e.User, boolean)}
		}, nil}
	// index and blocks are the reference file's names for set and data.
	lineFields = fields[Line]{"a cache entry has cache, set (or index), way, tag, valid and data (or blocks)",
		func(e *Line) *At { return &e.At },
		func(e *Line) map[string]func([]byte) error {
			return map[string]func([]byte) error{"cache": into(&e.Cache, text), "set": into(&e.Set, index),
				"index": into(&e.Set, index), "way": into(&e.Way, index), "tag": into(&e.Tag, number),
				"valid": into(&e.Valid, flag), "data": into(&e.Data, byteList), "blocks": into(&e.Data, byteList)}
		}, [][2]string{{"set", "index"}, {"data", "blocks"}}}
	bytesFields = fields[Bytes]{"a memory entry has pa and data",
		func(e *Bytes) *At { return &e.At },
		func(e *Bytes) map[string]func([]byte) error {
			return map[string]func([]byte) error{"pa": into(&e.PA, number), "data": into(&e.Data, byteList)}
		}, nil}
)

// into reads a value with parse into dst.
func into[V any](dst *V, parse func([]byte) (V, error)) func([]byte) error {
	return func(raw []byte) error {
		v, err := parse(raw)
		if err == nil {
			*dst = v
		}
		return err
	}
}

// entries reads the list of entries in m; need lists the members an entry
// must have ("a|b": either). Every entry may carry provenance and a note,
// for people.
func entries[T any](r *reader, m member, f fields[T], need ...string) ([]T, error) {
	elems, err := r.array(m.val, m.key)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(elems))
	for i, el := range elems {
		name := fmt.Sprintf("%s entry %d", m.key, i)
		ms, err := r.object(el, name)
		if err != nil {
			return nil, err
		}
		var e T
		*f.at(&e) = At{Line: r.line(el.off), Name: name}
		readers := f.read(&e)
		for _, m := range ms {
			read, ok := readers[m.key]
			switch {
			case ok:
				err = read(m.val.raw)
			case m.key == "provenance" || m.key == "note":
				_, err = text(m.val.raw)
			default:
				err = fmt.Errorf("unknown field %q; %s", m.key, f.has)
			}
			if err != nil {
				return nil, r.errAt(m.line, name+": "+m.key, err.Error())
			}
		}
		for _, two := range f.same {
			if hasAny(ms, two[:1]) && hasAny(ms, two[1:]) {
				return nil, r.errAt(f.at(&e).Line, name, fmt.Sprintf("%s and %s name one thing; give one", two[0], two[1]))
			}
		}
		for _, n := range need {
			if !hasAny(ms, strings.Split(n, "|")) {
				return nil, r.errAt(f.at(&e).Line, name, "needs "+strings.ReplaceAll(n, "|", " or "))
			}
		}
		out = append(out, e)
	}
	return out, nil
}

func hasAny(ms []member, keys []string) bool {
	for _, m := range ms {
		if slices.Contains(keys, m.key) {
			return true
		}
	}
	return false
}

// systemKeys are the numbers a file may say its system has, by section
// ("" for the top of system); systemDocs are the words it may carry for
// people. Both are what the reference file csapp-vm/small_memory_system.json
// writes.
var (
	systemKeys = map[string][]string{
		"":      {"va_bits", "pa_bits", "page_bytes", "vpn_bits", "vpo_bits", "ppn_bits", "word_bytes"},
		"tlb":   {"entries", "sets", "ways", "tlbi_bits", "tlbt_bits"},
		"cache": {"sets", "ways", "block_bytes", "co_bits", "ci_bits", "ct_bits"},
	}
	systemDocs = map[string][]string{"": {"name", "byte_order_of_blocks"}, "tlb": {"index", "tag"}, "cache": {"addressing"}}
)

// SystemKeys lists every number a system section may give, dotted under
// tlb and cache ("tlb.sets"), so that the machine can check each.
func SystemKeys() []string {
	var out []string
	for _, sec := range []string{"", "tlb", "cache"} {
		for _, k := range systemKeys[sec] {
			out = append(out, dotted(sec, k))
		}
	}
	return out
}

// system reads the system section, and the tlb and cache sections in it.
func (r *reader) system(v value) ([]Width, error) {
	ms, err := r.object(v, "system")
	if err != nil {
		return nil, err
	}
	var out []Width
	for _, m := range ms {
		if m.key == "tlb" || m.key == "cache" {
			inner, err := r.object(m.val, "system: "+m.key)
			if err != nil {
				return nil, err
			}
			ws, err := r.widths(m.key, inner)
			if err != nil {
				return nil, err
			}
			out = append(out, ws...)
			continue
		}
		ws, err := r.widths("", []member{m})
		if err != nil {
			return nil, err
		}
		out = append(out, ws...)
	}
	return out, nil
}

// widths reads the members of one section of system.
func (r *reader) widths(sec string, ms []member) ([]Width, error) {
	var out []Width
	for _, m := range ms {
		key := dotted(sec, m.key)
		fail := func(format string, a ...any) error {
			return r.errAt(m.line, "system: "+key, fmt.Sprintf(format, a...))
		}
		switch {
		case contains(systemKeys[sec], m.key):
			n, err := number(m.val.raw)
			if err != nil {
				return nil, fail("%v", err)
			}
			out = append(out, Width{At: At{Line: m.line, Name: "system: " + key}, Key: key, Value: n})
		case contains(systemDocs[sec], m.key):
			if _, err := text(m.val.raw); err != nil {
				return nil, fail("%v", err)
			}
		default:
			return nil, fail("unknown field %q; system may give %s", m.key, strings.Join(SystemKeys(), ", "))
		}
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func dotted(sec, key string) string {
	if sec == "" {
		return key
	}
	return sec + "." + key
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
