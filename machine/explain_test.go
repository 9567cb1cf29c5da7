package machine

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
			m, err := Build(cfg)
			if err != nil {
				t.Fatal(err)
			}
			x, err := m.Explain(tc.va)
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
	m, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	x, err := m.Explain(0x027c)
	if err != nil {
		t.Fatal(err)
	}
	want := []WalkStep{{Level: 1, Index: 9, EntryAddr: 0x1000 + 9*8, Entry: 0x17<<12 | 7, Present: true, ServedBy: "memory"}}
	if diff := cmp.Diff(want, x.Walk); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestStateFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content, want string
	}{
		{"set out of range", `{"tlb":[{"set":4,"way":0,"tag":"0x1","ppn":"0x2","valid":1}]}`, "tlb entry 0: set 4 out of range 0..3"},
		{"ppn too wide", `{"page_table":[{"vpn":"0x1","ppn":"0x40","valid":1}]}`, "ppn 0x40 does not fit the 12-bit physical address"},
		{"vpn too wide", `{"page_table":[{"vpn":"0x100","ppn":"0x1","valid":1}]}`, "vpn 0x100 does not fit the 14-bit virtual address"},
		{"tag too wide", `{"tlb":[{"set":0,"way":0,"tag":"0x40","ppn":"0x1","valid":1}]}`, "tag 0x40 does not fit the 14-bit virtual address"},
		{"way out of range", `{"tlb":[{"set":0,"way":4,"tag":"0x1","ppn":"0x1","valid":1}]}`, "way"},
		{"cache set", `{"cache":[{"set":16,"tag":"0x1","valid":1}]}`, "set 16 out of range 0..15"},
		{"cache bytes", `{"cache":[{"set":1,"tag":"0x1","valid":1,"data":["0x1"]}]}`, "1 data bytes for a 4-byte line"},
		{"not a byte", `{"memory":[{"pa":"0x10","data":["0x100"]}]}`, "more than a byte"},
		{"unknown field", `{"tlb":[{"sett":0}]}`, `unknown field "sett"`},
		{"syntax", "{\n\"tlb\": [,]}", "line 2"},
		{"wrong system", `{"system":{"va_bits":16}}`, "va_bits is 16, the machine has 14"},
		{"valid without ppn", `{"tlb":[{"set":0,"way":0,"tag":"0x1","valid":1}]}`, "a valid entry needs a ppn"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := dir + "/" + strings.ReplaceAll(tc.name, " ", "_") + ".json"
			writeTestFile(t, path, tc.content)
			cfg, _ := config.Load("csapp-small")
			if err := cfg.Set("state", path); err != nil {
				t.Fatal(err)
			}
			_, err := Build(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %v; want one naming the file and saying %q", err, tc.want)
			}
		})
	}
}
