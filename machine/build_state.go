package machine

import (
	"fmt"

	"github.com/vmemu/vmemu/cache"
	"github.com/vmemu/vmemu/machine/state"
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/tlb"
)

// loadState presets the machine from a state file ("none" for nothing).
func (m *Machine) loadState(name string) error {
	if name == "" || name == "none" {
		return nil
	}
	s, err := state.Read(name)
	if err != nil {
		return err
	}
	where := s.Where
	fail := func(what string, i int, err error) error {
		return fmt.Errorf("%s: %s entry %d: %v", where, what, i, err)
	}
	if err := m.checkSystem(s.System); err != nil {
		return fmt.Errorf("%s: system: %v", where, err)
	}
	for i, e := range s.PageTable {
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
		if err := m.stateBytes(e.PA, e.Data); err != nil {
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

func (m *Machine) statePTE(e state.PTE) error {
	if err := m.needMMU(); err != nil {
		return err
	}
	g := m.Geometry
	va := e.VPN << g.PageShift
	if !g.InRange(va) {
		return fmt.Errorf("vpn %#x does not fit the %d-bit virtual address", e.VPN, g.VABits)
	}
	var pte mmu.PTE
	if e.Valid {
		if e.PPN == nil {
			return fmt.Errorf("a valid entry needs a ppn")
		}
		if err := m.frameFits(*e.PPN); err != nil {
			return err
		}
		pte = mmu.MakePTE(*e.PPN, mmu.Present|mmu.Writable|mmu.User)
		if e.Writable != nil && !*e.Writable {
			pte &^= mmu.Writable
		}
		if e.User != nil && !*e.User {
			pte &^= mmu.User
		}
	}
	return m.Kernel.SetPTE(m.Process, va, pte)
}

func (m *Machine) stateTLB(e state.TLBEntry) error {
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
	vpn := t.VPN(e.Set, e.Tag)
	if !g.InRange(vpn << g.PageShift) {
		return fmt.Errorf("tag %#x does not fit the %d-bit virtual address", e.Tag, g.VABits)
	}
	entry := tlb.Entry{VPN: vpn, PageShift: uint8(g.PageShift), PCID: m.Process.PCID, Writable: true, User: true}
	if e.Valid {
		if e.PPN == nil {
			return fmt.Errorf("a valid entry needs a ppn")
		}
		if err := m.frameFits(*e.PPN); err != nil {
			return err
		}
		entry.PFN = *e.PPN
	}
	return t.Set(e.Set, e.Way, entry, e.Valid)
}

func (m *Machine) stateLine(e state.Line) error {
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
		return fmt.Errorf("a cache line needs its set (or index)")
	}
	if err := c.Place(*set, e.Way, e.Tag, e.Valid); err != nil {
		return err
	}
	data := e.Data
	if data == nil {
		return nil
	}
	if len(data) != c.Config().LineSize {
		return fmt.Errorf("%d data bytes for a %d-byte line", len(data), c.Config().LineSize)
	}
	return m.stateBytes(lineAddr(c, e.Tag, *set), data)
}

func lineAddr(c *cache.Cache, tag uint64, set int) uint64 {
	setBits := 0
	for 1<<setBits < c.Sets() {
		setBits++
	}
	return (tag<<setBits | uint64(set)) * uint64(c.Config().LineSize)
}

func (m *Machine) stateBytes(pa uint64, data []uint64) error {
	if m.Phys == nil {
		return fmt.Errorf("the machine keeps no memory contents (mmu.enabled: false)")
	}
	b, err := state.ToBytes(data)
	if err != nil {
		return err
	}
	m.Phys.Write(pa, b)
	return nil
}
