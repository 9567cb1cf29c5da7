package machine

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"

	"github.com/vmemu/vmemu/cache"
	"github.com/vmemu/vmemu/machine/state"
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/tlb"
)

// loadState presets the machine from a state file ("none" for nothing); a
// relative path is read from dir, the folder of the configuration file
// that names it. Every entry is checked against the machine, and two
// entries for one place (a TLB or cache set and way, a page, a byte of
// memory with two values) are refused, since the second would silently win.
func (m *Machine) loadState(name, dir string) error {
	if name == "" || name == "none" {
		return nil
	}
	s, err := state.Read(name, dir)
	if err != nil {
		return err
	}
	if err := m.checkSystem(s); err != nil {
		return err
	}
	pages := map[uint64]state.At{}
	for _, e := range s.PageTable {
		if err := m.statePTE(e, pages); err != nil {
			return s.Errorf(e.At, "%v", err)
		}
	}
	ways := map[place]state.At{}
	for _, e := range s.TLB {
		if err := m.stateTLB(e, ways); err != nil {
			return s.Errorf(e.At, "%v", err)
		}
	}
	var writes []byteWrite
	for _, e := range s.Cache {
		w, err := m.stateLine(e, ways)
		if err != nil {
			return s.Errorf(e.At, "%v", err)
		}
		if w.data != nil {
			writes = append(writes, w)
		}
	}
	for _, e := range s.Memory {
		writes = append(writes, byteWrite{pa: e.PA, data: e.Data, at: e.At})
	}
	return m.writeState(s, writes)
}

// place is one way of one set of a TLB or a cache, to find two entries
// for it.
type place struct {
	in       any // *tlb.TLB or *cache.Cache
	set, way int
}

// given refuses a second entry for one thing, naming the first.
func given[K comparable](seen map[K]state.At, k K, at state.At, what string) error {
	if first, ok := seen[k]; ok {
		return fmt.Errorf("%s is given twice: by %s (line %d) and here", what, first.Name, first.Line)
	}
	seen[k] = at
	return nil
}

// checkSystem compares the widths a state file was written for with the
// machine's, in the file's order.
func (m *Machine) checkSystem(s *state.File) error {
	if len(s.System) == 0 {
		return nil
	}
	if m.MMU == nil {
		return s.Errorf(s.System[0].At, "the machine has no MMU (mmu.enabled: false)")
	}
	widths := m.systemWidths()
	for _, w := range s.System {
		have, ok := widths[w.Key]
		if !ok {
			return s.Errorf(w.At, "the machine has no %s", w.Key)
		}
		if w.Value != have {
			return s.Errorf(w.At, "%d, but the machine has %d", w.Value, have)
		}
	}
	return nil
}

