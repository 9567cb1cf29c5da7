package traces

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func genInstrs(t *testing.T, kind string, p GenParams) []Instr {
	t.Helper()
	r, err := Generate(kind, p)
	if err != nil {
		t.Fatal(err)
	}
	if r.Format() != "gen:"+kind || CarriesOf(r) != CarriesRegs {
		t.Errorf("format %q, carries %v", r.Format(), CarriesOf(r))
	}
	return readAllInstrs(t, Instructions(r, false))
}

func TestGenerateDeterministic(t *testing.T) {
	names, _ := GenKinds()
	for _, kind := range names {
		p := GenParams{Size: 1 << 16, Count: 5000, N: 16, Seed: 42, ALU: 1}
		a, b := genInstrs(t, kind, p), genInstrs(t, kind, p)
		if diff := diffInstrs(a, b); diff != "" {
			t.Errorf("%s: two runs differ:\n%s", kind, diff)
		}
		if kind == "random" || kind == "chase" {
			p.Seed = 43
			if slices.Equal(a, genInstrs(t, kind, p)) {
				t.Errorf("%s: seeds 42 and 43 give the same trace", kind)
			}
		}
		// The record view is the instructions, flattened.
		r, _ := Generate(kind, p)
		recs, err := readAll(r, 77)
		if err != nil {
			t.Fatal(err)
		}
		var want []Record
		for _, in := range genInstrs(t, kind, p) {
			want = append(want, Record{Addr: in.IP, Size: in.Size, Op: Fetch})
			for _, m := range in.Refs() {
				op := Load
				if m.Store {
					op = Store
				}
				want = append(want, Record{Addr: m.Addr, Size: m.Size, Op: op})
			}
		}
		if diff := diffRecords(want, recs); diff != "" {
			t.Errorf("%s: records (-instructions +records):\n%s", kind, diff)
		}
	}
}

// The chase visits every node (64-byte line) once per cycle, each load's
// address register being what the load before it wrote.
func TestGenerateChase(t *testing.T) {
	const nodes = 1000
	ins := genInstrs(t, "chase", GenParams{Size: nodes * 64, Count: 3 * nodes, Seed: 7})
	if len(ins) != 3*nodes {
		t.Fatalf("%d instructions", len(ins))
	}
	seen := map[uint64]int{}
	for i, in := range ins {
		if in.NMem != 1 || in.Mem[0].Store || in.Mem[0].Size != 8 || !in.HasRegs {
			t.Fatalf("instruction %d: %+v", i, in)
		}
		a := in.Mem[0].Addr
		if a%64 != 0 || a < GenDefaultBase || a >= GenDefaultBase+nodes*64 {
			t.Fatalf("instruction %d: address %#x outside the nodes", i, a)
		}
		if i >= nodes && a != ins[i-nodes].Mem[0].Addr {
			t.Fatalf("instruction %d: the cycle does not repeat", i)
		}
		if i < nodes {
			if j, ok := seen[a]; ok {
				t.Fatalf("node %#x visited at %d and %d within one cycle", a, j, i)
			}
			seen[a] = i
		}
		if i > 0 && in.SrcRegs[0] != ins[i-1].DstRegs[0] {
			t.Fatalf("instruction %d does not read what %d wrote", i, i-1)
		}
	}
	if len(seen) != nodes {
		t.Errorf("%d nodes visited, want %d", len(seen), nodes)
	}
}

func TestGeneratePatterns(t *testing.T) {
	base := uint64(GenDefaultBase)
	addrs := func(ins []Instr) (out []uint64) {
		for _, in := range ins {
			for _, m := range in.Refs() {
				out = append(out, m.Addr-base)
			}
		}
		return out
	}
	if got := addrs(genInstrs(t, "stream", GenParams{Size: 32, Count: 6})); !cmp.Equal(got, []uint64{0, 8, 16, 24, 0, 8}) {
		t.Errorf("stream: %v", got)
	}
	if got := addrs(genInstrs(t, "stride", GenParams{Size: 256, Stride: 96, Count: 5})); !cmp.Equal(got, []uint64{0, 96, 192, 32, 128}) {
		t.Errorf("stride: %v", got)
	}
	lines := map[uint64]bool{}
	for _, a := range addrs(genInstrs(t, "random", GenParams{Size: 4096, Count: 20000})) {
		if a%8 != 0 || a >= 4096 {
			t.Fatalf("random: address %#x", a)
		}
		lines[a/64] = true
	}
	if len(lines) != 64 {
		t.Errorf("random: %d of 64 lines touched", len(lines))
	}
	// Independent loads: nothing a load reads was written by a load.
	for _, in := range genInstrs(t, "random", GenParams{Count: 100, ALU: 2}) {
		if in.NMem > 0 && in.SrcRegs != [4]uint8{regBase} {
			t.Fatalf("random: load reads %v", in.SrcRegs)
		}
	}

	// matmul, N=2: for each (i,j), A[i][0] B[0][j] A[i][1] B[1][j], then
	// the store of C[i][j]; matrices a page apart.
	const A, B, C = 0, 4096, 8192
	want := []uint64{}
	for i := range 2 {
		for j := range 2 {
			for k := range 2 {
				want = append(want, A+uint64(i*2+k)*8, B+uint64(k*2+j)*8)
			}
			want = append(want, C+uint64(i*2+j)*8)
		}
	}
	mm := genInstrs(t, "matmul", GenParams{N: 2})
	if got := addrs(mm); !cmp.Equal(got, want) {
		t.Errorf("matmul:\n got %v\nwant %v", got, want)
	}
	if n := len(mm); n != 4*(2*3+2)-1 { // 3 per k, store, clear; no clear at the end
		t.Errorf("matmul: %d instructions", n)
	}
	if got := addrs(genInstrs(t, "transpose", GenParams{N: 2})); !cmp.Equal(got, []uint64{0, 4096, 8, 4096 + 16, 16, 4096 + 8, 24, 4096 + 24}) {
		t.Errorf("transpose: %v", got)
	}
	// --count cuts a pattern short; --alu adds fillers after memory ones.
	ins := genInstrs(t, "stream", GenParams{Count: 3, ALU: 2})
	if len(ins) != 9 || ins[1].NMem != 0 || ins[1].DstRegs[0] < regALU || ins[3].NMem != 1 {
		t.Errorf("stream with ALU 2: %+v", ins)
	}
	if got := len(addrs(genInstrs(t, "matmul", GenParams{N: 4, Count: 10}))); got != 10 {
		t.Errorf("matmul --count 10: %d references", got)
	}
}

