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
	ref, err := Read(filepath.Join(dir, "csapp-vm", "small_memory_system.json"))
	if err != nil {
		t.Fatal(err)
	}
	builtin, err := Read("csapp-small")
	if err != nil {
		t.Fatal(err)
	}
	if builtin.Where != "state csapp-small" || len(builtin.TLB) != 16 || len(builtin.Cache) != 16 || len(builtin.PageTable) != 16 {
		t.Errorf("built-in: %s, %d TLB entries, %d lines, %d PTEs", builtin.Where, len(builtin.TLB), len(builtin.Cache), len(builtin.PageTable))
	}
	ignore := cmpopts.IgnoreFields(File{}, "Where", "System")
	if diff := cmp.Diff(ref, builtin, ignore); diff != "" {
		t.Errorf("(-reference +built-in):\n%s", diff)
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content, want string
	}{
		{"unknown field", `{"tlb":[{"sett":0}]}`, `: json: unknown field "sett"`},
		{"syntax", "{\n\"tlb\": [,]}", ": line 2: invalid character ',' looking for beginning of value"},
		{"not a number", `{"page_table":[{"vpn":"0xZ"}]}`, `: "0xZ" is not a number`},
		{"valid", `{"page_table":[{"vpn":1,"valid":2}]}`, ": valid must be true, false, 1 or 0, not 2"},
		{"type", `{"tlb":[{"set":"3"}]}`, ": line 1: json: cannot unmarshal string into Go struct field stateTLB.tlb.set of type int"},
	}
	for _, tc := range tests {
		path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".json")
		if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Read(path); err == nil || err.Error() != path+tc.want {
			t.Errorf("%s: error %v, want %q", tc.name, err, path+tc.want)
		}
	}
	missing := filepath.Join(dir, "missing.json")
	if _, err := Read(missing); err == nil || err.Error() != missing+": no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
}

func TestToBytes(t *testing.T) {
	if b, err := ToBytes([]uint64{0x36, 0xff, 0}); err != nil || !cmp.Equal(b, []byte{0x36, 0xff, 0}) {
		t.Errorf("ToBytes = %v, %v", b, err)
	}
	if _, err := ToBytes([]uint64{1, 0x100}); err == nil || err.Error() != "byte 1 is 0x100, more than a byte" {
		t.Errorf("ToBytes of 0x100: %v", err)
	}
}
