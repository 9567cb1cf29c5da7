package state

import (
	"fmt"
	"slices"
	"strings"
)

// What a state file holds: its sections, the members of each kind of
// entry, and the numbers of its system section.

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
		case slices.Contains(systemKeys[sec], m.key):
			n, err := number(m.val.raw)
			if err != nil {
				return nil, fail("%v", err)
			}
			out = append(out, Width{At: At{Line: m.line, Name: "system: " + key}, Key: key, Value: n})
		case slices.Contains(systemDocs[sec], m.key):
			if _, err := text(m.val.raw); err != nil {
				return nil, fail("%v", err)
			}
		default:
			return nil, fail("unknown field %q; system may give %s", m.key, strings.Join(SystemKeys(), ", "))
		}
	}
	return out, nil
}

func dotted(sec, key string) string {
	if sec == "" {
		return key
	}
	return sec + "." + key
}