func TestGenerateErrors(t *testing.T) {
	for _, tc := range []struct {
		kind string
		p    GenParams
		want string
	}{
		{"zigzag", GenParams{}, `unknown kind "zigzag"; one of stream, stride, random, chase, matmul, transpose`},
		{"chase", GenParams{Size: 100}, "not a multiple of 64"},
		{"chase", GenParams{Size: 64}, "at least 128"},
		{"random", GenParams{Size: 12}, "not a positive multiple of 8"},
		{"matmul", GenParams{N: 1 << 16}, "between 1 and 32768"},
		{"stream", GenParams{Base: 3}, "not 64-byte aligned"},
		{"stream", GenParams{ALU: 1000000000}, "--alu 1000000000: at most 1000"},
		{"stream", GenParams{ALU: 1001}, "--alu 1001: at most 1000"},
		{"stream", GenParams{Count: 1 << 31, ALU: 1}, "2147483648 references with --alu 1 make up to 8589934592 records; a generated trace holds at most 4294967296"},
		{"random", GenParams{Count: 1<<64 - 1, ALU: 1000}, "make up to more than 2^64 records"},
		{"matmul", GenParams{N: 32768}, "70369817919488 references with --alu 0 make up to 211109453758464 records"},
		{"matmul", GenParams{N: 895}, "1434635775 references with --alu 0 make up to 4303907325 records"},
		{"random", GenParams{Size: 1 << 30, Base: 0xfffffffffffff000}, "a working set of 1073741824 bytes at --base 0xfffffffffffff000 runs past the top"},
		{"random", GenParams{Size: 0xfffffffffffffff8}, "runs past the top of the 64-bit address space"},
		{"transpose", GenParams{N: 4, Base: 1<<64 - 4096}, "a working set of 12288 bytes"},
	} {
		if _, err := Generate(tc.kind, tc.p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %+v: %v, want %q", tc.kind, tc.p, err, tc.want)
		}
	}
}

// The largest trace within the limits is accepted (and not generated
// here); a stride of nearly 2^64 wraps around the working set as the
// modulus says, not as a 64-bit sum would.
func TestGenerateLimits(t *testing.T) {
	for _, tc := range []struct {
		kind string
		p    GenParams
	}{
		{"stream", GenParams{Count: GenMaxRecords / 3}},
		{"stream", GenParams{Count: GenMaxRecords / (3 + GenMaxALU), ALU: GenMaxALU}},
		{"matmul", GenParams{N: 894}}, // 1,429,833,204 references
		{"random", GenParams{Size: 1<<64 - GenDefaultBase}},
	} {
		r, err := Generate(tc.kind, tc.p)
		if err != nil {
			t.Errorf("%s %+v: %v", tc.kind, tc.p, err)
			continue
		}
		r.Close()
	}
	r, err := Generate("stride", GenParams{Size: 96, Stride: 1<<64 - 8, Count: 4})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := readAll(r, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []uint64
	for _, rec := range recs {
		if rec.Op == Load {
			got = append(got, rec.Addr-GenDefaultBase)
		}
	}
	// 2^64 = 64 modulo 96, so the stride is 56: 0, 56, 112-96, 72. A
	// 64-bit sum would wrap at the second step, to 48.
	if diff := cmp.Diff([]uint64{0, 56, 16, 72}, got); diff != "" {
		t.Errorf("offsets (-want +got):\n%s", diff)
	}
}
