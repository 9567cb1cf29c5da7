package state

import (
	"embed"
	"fmt"
	"path/filepath"

	"github.com/vmemu/vmemu/machine/config"
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
	// page_bytes, tlb.sets, cache.block_bytes, ...), in the file's order;
	// empty when the file has none.
	System    []Width
	TLB       []TLBEntry
	PageTable []PTE // page_table, then page_table_first16
	Cache     []Line
	Memory    []Bytes
}

// At is where an entry is: its line, and its name ("tlb entry 3").
type At struct {
	Line int
	Name string
}

// Width is one number of the system a file was written for: its name,
// dotted under tlb and cache ("va_bits", "tlb.sets").
type Width struct {
	At
	Key   string
	Value uint64
}

// TLBEntry is one TLB way's contents.
type TLBEntry struct {
	At
	TLB      string // itlb, dtlb or stlb; "" for dtlb
	Set, Way int
	Tag      uint64
	PPN      *uint64 // nil when the file gives none
	Valid    bool
}

// PTE is one leaf page-table entry.
type PTE struct {
	At
	VPN            uint64
	PPN            *uint64 // nil when the file gives none
	Valid          bool
	Writable, User *bool // nil: the default, true
}

// Line is one cache line: its place, its tag and maybe its bytes.
type Line struct {
	At
	Cache string // the level's name; "" for the first data level
	Set   int
	Way   int
	Tag   uint64
	Valid bool
	Data  []byte // nil when the file gives no bytes
}

// Bytes are bytes of memory from a physical address on.
type Bytes struct {
	At
	PA   uint64
	Data []byte
}

// Errorf places a mistake found when an entry is applied to a machine.
func (f *File) Errorf(at At, format string, args ...any) error {
	return errAt(f.Where, at.Line, at.Name, fmt.Sprintf(format, args...))
}

// errAt is a mistake in a state file, as a configuration error: the file
// and the line ("s.json:7"; no line for the file as a whole), the entry
// and its field ("tlb entry 3: set"), and what is wrong.
func errAt(where string, line int, field, msg string) error {
	if line > 0 {
		where = fmt.Sprintf("%s:%d", where, line)
	}
	return &config.Error{Where: where, Key: field, Msg: msg}
}

// Read reads a built-in state file by name, or a state file by path; a
// relative path is read from dir (the folder of the configuration file
// that names it; "" for the current folder).
func Read(name, dir string) (*File, error) {
	if data, err := builtin.ReadFile("states/" + name + ".json"); err == nil {
		return Parse("state "+name, data)
	}
	path := name
	if dir != "" && !filepath.IsAbs(name) {
		path = filepath.Join(dir, name)
	}
	data, err := config.ReadFile(path)
	if err != nil {
		return nil, errAt(path, 0, "", err.Error())
	}
	return Parse(path, data)
}
