package traces

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// knownCloudRecord is one cloudsuite_instr laid out by hand, field by
// field, as ChampSim's inc/trace_instruction.h declares it and a C
// compiler pads it (to 8-byte alignment before the memory arrays and at
// the end); the padding holds garbage, which the reader ignores.
var knownCloudRecord = strings.Join([]string{
	"3412001000000000", // ip 0x10001234
	"00",               // is_branch
	"00",               // branch_taken
	"00050009",         // destination_registers 0, 5, 0, 9
	"01020304",         // source_registers 1, 2, 3, 4
	"aaaaaaaaaaaa",     // padding
	"0020000000000000", // destination_memory[0] 0x2000
	"0820000000000000", // destination_memory[1] 0x2008
	"1020000000000000", // destination_memory[2] 0x2010
	"0000000000000000", // destination_memory[3]
	"0030000000000000", // source_memory[0] 0x3000
	"0830000000000000", // source_memory[1] 0x3008
	"1030000000000000", // source_memory[2] 0x3010
	"3c30000000000000", // source_memory[3] 0x303c (4 bytes before a line end)
	"0708",             // asid 7, 8
	"bbbbbbbbbbbb",     // padding
}, "")

// cloudRecord lays out a record for streams: an ip, a load and a store
// (either 0 for none), an ASID, and a branch.
func cloudRecord(ip, load, store uint64, asid uint8, branch, taken bool) []byte {
	b := make([]byte, CloudSuiteRecordSize)
	binary.LittleEndian.PutUint64(b[0:], ip)
	if branch {
		b[8] = 1
	}
	if taken {
		b[9] = 1
	}
	b[10], b[14] = 3, 4 // a destination and a source register
	binary.LittleEndian.PutUint64(b[24:], store)
	binary.LittleEndian.PutUint64(b[56:], load)
	b[88], b[89] = asid, asid
	return b
}

// cloudStream is n records of a SPARC-like run: 4-byte instructions in
// sequence, a taken branch every 16th, a load or a store on some, the
// ASID changing every 50.
func cloudStream(n int) []byte {
	var out []byte
	ip := uint64(0x100000)
	for i := range n {
		load, store := uint64(0), uint64(0)
		switch i % 3 {
		case 1:
			load = 0x7ff0000 + uint64(i)*8
		case 2:
			store = 0x8000000 + uint64(i)*8
		}
		taken := i%16 == 15
		out = append(out, cloudRecord(ip, load, store, uint8(1+i/50), taken, taken)...)
		ip += 4
		if taken {
			ip += 0x400
		}
	}
	return out
}

func TestCloudSuiteKnownBytes(t *testing.T) {
	b, err := hex.DecodeString(knownCloudRecord)
	if err != nil || len(b) != CloudSuiteRecordSize {
		t.Fatalf("bad test record: %d bytes, %v", len(b), err)
	}
	ins := make([]Instr, 2)
	n := DecodeCloudSuite(b, ins)
	want := []Instr{{IP: 0x10001234, Size: 4, HasRegs: true, PID: 7, DstRegs: [2]uint8{5, 9}, SrcRegs: [4]uint8{1, 2, 3, 4}, NMem: 6,
		Mem: [MaxMem]MemRef{{Addr: 0x3000, Size: 8}, {Addr: 0x3008, Size: 8}, {Addr: 0x3010, Size: 8}, {Addr: 0x303c, Size: 4},
			{Addr: 0x2000, Size: 8, Store: true}, {Addr: 0x2008, Size: 8, Store: true}}},
		{IP: 0x10001234, PID: 7, Cont: true, NMem: 1, Mem: [MaxMem]MemRef{{Addr: 0x2010, Size: 8, Store: true}}}}
	if d := cmp.Diff(want, ins[:n]); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}

	// In a file, after it a run of records: recognised by content, plain
	// and compressed; the records view gives the continuation's store
	// with no fetch.
	data := append(b, cloudStream(40)...)
	for _, kind := range []string{"plain", "gzip", "xz", "zstd"} {
		r, err := Open(writeFile(t, "core0.trace", compress(t, kind, data)))
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if r.Format() != "cloudsuite" || CarriesOf(r) != CarriesRegs|CarriesPIDs {
			t.Fatalf("%s: format %q carries %v", kind, r.Format(), CarriesOf(r))
		}
		recs, err := readAll(r, 5)
		if err != nil {
			t.Fatal(err)
		}
		first := []Record{{Addr: 0x10001234, Size: 4, PID: 7}, {Addr: 0x3000, Size: 8, Op: Load, PID: 7},
			{Addr: 0x3008, Size: 8, Op: Load, PID: 7}, {Addr: 0x3010, Size: 8, Op: Load, PID: 7},
			{Addr: 0x303c, Size: 4, Op: Load, PID: 7}, {Addr: 0x2000, Size: 8, Op: Store, PID: 7},
			{Addr: 0x2008, Size: 8, Op: Store, PID: 7}, {Addr: 0x2010, Size: 8, Op: Store, PID: 7},
			{Addr: 0x100000, Size: 4, PID: 1}}
		if d := cmp.Diff(first, recs[:len(first)]); d != "" {
			t.Errorf("%s: records (-want +got):\n%s", kind, d)
		}
	}
}

