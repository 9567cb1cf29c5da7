package state

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The built-in csapp-small was converted from the shared reference file,
// which names things its own way (index, blocks, page_table_first16): both
// must give the same entries.
func TestBuiltinMatchesReferenceFile(t *testing.T) {
	dir := os.Getenv("VMEMU_REFDATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "testdata", "refdata")
	}
	ref, err := Read(filepath.Join(dir, "csapp-vm", "small_memory_system.json"), "")
	if err != nil {
		t.Fatal(err)
	}
	builtin, err := Read("csapp-small", "")
	if err != nil {
		t.Fatal(err)
	}
	if builtin.Where != "state csapp-small" || len(builtin.TLB) != 16 || len(builtin.Cache) != 16 || len(builtin.PageTable) != 16 {
		t.Errorf("built-in: %s, %d TLB entries, %d lines, %d PTEs", builtin.Where, len(builtin.TLB), len(builtin.Cache), len(builtin.PageTable))
	}
	ignore := cmp.Options{cmpopts.IgnoreFields(File{}, "Where", "System"), cmpopts.IgnoreTypes(At{})}
	if diff := cmp.Diff(ref, builtin, ignore); diff != "" {
		t.Errorf("(-reference +built-in):\n%s", diff)
	}
	var keys []string
	for _, w := range ref.System {
		keys = append(keys, w.Key)
	}
	if diff := cmp.Diff(SystemKeys(), keys, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("the reference file's system numbers (-accepted +read):\n%s", diff)
	}
}

