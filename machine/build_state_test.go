package machine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/machine/state"
)

// buildWithState builds csapp-small (12-bit physical, 14-bit virtual
// addresses, 64-byte pages, a 4-set 4-way dtlb, a 16-set direct-mapped l1
// of 4-byte lines) with the state file given.
func buildWithState(t *testing.T, path string, sets ...string) (*Machine, error) {
	t.Helper()
	return Build(configFor(t, "csapp-small", append([]string{"state=" + path}, sets...)...))
}

func TestStateFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content, want string
	}{
		{"set out of range", `{"tlb":[{"set":4,"way":0,"tag":"0x1","ppn":"0x2","valid":1}]}`, ":1: tlb entry 0: set 4 out of range 0..3"},
		{"ppn too wide", `{"page_table":[{"vpn":"0x1","ppn":"0x40","valid":1}]}`, ":1: page_table entry 0: ppn 0x40 does not fit the 12-bit physical address"},
		{"vpn too wide", `{"page_table":[{"vpn":"0x100","ppn":"0x1","valid":1}]}`, ":1: page_table entry 0: vpn 0x100 does not fit the 14-bit virtual address"},
		{"vpn wraps", `{"page_table":[{"vpn":"0x400000000000000","ppn":"0x1","valid":1}]}`, ":1: page_table entry 0: vpn 0x400000000000000 does not fit the 14-bit virtual address"},
		{"vpn all ones", `{"page_table":[{"vpn":"0xFFFFFFFFFFFFFFFF","valid":0}]}`, ":1: page_table entry 0: vpn 0xffffffffffffffff does not fit the 14-bit virtual address"},
		{"tag too wide", `{"tlb":[{"set":0,"way":0,"tag":"0x40","ppn":"0x1","valid":1}]}`, ":1: tlb entry 0: tag 0x40 does not fit the 14-bit virtual address"},
		{"tag wraps the set bits", `{"tlb":[{"set":0,"way":0,"tag":"0x4000000000000000","ppn":"0x1","valid":1}]}`, ":1: tlb entry 0: tag 0x4000000000000000 does not fit the 14-bit virtual address"},
		{"tag wraps the page bits", `{"tlb":[{"set":0,"way":0,"tag":"0x100000000000000","ppn":"0x1","valid":1}]}`, ":1: tlb entry 0: tag 0x100000000000000 does not fit the 14-bit virtual address"},
		{"way out of range", `{"tlb":[{"set":0,"way":4,"tag":"0x1","ppn":"0x1","valid":1}]}`, `:1: tlb entry 0: tlb "dtlb": set 0 way 4: way out of range (0 to 3)`},
		{"no such tlb", `{"tlb":[{"tlb":"stlb","set":0,"tag":"0x1"}]}`, `:1: tlb entry 0: the machine has no TLB called "stlb"`},
		{"cache set", `{"cache":[{"set":16,"tag":"0x1","valid":1}]}`, ":1: cache entry 0: l1: set 16 out of range 0..15"},
		{"cache tag beyond the physical address", `{"cache":[{"set":1,"tag":"0x40","valid":1}]}`, ":1: cache entry 0: tag 0x40 does not fit the 12-bit physical address"},
		{"cache tag all ones", `{"cache":[{"set":1,"tag":"0xFFFFFFFFFFFFFFFF","valid":1,"data":[1,2,3,4]}]}`, ":1: cache entry 0: tag 0xffffffffffffffff does not fit the 12-bit physical address"},
		{"no such cache", `{"cache":[{"cache":"l2","set":1,"tag":"0x1"}]}`, `:1: cache entry 0: the machine has no cache called "l2"`},
		{"cache bytes", `{"cache":[{"set":1,"tag":"0x1","valid":1,"data":["0x1"]}]}`, ":1: cache entry 0: 1 data bytes for a 4-byte line"},
		{"not a byte", `{"memory":[{"pa":"0x10","data":["0x100"]}]}`, ":1: memory entry 0: data: byte 0 is 0x100, more than a byte"},
		{"unknown field", `{"tlb":[{"sett":0}]}`, `:1: tlb entry 0: sett: unknown field "sett"`},
		{"syntax", "{\n\"tlb\": [,]}", ":2: invalid character ','"},
		{"empty", "", ": empty; a state file is a JSON object"},
		{"valid without ppn", `{"tlb":[{"set":0,"way":0,"tag":"0x1","valid":1}]}`, ":1: tlb entry 0: a valid entry needs a ppn"},
		{"pa beyond the machine", `{"memory":[{"pa":"0xFFFFFFFF","data":[1]}]}`, ":1: memory entry 0: pa 0xffffffff and 1 bytes go beyond the 12-bit physical address"},
		{"pa wraps", `{"memory":[{"pa":"0xFFFFFFFFFFFFFFFF","data":[1,2]}]}`, ":1: memory entry 0: pa 0xffffffffffffffff and 2 bytes go beyond the 12-bit physical address"},
		{"bytes run past the end", `{"memory":[{"pa":"0xFFF","data":[1,2]}]}`, ":1: memory entry 0: pa 0xfff and 2 bytes go beyond the 12-bit physical address"},
		{"tlb way twice", "{\"tlb\":[{\"set\":1,\"way\":0,\"tag\":1,\"ppn\":1,\"valid\":1},\n{\"set\":1,\"way\":0,\"tag\":2,\"ppn\":2,\"valid\":1}]}",
			":2: tlb entry 1: dtlb set 1 way 0 is given twice: by tlb entry 0 (line 1) and here"},
		{"tlb way twice by name", "{\"tlb\":[{\"set\":1,\"tag\":1},\n{\"tlb\":\"dtlb\",\"set\":1,\"tag\":2}]}",
			":2: tlb entry 1: dtlb set 1 way 0 is given twice: by tlb entry 0 (line 1) and here"},
		{"cache way twice", "{\"cache\":[{\"set\":5,\"tag\":1,\"valid\":1},\n{\"cache\":\"l1\",\"index\":5,\"tag\":2,\"valid\":0}]}",
			":2: cache entry 1: l1 set 5 way 0 is given twice: by cache entry 0 (line 1) and here"},
		{"page twice", "{\"page_table\":[{\"vpn\":1,\"ppn\":1,\"valid\":1}],\n\"page_table_first16\":[{\"vpn\":1,\"valid\":0}]}",
			":2: page_table_first16 entry 0: vpn 0x1 is given twice: by page_table entry 0 (line 1) and here"},
		{"a byte given two values", "{\"cache\":[{\"set\":5,\"tag\":\"0xD\",\"valid\":1,\"data\":[54,114,240,29]}],\n\"memory\":[{\"pa\":\"0x350\",\"data\":[0,0,0,0,54,115]}]}",
			":2: memory entry 0: the byte at pa 0x355 is 0x73 here but 0x72 in cache entry 0 (line 1)"},
		{"two memory entries disagree", "{\"memory\":[{\"pa\":16,\"data\":[1,2,3,4,5,6,7,8]},\n{\"pa\":18,\"data\":[3]},\n{\"pa\":20,\"data\":[5,9]}]}",
			":3: memory entry 2: the byte at pa 0x15 is 0x9 here but 0x6 in memory entry 0 (line 1)"},
		{"wrong system", `{"system":{"va_bits":16}}`, ":1: system: va_bits: 16, but the machine has 14"},
		{"wrong tlb sets", `{"system":{"tlb":{"sets":8}}}`, ":1: system: tlb.sets: 8, but the machine has 4"},
		{"wrong cache lines", `{"system":{"cache":{"block_bytes":"0x8"}}}`, ":1: system: cache.block_bytes: 8, but the machine has 4"},
		{"system not numeric", `{"system":{"va_bits":"x"}}`, `:1: system: va_bits: "x" is not a number`},
		{"system unknown", `{"system":{"va_bitz":14}}`, `:1: system: va_bitz: unknown field "va_bitz"`},
		// Two wrong widths: the first in the file is named, every time.
		{"first wrong width", "{\"system\":{\"page_bytes\":32,\n\"va_bits\":16,\"pa_bits\":13}}", ":1: system: page_bytes: 32, but the machine has 64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".json")
			writeTestFile(t, path, tc.content)
			for range 5 { // the same answer every time
				_, err := buildWithState(t, path)
				if err == nil || !strings.HasPrefix(err.Error(), path+tc.want) {
					t.Fatalf("error %v\nwant one starting %q", err, path+tc.want)
				}
			}
		})
	}
}

