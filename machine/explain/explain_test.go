package explain

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/machine"
	"github.com/vmemu/vmemu/machine/config"
)

func ptr[T any](v T) *T { return &v }

// The CS:APP 3e small memory system (section 9.6.4): the worked example of
// figure 9.20 and the answers to practice problems 9.11 to 9.13.
func TestExplainCSAPPSmall(t *testing.T) {
	tests := []struct {
		name string
		va   uint64
		want Explanation
	}{
		{"worked example 0x03d4", 0x03d4, Explanation{VA: 0x03d4, VPN: 0x0f, VPO: 0x14, TLBI: 3, TLBT: 0x03, TLBHit: true,
			PPN: ptr[uint64](0x0d), PA: ptr[uint64](0x354), CO: ptr[uint64](0), CI: ptr[uint64](5), CT: ptr[uint64](0x0d),
			CacheHit: ptr(true), Byte: ptr[uint64](0x36)}},
		{"problem 9.11 0x027c", 0x027c, Explanation{VA: 0x027c, VPN: 0x09, VPO: 0x3c, TLBI: 1, TLBT: 0x02,
			PPN: ptr[uint64](0x17), PA: ptr[uint64](0x5fc), CO: ptr[uint64](0), CI: ptr[uint64](0xf), CT: ptr[uint64](0x17),
			CacheHit: ptr(false), Byte: ptr[uint64](0)}},
		{"problem 9.12 0x03a9", 0x03a9, Explanation{VA: 0x03a9, VPN: 0x0e, VPO: 0x29, TLBI: 2, TLBT: 0x03,
			PPN: ptr[uint64](0x11), PA: ptr[uint64](0x469), CO: ptr[uint64](1), CI: ptr[uint64](0xa), CT: ptr[uint64](0x11),
			CacheHit: ptr(false), Byte: ptr[uint64](0)}},
		{"problem 9.13 0x0040", 0x0040, Explanation{VA: 0x0040, VPN: 0x01, VPO: 0, TLBI: 1, TLBT: 0,
			PageFault: true, Fault: "not present"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Load("csapp-small")
			if err != nil {
				t.Fatal(err)
			}
			m, err := machine.Build(cfg)
			if err != nil {
				t.Fatal(err)
			}
			x, err := Address(m, tc.va)
			if err != nil {
				t.Fatal(err)
			}
			x.Walk = nil // checked below
			if diff := cmp.Diff(tc.want, *x); diff != "" {
				t.Errorf("(-book +emu):\n%s", diff)
			}
		})
	}
}

// A TLB miss on the small system reads one entry, from memory (the book's
// page table is not cached), at the root plus 8 x VPN.
func TestExplainWalkStep(t *testing.T) {
	cfg, _ := config.Load("csapp-small")
	m, err := machine.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	x, err := Address(m, 0x027c)
	if err != nil {
		t.Fatal(err)
	}
	want := []WalkStep{{Level: 1, Index: 9, EntryAddr: 0x1000 + 9*8, Entry: 0x17<<12 | 7, Present: true, ServedBy: "memory"}}
	if diff := cmp.Diff(want, x.Walk); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
