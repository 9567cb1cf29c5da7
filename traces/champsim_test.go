package traces

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// knownRecord is one input_instr laid out by hand, field by field, as
// ChampSim's inc/trace_instruction.h declares it.
var knownRecord = strings.Join([]string{
	"6150400000000000", // ip 0x405061
	"01",               // is_branch
	"01",               // branch_taken
	"1a06",             // destination_registers 26, 6
	"061a1900",         // source_registers 6, 26, 25, 0
	"f8df7f7fff7f0000", // destination_memory[0] 0x7fff7f7fdff8
	"0000000000000000", // destination_memory[1]
	"3c00001000000000", // source_memory[0] 0x1000003c (4 bytes before a line end)
	"0000000000000000", // source_memory[1]
	"4000001000000000", // source_memory[2] 0x10000040
	"0000000000000000", // source_memory[3]
}, "")

func knownBytes(t *testing.T) []byte {
	b, err := hex.DecodeString(knownRecord)
	if err != nil || len(b) != ChampSimRecordSize {
		t.Fatalf("bad test record: %d bytes, %v", len(b), err)
	}
	return b
}

func TestChampSimKnownBytes(t *testing.T) {
	b := knownBytes(t)
	want := Instr{IP: 0x405061, Size: 4, Branch: true, Taken: true, HasRegs: true,
		DstRegs: [2]uint8{26, 6}, SrcRegs: [4]uint8{6, 26, 25, 0}, NMem: 3}
	want.Mem[0] = MemRef{Addr: 0x1000003c, Size: 4} // cut at the line end
	want.Mem[1] = MemRef{Addr: 0x10000040, Size: 8}
	want.Mem[2] = MemRef{Addr: 0x7fff7f7fdff8, Size: 8, Store: true}
	wantRecs := []Record{
		{Addr: 0x405061, Size: 4, Op: Fetch},
		{Addr: 0x1000003c, Size: 4, Op: Load},
		{Addr: 0x10000040, Size: 8, Op: Load},
		{Addr: 0x7fff7f7fdff8, Size: 8, Op: Store},
	}
	// Recognised by the name, and without it by the records themselves,
	// plain and compressed.
	for _, name := range []string{"t.champsim", "t.bin"} {
		for _, kind := range []string{"plain", "gzip", "xz", "zstd"} {
			path := writeFile(t, name, compress(t, kind, bytes.Repeat(b, 3)))
			r, err := Open(path)
			if err != nil {
				t.Fatalf("%s %s: %v", name, kind, err)
			}
			if r.Format() != "champsim" || CarriesOf(r) != CarriesRegs {
				t.Errorf("%s %s: format %q, carries %v", name, kind, r.Format(), CarriesOf(r))
			}
			got := readAllInstrs(t, Instructions(r, false))
			if diff := cmp.Diff([]Instr{want, want, want}, got); diff != "" {
				t.Errorf("%s %s: (-want +got):\n%s", name, kind, diff)
			}
			r, _ = Open(path)
			recs, err := readAll(r, 3)
			r.Close()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(append(append(wantRecs[:4:4], wantRecs...), wantRecs...), recs); diff != "" {
				t.Errorf("%s %s: records (-want +got):\n%s", name, kind, diff)
			}
		}
	}
}

// diffInstrs is cmp.Diff, quick when there is no difference.
func diffInstrs(want, got []Instr) string {
	if slices.Equal(want, got) {
		return ""
	}
	return cmp.Diff(want, got)
}