// TestStateFileAccepted: what a file may do. The reference file loads as
// it is (its whole system section matches the machine), bytes may be
// given twice when they agree, and the last byte of the physical address
// space may be written.
func TestStateFileAccepted(t *testing.T) {
	dir := os.Getenv("VMEMU_REFDATA")
	if dir == "" {
		dir = filepath.Join("..", "testdata", "refdata")
	}
	m, err := buildWithState(t, filepath.Join(dir, "csapp-vm", "small_memory_system.json"))
	if err != nil {
		t.Fatalf("the reference file: %v", err)
	}
	for _, k := range state.SystemKeys() {
		if _, ok := m.systemWidths()[k]; !ok {
			t.Errorf("state files may give %s, which the machine does not check", k)
		}
	}
	path := filepath.Join(t.TempDir(), "s.json")
	writeTestFile(t, path, `{"cache":[{"set":5,"tag":"0xD","valid":1,"data":[54,114,240,29]}],
		"memory":[{"pa":"0x354","data":[54,114]},{"pa":"0xFFF","data":[7]},{"pa":"0x353","data":[1,54]}]}`)
	m, err = buildWithState(t, path)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 6)
	m.Phys.Read(0x353, got)
	last := make([]byte, 1)
	m.Phys.Read(0xfff, last)
	if diff := cmp.Diff([]byte{1, 54, 114, 240, 29, 0, 7}, append(got, last...)); diff != "" {
		t.Errorf("memory at 0x353..0x358 and 0xfff (-want +got):\n%s", diff)
	}
}

