package machine

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/vmemu/vmemu/cache"
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/tlb"
)

//go:embed states/*.json
var stateFiles embed.FS

// A state file presets a machine for an exercise: TLB entries, leaf
// page-table entries, cache lines and memory bytes. Numbers may be JSON
// numbers or strings ("0x0D"); valid may be 0/1 or true/false. The field
// names of ../shared/refdata/csapp-vm/small_memory_system.json are accepted
// too (index for set, blocks for data, page_table_first16), and the
// documentation it carries (provenance, notes, source) is ignored.
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

// readState reads a state file by path, or an embedded one by name.
func readState(name string) (*stateFile, string, error) {
	data, err := stateFiles.ReadFile("states/" + name + ".json")
	where := "state " + name
	if err != nil {
		where = name
		if data, err = os.ReadFile(name); err != nil {
			if pe, ok := err.(*os.PathError); ok {
				err = pe.Err // the path is said once, in front
			}
			return nil, name, fmt.Errorf("%s: %v", name, err)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s stateFile
	if err := dec.Decode(&s); err != nil {
		return nil, where, fmt.Errorf("%s: %s", where, jsonError(data, err))
	}
	return &s, where, nil
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

// loadState presets the machine from a state file ("none" for nothing).
func (m *Machine) loadState(name string) error {
	if name == "" || name == "none" {
		return nil
	}
	s, where, err := readState(name)
	if err != nil {
		return err
	}
	fail := func(what string, i int, err error) error {
		return fmt.Errorf("%s: %s entry %d: %v", where, what, i, err)
	}
	if err := m.checkSystem(s.System); err != nil {
		return fmt.Errorf("%s: system: %v", where, err)
	}
	for i, e := range append(s.PageTable, s.First16...) {
		if err := m.statePTE(e); err != nil {
			return fail("page_table", i, err)
		}
	}
	for i, e := range s.TLB {
		if err := m.stateTLB(e); err != nil {
			return fail("tlb", i, err)
		}
	}
	for i, e := range s.Cache {
		if err := m.stateLine(e); err != nil {
			return fail("cache", i, err)
		}
	}
	for i, e := range s.Memory {
		if err := m.stateBytes(uint64(e.PA), e.Data); err != nil {
			return fail("memory", i, err)
		}
	}
	return nil
}

// checkSystem compares the widths a state file was written for with the
// machine's.
func (m *Machine) checkSystem(sys map[string]any) error {
	if sys == nil {
		return nil
	}
	if m.MMU == nil {
		return fmt.Errorf("the machine has no MMU (mmu.enabled: false)")
	}
	g := m.Geometry
	for key, want := range map[string]uint64{"va_bits": uint64(g.VABits), "pa_bits": uint64(g.PABits), "page_bytes": 1 << g.PageShift} {
		if v, ok := sys[key].(float64); ok && uint64(v) != want {
			return fmt.Errorf("%s is %v, the machine has %d", key, v, want)
		}
	}
	return nil
}

func (m *Machine) needMMU() error {
	if m.MMU == nil {
		return fmt.Errorf("the machine has no MMU (mmu.enabled: false)")
	}
	return nil
}

func (m *Machine) frameFits(ppn uint64) error {
	g := m.Geometry
	if ppn >= 1<<(g.PABits-g.PageShift) {
		return fmt.Errorf("ppn %#x does not fit the %d-bit physical address", ppn, g.PABits)
	}
	return nil
}

func (m *Machine) statePTE(e statePTE) error {
	if err := m.needMMU(); err != nil {
		return err
	}
	g := m.Geometry
	va := uint64(e.VPN) << g.PageShift
	if !g.InRange(va) {
		return fmt.Errorf("vpn %#x does not fit the %d-bit virtual address", uint64(e.VPN), g.VABits)
	}
	var pte mmu.PTE
	if e.Valid {
		if e.PPN == nil {
			return fmt.Errorf("a valid entry needs a ppn")
		}
		if err := m.frameFits(uint64(*e.PPN)); err != nil {
			return err
		}
		pte = mmu.MakePTE(uint64(*e.PPN), mmu.Present|mmu.Writable|mmu.User)
		if e.Writable != nil && !*e.Writable {
			pte &^= mmu.Writable
		}
		if e.User != nil && !*e.User {
			pte &^= mmu.User
		}
	}
	return m.Kernel.SetPTE(m.Process, va, pte)
}

func (m *Machine) stateTLB(e stateTLB) error {
	if err := m.needMMU(); err != nil {
		return err
	}
	name := e.TLB
	if name == "" {
		name = "dtlb"
	}
	var t *tlb.TLB
	for _, x := range m.MMU.TLBs() {
		if x.Config().Name == name {
			t = x
		}
	}
	if t == nil {
		return fmt.Errorf("the machine has no TLB called %q", name)
	}
	if e.Set < 0 || e.Set >= t.Sets() {
		return fmt.Errorf("set %d out of range 0..%d", e.Set, t.Sets()-1)
	}
	g := m.Geometry
	vpn := t.VPN(e.Set, uint64(e.Tag))
	if !g.InRange(vpn << g.PageShift) {
		return fmt.Errorf("tag %#x does not fit the %d-bit virtual address", uint64(e.Tag), g.VABits)
	}
	entry := tlb.Entry{VPN: vpn, PageShift: uint8(g.PageShift), PCID: m.Process.PCID, Writable: true, User: true}
	if e.Valid {
		if e.PPN == nil {
			return fmt.Errorf("a valid entry needs a ppn")
		}
		if err := m.frameFits(uint64(*e.PPN)); err != nil {
			return err
		}
		entry.PFN = uint64(*e.PPN)
	}
	return t.Set(e.Set, e.Way, entry, bool(e.Valid))
}

func (m *Machine) stateLine(e stateLine) error {
	c := m.Data
	if e.Cache != "" {
		c = nil
		for _, x := range m.Caches {
			if x.Config().Name == e.Cache {
				c = x
			}
		}
		if c == nil {
			return fmt.Errorf("the machine has no cache called %q", e.Cache)
		}
	}
	set := e.Set
	if set == nil {
		set = e.Index
	}
	if set == nil {
		return fmt.Errorf("a cache line needs its set (or index)")
	}
	if err := c.Place(*set, e.Way, uint64(e.Tag), bool(e.Valid)); err != nil {
		return err
	}
	data := e.Data
	if data == nil {
		data = e.Block
	}
	if data == nil {
		return nil
	}
	if len(data) != c.Config().LineSize {
		return fmt.Errorf("%d data bytes for a %d-byte line", len(data), c.Config().LineSize)
	}
	return m.stateBytes(lineAddr(c, uint64(e.Tag), *set), data)
}

func lineAddr(c *cache.Cache, tag uint64, set int) uint64 {
	setBits := 0
	for 1<<setBits < c.Sets() {
		setBits++
	}
	return (tag<<setBits | uint64(set)) * uint64(c.Config().LineSize)
}

func (m *Machine) stateBytes(pa uint64, data []num) error {
	if m.Phys == nil {
		return fmt.Errorf("the machine keeps no memory contents (mmu.enabled: false)")
	}
	b := make([]byte, len(data))
	for i, v := range data {
		if v > 0xff {
			return fmt.Errorf("byte %d is %#x, more than a byte", i, uint64(v))
		}
		b[i] = byte(v)
	}
	m.Phys.Write(pa, b)
	return nil
}