func readAllInstrs(t testing.TB, ir InstrReader) []Instr {
	t.Helper()
	defer ir.Close()
	var out []Instr
	buf := make([]Instr, 7)
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

func readAllRefs(t testing.TB, r RefReader, batch int) []Ref {
	t.Helper()
	var out []Ref
	buf := make([]Ref, batch)
	for {
		n, err := r.ReadRefs(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// champsimInstrs makes instructions like the Pin tracer's: operands from
// the front of their arrays, no duplicates, sizes as the reader gives.
func champsimInstrs(n int, seed uint64) []Instr {
	x := seed | 1
	next := func() uint64 { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x }
	ins := make([]Instr, n)
	ip := uint64(0x400000)
	for i := range ins {
		in := &ins[i]
		ip += 1 + next()%15
		if next()%8 == 0 {
			ip = 0x400000 + next()%0x10000
		}
		in.IP, in.Size, in.HasRegs = ip, champsimSize(ip, ChampSimFetchSize), true
		in.Branch = next()%5 == 0
		in.Taken = in.Branch && next()%2 == 0
		for j := range next() % 3 {
			in.DstRegs[j] = uint8(1 + j + next()%60)
		}
		for j := range next() % 5 {
			in.SrcRegs[j] = uint8(1 + 4*j + next()%4)
		}
		loads, stores := next()%5, next()%3
		for j := range loads {
			a := 0x10000000 + next()%(1<<24) + j
			in.Mem[in.NMem] = MemRef{Addr: a, Size: champsimSize(a, ChampSimDataSize)}
			in.NMem++
		}
		for j := range stores {
			a := 0x7ff000000000 + next()%(1<<20)*8 + j
			in.Mem[in.NMem] = MemRef{Addr: a, Size: champsimSize(a, ChampSimDataSize), Store: true}
			in.NMem++
		}
	}
	return ins
}

func encodeChampSim(t testing.TB, ins []Instr) []byte {
	t.Helper()
	var b bytes.Buffer
	w := NewChampSimWriter(&b)
	for i := 0; i < len(ins); i += 333 {
		if err := w.WriteInstrs(ins[i:min(i+333, len(ins))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestChampSimWriteRead(t *testing.T) {
	ins := champsimInstrs(5000, 7)
	data := encodeChampSim(t, ins)
	if len(data) != 64*len(ins) {
		t.Fatalf("%d bytes for %d instructions", len(data), len(ins))
	}
	path := writeFile(t, "t.champsimtrace", data)
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := diffInstrs(ins, readAllInstrs(t, Instructions(r, false))); diff != "" {
		t.Fatalf("instructions (-written +read):\n%s", diff)
	}
	// Refs, and refs written back, give the same bytes.
	r, _ = Open(path)
	refs := readAllRefs(t, Refs(r), 100)
	r.Close()
	var b bytes.Buffer
	w := NewChampSimWriter(&b)
	for i := 0; i < len(refs); i += 77 {
		w.WriteRefs(refs[i:min(i+77, len(refs))])
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), data) {
		t.Error("refs written back differ from the file")
	}
}

func TestChampSimWriterErrors(t *testing.T) {
	tooMany := Instr{IP: 1, NMem: 5}
	for i := range 5 {
		tooMany.Mem[i] = MemRef{Addr: uint64(8 + i*8), Size: 8}
	}
	zero := Instr{IP: 1, NMem: 1}
	for _, in := range []Instr{tooMany, zero} {
		if err := NewChampSimWriter(io.Discard).WriteInstrs([]Instr{in}); err == nil {
			t.Errorf("%+v written", in)
		}
	}
	// Through refs, the fifth load spills into another record.
	var b bytes.Buffer
	w := NewChampSimWriter(&b)
	refs := []Ref{{Record: Record{Addr: 0x400000, Size: 3, Op: Fetch}}}
	for i := range 5 {
		refs = append(refs, Ref{Record: Record{Addr: uint64(0x1000 + 8*i), Size: 8, Op: Load}})
	}
	refs = append(refs, Ref{Record: Record{Addr: 0x2000, Size: 8, Op: Modify}})
	if err := w.WriteRefs(refs); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if b.Len() != 128 {
		t.Fatalf("%d bytes, want two records", b.Len())
	}
	var second Instr
	DecodeChampSim(b.Bytes()[64:], &second)
	want := Instr{IP: 0x400000, Size: 4, HasRegs: true, NMem: 3,
		Mem: [MaxMem]MemRef{{Addr: 0x1020, Size: 8}, {Addr: 0x2000, Size: 8}, {Addr: 0x2000, Size: 8, Store: true}}}
	if diff := cmp.Diff(want, second); diff != "" {
		t.Errorf("spilled record (-want +got):\n%s", diff)
	}
}

// A size that is not a multiple of 64: refused at Open for a plain file,
// after the whole records for a compressed one, naming the offset.
func TestChampSimPartialRecord(t *testing.T) {
	data := append(bytes.Repeat(knownBytes(t), 2), make([]byte, 10)...)
	for _, kind := range []string{"plain", "gzip", "xz"} {
		path := writeFile(t, "t.champsim", compress(t, kind, data))
		withXZProgram(t, kind, func(t *testing.T) {
			var n int
			r, err := Open(path)
			if err == nil {
				var recs []Record
				recs, err = readAll(r, 5)
				n = len(recs)
				r.Close()
			}
			want := path + ": offset 128: partial record: 10 of 64 bytes (a ChampSim trace's size is a multiple of 64)"
			var e *Error
			if err == nil || err.Error() != want || !errors.As(err, &e) || !e.HasOffset || e.Offset != 128 {
				t.Fatalf("%s: error %v, want %s", kind, err, want)
			}
			if kind != "plain" && n != 8 {
				t.Errorf("%s: %d records before the error, want 8", kind, n)
			}
		})
	}
}

// Binary data that is not ChampSim is still refused; text named
// .champsim is still text.
func TestChampSimDetection(t *testing.T) {
	bad := knownBytes(t)
	bad[csBranch] = 7
	tests := []struct {
		name, data, format, err string
	}{
		{"x.bin", string(bad), "", "not a trace: binary data, and not ChampSim, ChampSim CloudSuite or native"},
		{"x.champsim", string(bad), "champsim", ""},
		{"x.champsim", " L 10,4\n", "cachelab", ""},
		{"x.champsimtrace", "", "champsim", ""},
		{"x.trace", "", "cachelab", ""},
	}
	for _, tt := range tests {
		path := writeFile(t, tt.name, []byte(tt.data))
		r, err := Open(path)
		if tt.err != "" {
			if err == nil || err.Error() != path+": "+tt.err {
				t.Errorf("%s %q: error %v, want %s", tt.name, tt.data, err, tt.err)
			}
			continue
		}
		if err != nil || r.Format() != tt.format {
			t.Errorf("%s %q: %v, format %v; want %s", tt.name, tt.data, err, r, tt.format)
			continue
		}
		r.Close()
	}
}

func TestChampSimHint(t *testing.T) {
	for name, want := range map[string]bool{
		"600.perlbench_s-210B.champsimtrace.xz": true, "a/b.champsim": true, "x.CHAMPSIM.gz": true,
		"x.champsim.zst": true, "x.trace": false, "champsim": false, "x.champsim.txt": false,
	} {
		if got := champsimHint(name); got != want {
			t.Errorf("champsimHint(%q) = %v", name, got)
		}
	}
}

// Instructions through Pipelined keeps the registers.
func TestPipelinedInstructionsKeepRegisters(t *testing.T) {
	ins := champsimInstrs(3000, 3)
	path := writeFile(t, "t.champsim", encodeChampSim(t, ins))
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	p := Pipelined(r, 100)
	got := readAllInstrs(t, Instructions(p, false))
	p.Close()
	if diff := diffInstrs(ins, got); diff != "" {
		t.Errorf("(-written +read):\n%s", diff)
	}
	// And refs through Pipelined keep them too.
	r, _ = Open(path)
	p = Pipelined(r, 64)
	refs := readAllRefs(t, p.(RefReader), 50)
	if _, err := p.Read(make([]Record, 1)); err == nil {
		t.Error("Read after ReadRefs worked: views mixed")
	}
	p.Close()
	r, _ = Open(path)
	if diff := cmp.Diff(readAllRefs(t, Refs(r), 1000), refs); diff != "" {
		t.Errorf("pipelined refs (-direct +pipelined):\n%s", diff)
	}
}

// A compressed ChampSim or native trace cut short says the compressed
// stream is truncated, after the whole records before the cut.
func TestBinaryTruncatedCompressed(t *testing.T) {
	cs := encodeChampSim(t, champsimInstrs(20000, 1))
	var nb bytes.Buffer
	w, _ := NewNativeWriter(&nb, WriteOptions{Carries: CarriesRegs, FrameRecords: 1000})
	r, _ := NewReader("t", bytes.NewReader(cs))
	Copy(w, Refs(r))
	w.Close()
	for _, tc := range []struct {
		name string
		data []byte
	}{{"t.champsim", cs}, {"t.vmt", nb.Bytes()}} {
		for _, kind := range []string{"gzip", "xz"} {
			z := compress(t, kind, tc.data)
			path := writeFile(t, tc.name, z[:len(z)/2])
			withXZProgram(t, kind, func(t *testing.T) {
				r, err := Open(path)
				if err != nil {
					t.Fatal(err)
				}
				recs, err := readAll(r, 1000)
				r.Close()
				want := path + ": truncated " + kind + " stream"
				if err == nil || err.Error() != want || len(recs) == 0 {
					t.Errorf("%s %s: %d records, then %v; want some, then %s", tc.name, kind, len(recs), err, want)
				}
			})
		}
	}
}