// Which format the start of a binary file is: CloudSuite's 96-byte
// records, ChampSim's 64-byte ones (the Pin tracer's, and a stream where
// every instruction loads, whose 96-byte view has a plausible address at
// each "ip"), or neither.
func TestCloudSuiteDetection(t *testing.T) {
	var champ bytes.Buffer
	w := NewChampSimWriter(&champ)
	if err := w.WriteInstrs(champsimInstrs(200, 3)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	g, err := Generate("stream", GenParams{Count: 200, Size: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	var loads bytes.Buffer
	w = NewChampSimWriter(&loads)
	w.WriteInstrs(readAllInstrs(t, Instructions(g, false)))
	w.Close()
	for _, c := range []struct {
		name, want string
		data       []byte
	}{
		{"cloudsuite", "cloudsuite", cloudStream(100)},
		{"two records", "cloudsuite", cloudStream(2)},
		{"one record, read as ChampSim's", "champsim", cloudStream(1)},
		{"champsim", "champsim", champ.Bytes()},
		{"champsim, every instruction a load", "champsim", loads.Bytes()},
		{"cloudsuite, an ip of 0", "", append(cloudStream(10), cloudRecord(0, 0, 0, 1, false, false)...)},
		{"cloudsuite, a branch flag of 2", "", append(cloudStream(10), func() []byte {
			b := cloudRecord(0x100028, 0, 0, 1, false, false)
			b[8] = 2
			return b
		}()...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := ""
			if f := detect("t", c.data[:min(len(c.data), 4096)]); f != nil {
				got = f.Name
			}
			if got != c.want && !(c.want == "" && got != "cloudsuite") {
				t.Errorf("detected %q, want %q", got, c.want)
			}
		})
	}
}

// The checks both binary formats make of every whole record, at their
// edges: each rule's first failing value, the bytes they do not look at
// (registers, padding, a partial record at the end), and the rules only
// CloudSuite adds (two records, a nonzero ip, ips in sequence).
func TestRecordSniffing(t *testing.T) {
	// patched copies head with v at offset off, little-endian.
	patched := func(head []byte, off int, v uint64) []byte {
		b := slices.Clone(head)
		binary.LittleEndian.PutUint64(b[off:], v)
		return b
	}
	flags := func(head []byte, off int, branch, taken byte) []byte {
		b := slices.Clone(head)
		b[off+8], b[off+9] = branch, taken
		return b
	}
	// champ is three ChampSim records: ips in sequence, a load and a store
	// on the second.
	var champ []byte
	for i := range 3 {
		r := make([]byte, ChampSimRecordSize)
		binary.LittleEndian.PutUint64(r[csIP:], 0x400000+4*uint64(i))
		if i == 1 {
			binary.LittleEndian.PutUint64(r[csDstMem:], 0x7fff0000)
			binary.LittleEndian.PutUint64(r[csSrcMem:], 0x10000000)
		}
		champ = append(champ, r...)
	}
	cloud := cloudStream(3)
	const nonCanonical, highHalf = 0x0100_0000_0000_0000, 0xffff_8000_0000_0000
	known, err := hex.DecodeString(knownCloudRecord)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name              string
		head              []byte
		champsim, cloudsu bool
	}{
		{"empty", nil, false, false},
		{"63 bytes", champ[:63], false, false},
		{"one ChampSim record", champ[:64], true, false},
		{"ChampSim records and a partial one of garbage", append(slices.Clone(champ), bytes.Repeat([]byte{0xff}, 63)...), true, false},
		{"ChampSim records", champ, true, false},
		{"ChampSim, an ip of 0", patched(champ, 64, 0), true, false},
		{"ChampSim, an ip in the high half", patched(champ, 64, highHalf), true, false},
		{"ChampSim, a noncanonical ip", patched(champ, 64, nonCanonical), false, false},
		{"ChampSim, a noncanonical last source", patched(champ, 64+56, nonCanonical), false, false},
		{"ChampSim, garbage registers", patched(champ, 64+8, 0xffff_ffff_ffff_0000), true, false},
		{"ChampSim, a taken branch", flags(champ, 64, 1, 1), true, false},
		{"ChampSim, taken but no branch", flags(champ, 64, 0, 1), false, false},
		{"ChampSim, a branch flag of 2", flags(champ, 64, 2, 0), false, false},
		{"ChampSim, a taken flag of 2", flags(champ, 64, 1, 2), false, false},
		{"one CloudSuite record", cloud[:96], true, false},
		{"two CloudSuite records", cloud[:192], true, true},
		{"CloudSuite records and a partial one of garbage", append(slices.Clone(cloud), bytes.Repeat([]byte{0xff}, 95)...), true, true},
		// Read as 64-byte records, bytes 96, 120 and 176 of a CloudSuite
		// stream are memory operands, and 88-95 (padding) one too.
		{"CloudSuite, garbage padding", append(known, cloud...), false, true},
		{"CloudSuite, garbage padding and asid", patched(patched(cloud, 96+16, 0xffff_ffff_ffff_0000), 96+88, 0xbbbb_bbbb_bbbb_0708), false, true},
		{"CloudSuite, an ip of 0", patched(cloud, 96, 0), true, false},
		{"CloudSuite, a noncanonical ip", patched(cloud, 96, nonCanonical), false, false},
		{"CloudSuite, a noncanonical first store", patched(cloud, 96+24, nonCanonical), false, false},
		{"CloudSuite, a noncanonical last load", patched(cloud, 96+80, nonCanonical), false, false},
		{"CloudSuite, taken but no branch", flags(cloud, 96, 0, 1), true, false},
		{"CloudSuite, a branch flag of 2", flags(cloud, 96, 2, 0), true, false},
		{"CloudSuite, ips not in sequence", patched(cloud, 96, 0x200000), true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := looksLikeChampSim(c.head); got != c.champsim {
				t.Errorf("ChampSim: %v, want %v", got, c.champsim)
			}
			if got := looksLikeCloudSuite(c.head); got != c.cloudsu {
				t.Errorf("CloudSuite: %v, want %v", got, c.cloudsu)
			}
		})
	}
}

// A file cut inside a record: refused at Open when its size is known,
// after the whole records in a compressed stream, naming the offset.
func TestCloudSuitePartialRecord(t *testing.T) {
	data := cloudStream(30)
	data = data[:len(data)-40]
	for _, c := range []struct {
		kind    string
		atOpen  bool
		records int // instructions before the error
	}{{"plain", true, 0}, {"gzip", false, 29}} {
		r, err := Open(writeFile(t, "t.trace", compress(t, c.kind, data)))
		n := 0
		if err == nil {
			ir := Instructions(r, false)
			buf := make([]Instr, 8)
			for err == nil {
				var k int
				k, err = ir.ReadInstrs(buf)
				n += k
			}
		} else if !c.atOpen {
			t.Fatalf("%s: Open: %v", c.kind, err)
		}
		var e *Error
		want := "partial record: 56 of 96 bytes"
		if !errors.As(err, &e) || !e.HasOffset || e.Offset != 29*CloudSuiteRecordSize || !strings.Contains(e.Msg, want) {
			t.Errorf("%s: error %v, want one at offset %d saying %q", c.kind, err, 29*CloudSuiteRecordSize, want)
		}
		if n != c.records {
			t.Errorf("%s: %d instructions before the error, want %d", c.kind, n, c.records)
		}
	}
}

// Each ASID is a process: Stat counts them, convert keeps them in a
// native trace.
func TestCloudSuiteProcesses(t *testing.T) {
	path := writeFile(t, "t.trace", cloudStream(120)) // ASIDs 1, 2, 3
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := Stat(r, StatsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Processes != 3 || st.Threads != 3 || st.Format != "cloudsuite" || st.Records != 120+80 {
		t.Errorf("stats: %d processes, %d threads, format %q, %d records; want 3, 3, cloudsuite, 200", st.Processes, st.Threads, st.Format, st.Records)
	}
	r, _ = Open(path)
	refs := readAllRefs(t, Refs(r), 64)
	var b bytes.Buffer
	nw, _ := NewNativeWriter(&b, WriteOptions{Carries: CarriesOf(r)})
	if err := nw.WriteRefs(refs); err != nil {
		t.Fatal(err)
	}
	nw.Close()
	back, _ := NewReader("t.vmt", bytes.NewReader(b.Bytes()))
	if d := cmp.Diff(refs, readAllRefs(t, back.(RefReader), 64)); d != "" {
		t.Errorf("native copy (-cloudsuite +native):\n%s", d)
	}
}
