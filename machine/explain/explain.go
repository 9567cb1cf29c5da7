package explain

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vmemu/vmemu/machine"
	"github.com/vmemu/vmemu/memside"
	"github.com/vmemu/vmemu/mmu"
	"github.com/vmemu/vmemu/sim"
)

// Explanation is the coursework breakdown of one load: how its virtual
// address splits, what the TLB and page walk did, and how the physical
// address meets the first data cache. Pointers are null after a page fault.
type Explanation struct {
	VA        uint64     `json:"va"`
	VPN       uint64     `json:"vpn"`
	VPO       uint64     `json:"vpo"`
	TLBI      uint64     `json:"tlbi"`
	TLBT      uint64     `json:"tlbt"`
	TLBHit    bool       `json:"tlb_hit"`
	PageFault bool       `json:"page_fault"`
	Fault     string     `json:"fault,omitempty"`
	PPN       *uint64    `json:"ppn"`
	PA        *uint64    `json:"pa"`
	CO        *uint64    `json:"co"`
	CI        *uint64    `json:"ci"`
	CT        *uint64    `json:"ct"`
	CacheHit  *bool      `json:"cache_hit"`
	Byte      *uint64    `json:"byte"`
	Walk      []WalkStep `json:"walk"`
}

// WalkStep is one page-table entry a walk read.
type WalkStep struct {
	Level     int    `json:"level"`
	Index     uint64 `json:"index"`
	EntryAddr uint64 `json:"pte_addr"`
	Entry     uint64 `json:"pte"`
	Present   bool   `json:"present"`
	ServedBy  string `json:"served_by"`
}

// ParseAddress reads a virtual address written in hex (0x...) or decimal
// and checks it fits the machine's virtual address width.
func ParseAddress(m *machine.Machine, s string) (uint64, error) {
	va, err := strconv.ParseUint(strings.TrimSpace(s), 0, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not an address (write it like 0x03d4)", s)
	}
	if m.MMU != nil && !m.Geometry.InRange(va) {
		return 0, fmt.Errorf("address %#x is wider than the %d-bit virtual address", va, m.Geometry.VABits)
	}
	return va, nil
}

// Address performs a one-byte load of va, as the machine would, through
// the memory side every access takes, and says what happened at each step
// from the access's outcome. Faults are not mended: a page that is not
// mapped is reported as a page fault.
func Address(m *machine.Machine, va uint64) (*Explanation, error) {
	if m.MMU == nil {
		return nil, fmt.Errorf("the machine does not translate (mmu.enabled: false)")
	}
	g := m.Geometry
	x := &Explanation{VA: va, VPN: va >> g.PageShift, VPO: va & (1<<g.PageShift - 1)}
	if t := m.MMU.DTLB(); t != nil {
		set, tag := t.Index(va, g.PageShift)
		x.TLBI, x.TLBT = uint64(set), tag
	}
	m.Kernel.DemandZero = false
	defer func() { m.Kernel.DemandZero = true }()
	var steps []mmu.Step
	a := &memside.Access{VA: va, Size: 1, Kind: sim.Load, Data: true, Steps: &steps, Done: noWaiter{}}
	if _, ok := m.NewSide().Access(m.Engine.Now(), a); !ok {
		m.Engine.Run()
	}
	x.TLBHit = !a.Out.Walked
	for _, s := range steps {
		x.Walk = append(x.Walk, WalkStep{Level: s.Level, Index: s.Index, EntryAddr: s.EntryAddr,
			Entry: uint64(s.Entry), Present: s.Entry&mmu.Present != 0, ServedBy: m.Levels[s.Served.ID].Name})
	}
	if a.Out.Faulted {
		x.PageFault, x.Fault = true, a.Out.Cause.String()
		return x, nil
	}
	pa := a.Out.PA
	ppn := pa >> g.PageShift
	tag, set, off := m.Data.Split(pa)
	ci := uint64(set)
	hit, v := !a.Out.Missed, a.Out.Value
	x.PPN, x.PA, x.CO, x.CI, x.CT = &ppn, &pa, &off, &ci, &tag
	x.CacheHit, x.Byte = &hit, &v
	return x, nil
}

// noWaiter is the waiter of an access whose end is read after the engine
// has run dry.
type noWaiter struct{}

func (noWaiter) AccessDone(*memside.Access, sim.Cycle) {}
