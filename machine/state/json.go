package state

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// stateFile is a state file as JSON has it. Numbers may be JSON numbers or
// strings ("0x0D"); valid may be 0/1 or true/false. The field names of
// ../shared/refdata/csapp-vm/small_memory_system.json are accepted too
// (index for set, blocks for data, page_table_first16), and the
// documentation it carries (provenance, notes, source) is ignored. The
// types keep the names they had in package machine, since encoding/json
// names them in its errors ("Go struct field stateTLB.tlb.set").
type stateFile struct {
	System    map[string]any `json:"system"`
	TLB       []stateTLB     `json:"tlb"`
	PageTable []statePTE     `json:"page_table"`
	First16   []statePTE     `json:"page_table_first16"`
	Cache     []stateLine    `json:"cache"`
	Memory    []stateBytes   `json:"memory"`

	Source      json.RawMessage `json:"source"`
	Comment     json.RawMessage `json:"comment"`
	Provenances json.RawMessage `json:"provenance_levels"`
}

type stateTLB struct {
	TLB   string `json:"tlb"` // itlb, dtlb or stlb; default dtlb
	Set   int    `json:"set"`
	Way   int    `json:"way"`
	Tag   num    `json:"tag"`
	PPN   *num   `json:"ppn"`
	Valid flag   `json:"valid"`
	doc
}

type statePTE struct {
	VPN      num   `json:"vpn"`
	PPN      *num  `json:"ppn"`
	Valid    flag  `json:"valid"`
	Writable *bool `json:"writable"`
	User     *bool `json:"user"`
	doc
}

type stateLine struct {
	Cache string `json:"cache"` // level name; default the first data level
	Set   *int   `json:"set"`
	Index *int   `json:"index"`
	Way   int    `json:"way"`
	Tag   num    `json:"tag"`
	Valid flag   `json:"valid"`
	Data  []num  `json:"data"`
	Block []num  `json:"blocks"`
	doc
}

type stateBytes struct {
	PA   num   `json:"pa"`
	Data []num `json:"data"`
	doc
}

// doc is what an entry may carry for people, ignored.
type doc struct {
	Provenance string `json:"provenance"`
	Note       string `json:"note"`
}

// num is a number written as a JSON number or a string in any Go base.
type num uint64

func (n *num) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return fmt.Errorf("%s is not a number", b)
	}
	*n = num(v)
	return nil
}

// flag is a boolean written as true/false or 1/0.
type flag bool

func (f *flag) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "true", "1":
		*f = true
	case "false", "0", "null":
		*f = false
	default:
		return fmt.Errorf("valid must be true, false, 1 or 0, not %s", b)
	}
	return nil
}

// plain turns the file as JSON has it into plain data.
func (s *stateFile) plain(where string) *File {
	f := &File{Where: where, System: s.System}
	for _, e := range s.TLB {
		f.TLB = append(f.TLB, TLBEntry{TLB: e.TLB, Set: e.Set, Way: e.Way, Tag: uint64(e.Tag),
			PPN: (*uint64)(e.PPN), Valid: bool(e.Valid)})
	}
	for _, e := range append(s.PageTable, s.First16...) {
		f.PageTable = append(f.PageTable, PTE{VPN: uint64(e.VPN), PPN: (*uint64)(e.PPN), Valid: bool(e.Valid),
			Writable: e.Writable, User: e.User})
	}
	for _, e := range s.Cache {
		l := Line{Cache: e.Cache, Set: e.Set, Way: e.Way, Tag: uint64(e.Tag), Valid: bool(e.Valid),
			Data: numbers(e.Data)}
		if l.Set == nil {
			l.Set = e.Index
		}
		if l.Data == nil {
			l.Data = numbers(e.Block)
		}
		f.Cache = append(f.Cache, l)
	}
	for _, e := range s.Memory {
		f.Memory = append(f.Memory, Bytes{PA: uint64(e.PA), Data: numbers(e.Data)})
	}
	return f
}

// numbers keeps nil as nil: a line without data is not a line of no bytes.
func numbers(ns []num) []uint64 {
	if ns == nil {
		return nil
	}
	out := make([]uint64, len(ns))
	for i, n := range ns {
		out[i] = uint64(n)
	}
	return out
}
