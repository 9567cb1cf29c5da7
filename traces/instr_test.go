package traces

import (
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readInstrs(t *testing.T, text string, modifyAsLoad bool, batch int) []Instr {
	t.Helper()
	r, err := NewReader("t.trace", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	ir := Instructions(r, modifyAsLoad)
	var out []Instr
	buf := make([]Instr, batch)
	for {
		n, err := ir.ReadInstrs(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestInstructions(t *testing.T) {
	lackey := "I  0401000,3\n L 1000,8\n S 2000,4\nI  0401003,2\nI  0401005,4\n M 3000,8\n"
	cachelab := " L 10,1\n M 20,1\n S 18,1\n"
	withLoad := func(ip uint64, size uint32, refs ...MemRef) Instr {
		in := Instr{IP: ip, Size: size}
		for _, r := range refs {
			in.Mem[in.NMem] = r
			in.NMem++
		}
		return in
	}
	tests := []struct {
		name         string
		text         string
		modifyAsLoad bool
		want         []Instr
	}{
		{"lackey groups data with its fetch", lackey, false, []Instr{
			withLoad(0x401000, 3, MemRef{0x1000, 8, false}, MemRef{0x2000, 4, true}),
			withLoad(0x401003, 2),
			withLoad(0x401005, 4, MemRef{0x3000, 8, false}, MemRef{0x3000, 8, true}),
		}},
		{"modify as one load", lackey[len(lackey)-24:], true, []Instr{
			withLoad(0x401005, 4, MemRef{0x3000, 8, false}),
		}},
		{"cache lab: a record is an instruction", cachelab, false, []Instr{
			withLoad(0, 0, MemRef{0x10, 1, false}),
			withLoad(0, 0, MemRef{0x20, 1, false}, MemRef{0x20, 1, true}),
			withLoad(0, 0, MemRef{0x18, 1, true}),
		}},
	}
	for _, tc := range tests {
		for _, batch := range []int{1, 2, 64} {
			got := readInstrs(t, tc.text, tc.modifyAsLoad, batch)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s, batch %d (-want +got):\n%s", tc.name, batch, diff)
			}
		}
	}
}