// TestStateOnMachineWithoutMMU: a system section, pages or bytes need a
// machine that translates and keeps memory.
func TestStateOnMachineWithoutMMU(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ content, want string }{
		{`{"system":{"va_bits":14}}`, ":1: system: va_bits: the machine has no MMU (mmu.enabled: false)"},
		{`{"memory":[{"pa":1,"data":[1]}]}`, ":1: memory entry 0: the machine keeps no memory contents (mmu.enabled: false)"},
		{`{"page_table":[{"vpn":1}]}`, ":1: page_table entry 0: the machine has no MMU (mmu.enabled: false)"},
	} {
		path := filepath.Join(dir, "s.json")
		writeTestFile(t, path, tc.content)
		_, err := buildWithState(t, path, "mmu.enabled=false")
		if err == nil || !strings.HasPrefix(err.Error(), path+tc.want) {
			t.Errorf("%s: error %v\nwant one starting %q", tc.content, err, path+tc.want)
		}
	}
}

// TestStateFileBesideItsConfig: a configuration's state key is read from
// the configuration's folder, wherever emu runs, and so is that of a base
// in another folder.
func TestStateFileBesideItsConfig(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(dir, "s.json"), `{"memory":[{"pa":16,"data":[42]}]}`)
	writeTestFile(t, filepath.Join(dir, "m.yaml"), "base: csapp-small\nstate: s.json\n")
	writeTestFile(t, filepath.Join(sub, "s.json"), `{"memory":[{"pa":16,"data":[43]}]}`)
	writeTestFile(t, filepath.Join(sub, "b.yaml"), "base: csapp-small\nstate: s.json\n")
	writeTestFile(t, filepath.Join(dir, "top.yaml"), "base: sub/b.yaml\n")
	t.Chdir(t.TempDir()) // no s.json here
	for _, tc := range []struct {
		spec string
		want byte
	}{{filepath.Join(dir, "m.yaml"), 42}, {filepath.Join(dir, "top.yaml"), 43}} {
		cfg, err := config.Load(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Build(cfg)
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		b := make([]byte, 1)
		if m.Phys.Read(16, b); b[0] != tc.want {
			t.Errorf("%s: byte at 16 is %d, want %d", tc.spec, b[0], tc.want)
		}
	}
}