// systemWidths are the numbers of state.SystemKeys for this machine: its
// geometry, the TLB that entries go to by default (dtlb), and the first
// data cache level.
func (m *Machine) systemWidths() map[string]uint64 {
	g := m.Geometry
	va, pa, page := uint64(g.VABits), uint64(g.PABits), uint64(g.PageShift)
	c := m.Data
	sets, line := uint64(c.Sets()), uint64(c.Config().LineSize)
	setBits, lineBits := uint64(bits.TrailingZeros64(sets)), uint64(bits.TrailingZeros64(line))
	w := map[string]uint64{
		"va_bits": va, "pa_bits": pa, "page_bytes": 1 << page,
		"vpn_bits": va - page, "vpo_bits": page, "ppn_bits": pa - page,
		"word_bytes": 1, // a state file's data are bytes
		"cache.sets": sets, "cache.ways": uint64(c.Config().Ways), "cache.block_bytes": line,
		"cache.co_bits": lineBits, "cache.ci_bits": setBits, "cache.ct_bits": pa - setBits - lineBits,
	}
	if t := m.tlbNamed("dtlb"); t != nil {
		sets, ways := uint64(t.Sets()), uint64(t.Config().Ways)
		setBits := uint64(bits.TrailingZeros64(sets))
		w["tlb.entries"], w["tlb.sets"], w["tlb.ways"] = sets*ways, sets, ways
		w["tlb.tlbi_bits"], w["tlb.tlbt_bits"] = setBits, va-page-setBits
	}
	return w
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

// vpnFits checks a page number against the virtual address width, before
// shifting it into an address could wrap.
func (m *Machine) vpnFits(vpn uint64, what string, n uint64) error {
	g := m.Geometry
	if vpn > ^uint64(0)>>g.PageShift || !g.InRange(vpn<<g.PageShift) {
		return fmt.Errorf("%s %#x does not fit the %d-bit virtual address", what, n, g.VABits)
	}
	return nil
}

func (m *Machine) statePTE(e state.PTE, pages map[uint64]state.At) error {
	if err := m.needMMU(); err != nil {
		return err
	}
	if err := m.vpnFits(e.VPN, "vpn", e.VPN); err != nil {
		return err
	}
	if err := given(pages, e.VPN, e.At, fmt.Sprintf("vpn %#x", e.VPN)); err != nil {
		return err
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
	return m.Kernel.SetPTE(m.Process, e.VPN<<m.Geometry.PageShift, pte)
}

func (m *Machine) tlbNamed(name string) *tlb.TLB {
	for _, x := range m.MMU.TLBs() {
		if x.Config().Name == name {
			return x
		}
	}
	return nil
}

func (m *Machine) stateTLB(e state.TLBEntry, ways map[place]state.At) error {
	if err := m.needMMU(); err != nil {
		return err
	}
	name := e.TLB
	if name == "" {
		name = "dtlb"
	}
	t := m.tlbNamed(name)
	if t == nil {
		return fmt.Errorf("the machine has no TLB called %q", name)
	}
	if e.Set < 0 || e.Set >= t.Sets() {
		return fmt.Errorf("set %d out of range 0..%d", e.Set, t.Sets()-1)
	}
	setBits := bits.TrailingZeros(uint(t.Sets()))
	if e.Tag > ^uint64(0)>>setBits {
		return fmt.Errorf("tag %#x does not fit the %d-bit virtual address", e.Tag, m.Geometry.VABits)
	}
	vpn := t.VPN(e.Set, e.Tag)
	if err := m.vpnFits(vpn, "tag", e.Tag); err != nil {
		return err
	}
	if err := given(ways, place{t, e.Set, e.Way}, e.At, fmt.Sprintf("%s set %d way %d", name, e.Set, e.Way)); err != nil {
		return err
	}
	g := m.Geometry
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

// stateLine places a cache line and returns the bytes it carries for
// memory, which holds the truth.
func (m *Machine) stateLine(e state.Line, ways map[place]state.At) (byteWrite, error) {
	c := m.Data
	if e.Cache != "" {
		c = nil
		for _, x := range m.Caches {
			if x.Config().Name == e.Cache {
				c = x
			}
		}
		if c == nil {
			return byteWrite{}, fmt.Errorf("the machine has no cache called %q", e.Cache)
		}
	}
	name := c.Config().Name
	if err := m.lineTagFits(c, e.Tag); err != nil {
		return byteWrite{}, err
	}
	if err := given(ways, place{c, e.Set, e.Way}, e.At, fmt.Sprintf("%s set %d way %d", name, e.Set, e.Way)); err != nil {
		return byteWrite{}, err
	}
	if err := c.Place(e.Set, e.Way, e.Tag, e.Valid); err != nil {
		return byteWrite{}, err
	}
	if e.Data == nil {
		return byteWrite{}, nil
	}
	if len(e.Data) != c.Config().LineSize {
		return byteWrite{}, fmt.Errorf("%d data bytes for a %d-byte line", len(e.Data), c.Config().LineSize)
	}
	return byteWrite{pa: lineAddr(c, e.Tag, e.Set), data: e.Data, at: e.At}, nil
}

// lineTagFits checks that a line's tag, set and offset make an address
// of the machine: physical with an MMU, else 64 bits.
func (m *Machine) lineTagFits(c *cache.Cache, tag uint64) error {
	addrBits, what := 64, "a 64-bit address"
	if m.MMU != nil {
		addrBits, what = int(m.Geometry.PABits), fmt.Sprintf("the %d-bit physical address", m.Geometry.PABits)
	}
	tagBits := addrBits - bits.TrailingZeros(uint(c.Sets())) - bits.TrailingZeros(uint(c.Config().LineSize))
	if tagBits < 0 || (tagBits < 64 && tag>>tagBits != 0) {
		return fmt.Errorf("tag %#x does not fit %s", tag, what)
	}
	return nil
}

func lineAddr(c *cache.Cache, tag uint64, set int) uint64 {
	setBits := bits.TrailingZeros(uint(c.Sets()))
	return (tag<<setBits | uint64(set)) * uint64(c.Config().LineSize)
}

// byteWrite is bytes a state file puts in memory: a memory entry's, or a
// cache line's.
type byteWrite struct {
	pa   uint64
	data []byte
	at   state.At
}

// writeState writes the state file's bytes to memory, after checking that
// each lies inside the physical address space and that no byte is given
// two values.
func (m *Machine) writeState(s *state.File, writes []byteWrite) error {
	if len(writes) == 0 {
		return nil
	}
	if m.Phys == nil {
		return s.Errorf(writes[0].at, "the machine keeps no memory contents (mmu.enabled: false)")
	}
	limit := uint64(1) << m.Geometry.PABits
	for _, w := range writes {
		if w.pa >= limit || uint64(len(w.data)) > limit-w.pa {
			return s.Errorf(w.at, "pa %#x and %d bytes go beyond the %d-bit physical address", w.pa, len(w.data), m.Geometry.PABits)
		}
	}
	if err := firstConflict(s, writes); err != nil {
		return err
	}
	for _, w := range writes {
		m.Phys.Write(w.pa, w.data)
	}
	return nil
}

// firstConflict finds a byte that two writes give different values. Sorted
// by address, each write need only be compared with the earlier one that
// reaches furthest: any earlier write that covers one of its bytes ends no
// later, and agrees with it there.
func firstConflict(s *state.File, writes []byteWrite) error {
	sorted := slices.Clone(writes)
	slices.SortStableFunc(sorted, func(a, b byteWrite) int { return cmp.Compare(a.pa, b.pa) })
	reach := sorted[0]
	for _, w := range sorted[1:] {
		end := min(reach.pa+uint64(len(reach.data)), w.pa+uint64(len(w.data)))
		for pa := w.pa; pa < end; pa++ {
			if reach.data[pa-reach.pa] != w.data[pa-w.pa] {
				first, second := reach, w
				if first.at.Line > second.at.Line {
					first, second = second, first
				}
				return s.Errorf(second.at, "the byte at pa %#x is %#x here but %#x in %s (line %d)",
					pa, second.data[pa-second.pa], first.data[pa-first.pa], first.at.Name, first.at.Line)
			}
		}
		if w.pa+uint64(len(w.data)) > reach.pa+uint64(len(reach.data)) {
			reach = w
		}
	}
	return nil
}
