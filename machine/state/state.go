package state

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"os"
)

//go:embed states/*.json
var builtin embed.FS

// File is a state file's entries, as plain data. Alternative field names
// are resolved (index for set, blocks for data); whether an entry fits a
// machine is for the machine to say when it applies it.
type File struct {
	// Where names the file in errors: "state NAME" for a built-in one,
	// else its path.
	Where string
	// System holds the widths the file was written for (va_bits, pa_bits,
	// page_bytes), as JSON gave them; nil when the file has none.
	System    map[string]any
	TLB       []TLBEntry
	PageTable []PTE // page_table, then page_table_first16
	Cache     []Line
	Memory    []Bytes
}

// TLBEntry is one TLB way's contents.
type TLBEntry struct {
	TLB      string // itlb, dtlb or stlb; "" for dtlb
	Set, Way int
	Tag      uint64
	PPN      *uint64 // nil when the file gives none
	Valid    bool
}

// PTE is one leaf page-table entry.
type PTE struct {
	VPN            uint64
	PPN            *uint64 // nil when the file gives none
	Valid          bool
	Writable, User *bool // nil: the default, true
}

// Line is one cache line: its place, its tag and maybe its bytes.
type Line struct {
	Cache string // the level's name; "" for the first data level
	Set   *int   // nil when the file gives neither set nor index
	Way   int
	Tag   uint64
	Valid bool
	Data  []uint64 // nil when the file gives no bytes
}

// Bytes are bytes of memory from a physical address on.
type Bytes struct {
	PA   uint64
	Data []uint64
}

// Read reads a state file by path, or a built-in one by name.
func Read(name string) (*File, error) {
	data, err := builtin.ReadFile("states/" + name + ".json")
	where := "state " + name
	if err != nil {
		where = name
		if data, err = os.ReadFile(name); err != nil {
			if pe, ok := err.(*os.PathError); ok {
				err = pe.Err // the path is said once, in front
			}
			return nil, fmt.Errorf("%s: %v", name, err)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s stateFile
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: %s", where, jsonError(data, err))
	}
	return s.plain(where), nil
}

// ToBytes checks that every value is a byte.
func ToBytes(data []uint64) ([]byte, error) {
	b := make([]byte, len(data))
	for i, v := range data {
		if v > 0xff {
			return nil, fmt.Errorf("byte %d is %#x, more than a byte", i, v)
		}
		b[i] = byte(v)
	}
	return b, nil
}

// jsonError names the line of a JSON error where it can.
func jsonError(data []byte, err error) string {
	var off int64 = -1
	switch e := err.(type) {
	case *json.SyntaxError:
		off = e.Offset
	case *json.UnmarshalTypeError:
		off = e.Offset
	}
	if off < 0 {
		return err.Error()
	}
	line := 1 + bytes.Count(data[:min(int(off), len(data))], []byte("\n"))
	return fmt.Sprintf("line %d: %v", line, err)
}