// TestParse reads a file that uses every spelling: numbers as strings in
// any base, index and blocks, page_table_first16 after page_table; each
// entry knows its line and name.
func TestParse(t *testing.T) {
	text := `{
 "system": {"va_bits": 14, "tlb": {"sets": "0x4", "index": "low bits"}},
 "tlb": [
  {"set": "3", "way": 1, "tag": "0x03", "ppn": "0x0D", "valid": 1},
  {"tlb": "stlb", "set": 0, "tag": 0, "ppn": null, "valid": false}
 ],
 "page_table_first16": [{"vpn": 2, "valid": 0}],
 "page_table": [{"vpn": "0b11", "ppn": 7, "valid": true, "writable": false}],
 "cache": [{"index": 5, "tag": "0x0D", "valid": 1, "blocks": [54, "0x72", "0xF0", 29]}],
 "memory": [{"pa": "0x100", "data": []}]
}`
	f, err := Parse("f.json", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	ppn := func(n uint64) *uint64 { return &n }
	no := false
	want := &File{
		Where:  "f.json",
		System: []Width{{At{2, "system: va_bits"}, "va_bits", 14}, {At{2, "system: tlb.sets"}, "tlb.sets", 4}},
		TLB: []TLBEntry{
			{At: At{4, "tlb entry 0"}, Set: 3, Way: 1, Tag: 3, PPN: ppn(0xd), Valid: true},
			{At: At{5, "tlb entry 1"}, TLB: "stlb"},
		},
		PageTable: []PTE{
			{At: At{7, "page_table_first16 entry 0"}, VPN: 2},
			{At: At{8, "page_table entry 0"}, VPN: 3, PPN: ppn(7), Valid: true, Writable: &no},
		},
		Cache:  []Line{{At: At{9, "cache entry 0"}, Set: 5, Tag: 0xd, Valid: true, Data: []byte{54, 0x72, 0xf0, 29}}},
		Memory: []Bytes{{At: At{10, "memory entry 0"}, PA: 0x100, Data: []byte{}}},
	}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestReadErrors: every mistake names the file, the line, the entry and
// the field.
func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content, want string
	}{
		{"empty", "", ": empty; a state file is a JSON object with system, tlb, page_table, cache and memory"},
		{"blank", " \n\t\n", ": empty; a state file is a JSON object with system, tlb, page_table, cache and memory"},
		{"null", "null", ":1: a state file is a JSON object with system, tlb, page_table, cache and memory, not null"},
		{"list", "\n[]", ":2: a state file is a JSON object with system, tlb, page_table, cache and memory, not a list"},
		{"more after", "{}\n{}", ":2: more text after the state file's object"},
		{"syntax", "{\n\"tlb\": [,]}", ":2: invalid character ',' looking for beginning of value"},
		{"cut short", "{\"tlb\": [\n{\"set\": 1", ":2: the file ends inside a value"},
		{"unknown section", `{"tlbs": []}`, `:1: tlbs: unknown field "tlbs"; a state file is a JSON object with system, tlb, page_table, cache and memory`},
		{"section twice", "{\"tlb\": [],\n\"tlb\": []}", ":2: tlb: given twice, on lines 1 and 2"},
		{"section not a list", `{"tlb": {"set": 1}}`, ":1: tlb: expected a list [...], not an object"},
		{"entry not an object", "{\"tlb\": [\n1]}", ":2: tlb entry 0: expected an object {...}, not a number"},
		{"unknown field", "{\"tlb\":[{\"set\":0,\"tag\":0},\n{\"sett\":0}]}", `:2: tlb entry 1: sett: unknown field "sett"; a tlb entry has tlb, set, way, tag, ppn and valid`},
		{"field twice", "{\"page_table\":[{\"vpn\":1,\n\"vpn\":2}]}", ":2: page_table entry 0: vpn: given twice, on lines 1 and 2"},
		{"set a boolean", `{"tlb":[{"set":true,"tag":1}]}`, ":1: tlb entry 0: set: true is not a number"},
		{"set negative", `{"tlb":[{"set":-1,"tag":1}]}`, ":1: tlb entry 0: set: -1 is not a number"},
		{"set huge", `{"tlb":[{"set":"0xFFFFFFFFFFFFFFFF","tag":1}]}`, ":1: tlb entry 0: set: 18446744073709551615 is out of range"},
		{"way a fraction", `{"tlb":[{"set":0,"way":1.5,"tag":1}]}`, ":1: tlb entry 0: way: 1.5 is not a number"},
		{"tag too long", `{"tlb":[{"set":0,"tag":"0x10000000000000000"}]}`, `:1: tlb entry 0: tag: "0x10000000000000000" is not a number`},
		{"tlb not named by a string", `{"tlb":[{"tlb":1,"set":0,"tag":1}]}`, ":1: tlb entry 0: tlb: 1 is not a string"},
		{"tlb without tag", `{"tlb":[{"set":0}]}`, ":1: tlb entry 0: needs tag"},
		{"not a number", `{"page_table":[{"vpn":"0xZ"}]}`, `:1: page_table entry 0: vpn: "0xZ" is not a number`},
		{"pte without vpn", "{\"page_table\":[\n{\"ppn\":1}]}", ":2: page_table entry 0: needs vpn"},
		{"valid", `{"page_table":[{"vpn":1,"valid":2}]}`, ":1: page_table entry 0: valid: 2 is not true, false, 1 or 0"},
		{"writable", `{"page_table":[{"vpn":1,"writable":1}]}`, ":1: page_table entry 0: writable: 1 is not true or false"},
		{"first16 entry", "{\"page_table_first16\":[{\"vpn\":0},\n{\"vpn\":[]}]}", ":2: page_table_first16 entry 1: vpn: [] is not a number"},
		{"set and index", "{\"cache\":[\n{\"set\":1,\"index\":2,\"tag\":1}]}", ":2: cache entry 0: set and index name one thing; give one"},
		{"data and blocks", `{"cache":[{"set":1,"tag":1,"data":[1],"blocks":[1]}]}`, ":1: cache entry 0: data and blocks name one thing; give one"},
		{"line without set", `{"cache":[{"tag":1}]}`, ":1: cache entry 0: needs set or index"},
		{"line not a byte", `{"cache":[{"set":1,"tag":1,"data":[1,256]}]}`, ":1: cache entry 0: data: byte 1 is 0x100, more than a byte"},
		{"line data a string", `{"cache":[{"set":1,"tag":1,"blocks":"x"}]}`, ":1: cache entry 0: blocks: expected a list of bytes, not a string"},
		{"line data not numbers", `{"cache":[{"set":1,"tag":1,"data":[1,"x"]}]}`, `:1: cache entry 0: data: byte 1: "x" is not a number`},
		{"memory without data", `{"memory":[{"pa":1}]}`, ":1: memory entry 0: needs data"},
		{"memory without pa", `{"memory":[{"data":[1]}]}`, ":1: memory entry 0: needs pa"},
		{"system not numeric", "{\"system\":{\n\"va_bits\":\"x\"}}", `:2: system: va_bits: "x" is not a number`},
		{"system null", `{"system":{"va_bits":null}}`, `:1: system: va_bits: null is not a number`},
		{"system unknown", `{"system":{"vabits":14}}`, `:1: system: vabits: unknown field "vabits"; system may give va_bits, pa_bits, page_bytes, vpn_bits, vpo_bits, ppn_bits, word_bytes, tlb.entries, tlb.sets, tlb.ways, tlb.tlbi_bits, tlb.tlbt_bits, cache.sets, cache.ways, cache.block_bytes, cache.co_bits, cache.ci_bits, cache.ct_bits`},
		{"system tlb unknown", `{"system":{"tlb":{"set":4}}}`, `:1: system: tlb.set: unknown field "set"; system may give`},
		{"system tlb not numeric", `{"system":{"tlb":{"sets":"four"}}}`, `:1: system: tlb.sets: "four" is not a number`},
		{"system a list", `{"system":[]}`, ":1: system: expected an object {...}, not a list"},
		{"system name a number", `{"system":{"name":1}}`, ":1: system: name: 1 is not a string"},
		{"system key twice", "{\"system\":{\"va_bits\":14,\n\"va_bits\":16}}", ":2: system: va_bits: given twice, on lines 1 and 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".json")
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Read(path, "")
			if err == nil || !strings.HasPrefix(err.Error(), path+tc.want) {
				t.Errorf("error %v\nwant %q", err, path+tc.want)
			}
		})
	}
}

// TestReadFinds: a relative path is read from the folder given (that of
// the configuration naming it), a built-in name wins over a file, and a
// missing or endless file is refused.
func TestReadFinds(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "s.json"), []byte(`{"memory":[{"pa":1,"data":[2]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Read("s.json", dir)
	if err != nil || f.Where != filepath.Join(dir, "s.json") || len(f.Memory) != 1 {
		t.Errorf("relative to its folder: %+v, %v", f, err)
	}
	if f, err := Read("csapp-small", dir); err != nil || f.Where != "state csapp-small" {
		t.Errorf("built-in: %+v, %v", f, err)
	}
	missing := filepath.Join(dir, "missing.json")
	if _, err := Read("missing.json", dir); err == nil || err.Error() != missing+": no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Read("/dev/zero", ""); err == nil || err.Error() != "/dev/zero: larger than 16 MiB, more than any configuration or state file" {
		t.Errorf("/dev/zero: %v", err)
	}
}
