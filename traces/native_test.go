package traces

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/zstd"
)

// matmul's records, read once.
// carriesV1 is all a version 1 native trace carries: no threads.
const carriesV1 = carriesAll &^ CarriesThreads

var matmulRecs = sync.OnceValues(func() ([]Record, error) {
	r, err := Open(matmulGz)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return readAll(r, 4096)
})

func matmul(tb testing.TB) []Record {
	tb.Helper()
	need(tb, matmulGz)
	recs, err := matmulRecs()
	if err != nil {
		tb.Fatal(err)
	}
	return recs
}

func encodeNative(tb testing.TB, opt WriteOptions, recs []Record, refs []Ref) []byte {
	tb.Helper()
	var b bytes.Buffer
	w, err := NewNativeWriter(&b, opt)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < len(recs); i += 1000 {
		if err := w.Write(recs[i:min(i+1000, len(recs))]); err != nil {
			tb.Fatal(err)
		}
	}
	for i := 0; i < len(refs); i += 1000 {
		if err := w.WriteRefs(refs[i:min(i+1000, len(refs))]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// A lackey trace converted to native and back is the same, record for
// record and, written as lackey, byte for byte; and the native file is at
// least 3 times smaller than the gzip'ed text.
func TestNativeLackeyRoundTrip(t *testing.T) {
	recs := matmul(t)
	text := gunzipFile(t, matmulGz)
	for _, frame := range []int{0, 1000} {
		data := encodeNative(t, WriteOptions{FrameRecords: frame}, recs, nil)
		path := writeFile(t, "matmul.vmt", data)
		r, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if r.Format() != "native" {
			t.Errorf("Format() = %q", r.Format())
		}
		got, err := readAll(r, 777)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if diff := diffRecords(recs, got); diff != "" {
			t.Fatalf("frames of %d: (-lackey +native):\n%s", frame, diff)
		}
		var back bytes.Buffer
		if err := WriteLackey(&back, got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(back.Bytes(), text) {
			t.Errorf("frames of %d: lackey -> native -> lackey differs from the original text", frame)
		}
		if frame == 0 {
			st, _ := os.Stat(matmulGz)
			t.Logf("matmul: %d records; lackey %d bytes, .gz %d, native %d (%.1fx smaller than .gz)",
				len(recs), len(text), st.Size(), len(data), float64(st.Size())/float64(len(data)))
			if 3*int64(len(data)) > st.Size() {
				t.Errorf("native %d bytes, more than a third of the .gz's %d", len(data), st.Size())
			}
		}
	}
}

// The instruction views agree: a lackey trace and its native copy give the
// same instructions, modifies split or not.
func TestNativeInstructions(t *testing.T) {
	recs := matmul(t)[:200000]
	path := writeFile(t, "m.vmt", encodeNative(t, WriteOptions{}, recs, nil))
	var text bytes.Buffer
	WriteLackey(&text, recs)
	for _, modifyAsLoad := range []bool{false, true} {
		lr, _ := NewReader("m", bytes.NewReader(text.Bytes()))
		nr, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		want := readAllInstrs(t, Instructions(lr, modifyAsLoad))
		got := readAllInstrs(t, Instructions(nr, modifyAsLoad))
		if diff := diffInstrs(want, got); diff != "" {
			t.Errorf("modifyAsLoad %v: (-lackey +native):\n%s", modifyAsLoad, diff)
		}
	}
}

// A ChampSim trace converted to native and back is the same, byte for
// byte, and both give the same instructions.
func TestNativeChampSimRoundTrip(t *testing.T) {
	ins := champsimInstrs(20000, 11)
	cs := encodeChampSim(t, ins)
	csPath := writeFile(t, "t.champsim", cs)
	r, err := Open(csPath)
	if err != nil {
		t.Fatal(err)
	}
	var nb bytes.Buffer
	w, err := NewNativeWriter(&nb, WriteOptions{Carries: CarriesOf(r), FrameRecords: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Copy(w, Refs(r)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	nPath := writeFile(t, "t.vmt", nb.Bytes())
	nr, err := Open(nPath)
	if err != nil {
		t.Fatal(err)
	}
	if CarriesOf(nr) != CarriesRegs {
		t.Errorf("carries %v", CarriesOf(nr))
	}
	if diff := diffInstrs(ins, readAllInstrs(t, Instructions(nr, false))); diff != "" {
		t.Fatalf("instructions (-champsim +native):\n%s", diff)
	}
	nr, _ = Open(nPath)
	var back bytes.Buffer
	cw := NewChampSimWriter(&back)
	if _, err := Copy(cw, Refs(nr)); err != nil {
		t.Fatal(err)
	}
	cw.Close()
	nr.Close()
	if !bytes.Equal(back.Bytes(), cs) {
		t.Error("champsim -> native -> champsim differs")
	}
	t.Logf("%d instructions: ChampSim %d bytes, native %d", len(ins), len(cs), nb.Len())
}

// randomRefs mixes everything the format holds: every op, sizes inline and
// not, strided and random addresses (long varints), values, registers,
// processes.
func randomRefs(n int, seed uint64) []Ref {
	x := seed | 1
	next := func() uint64 { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x }
	refs := make([]Ref, n)
	ip, pid, thread := uint64(0x400000), uint16(0), uint8(0)
	stride := map[int]uint64{}
	for i := range refs {
		r := &refs[i]
		if next()%50 == 0 {
			pid = uint16(next() % 4)
		}
		if next()%40 == 0 {
			thread = uint8(next())
		}
		r.PID, r.Thread = pid, thread
		switch next() % 10 {
		case 0, 1, 2, 3, 4:
			r.Op = Fetch
			ip += uint64(next() % 16)
			if next()%20 == 0 {
				ip = next()
			}
			r.Addr = ip
			if next()%3 == 0 {
				r.HasRegs = true
				r.SrcRegs = [4]uint8{uint8(next()), 0, uint8(next()), 0}
				r.DstRegs = [2]uint8{uint8(next()), uint8(next())}
				r.Branch = next()%2 == 0
				r.Taken = r.Branch && next()%2 == 0
			}
		default:
			r.Op = Op(1 + next()%3)
			k := int(next() % 8)
			stride[k] += 8 * (next() % 3)
			r.Addr = 0x10000000 + stride[k]
			if next()%10 == 0 {
				r.Addr = next()
			}
		}
		r.Size = uint32(1 + next()%20)
		if next()%20 == 0 {
			r.Size = uint32(1 + next()%MaxAccessSize)
		}
		if next()%7 == 0 {
			r.HasValue, r.Value = true, next()>>(next()%64)
		}
	}
	return refs
}

// Refs with all they carry come back as written, through ReadRefs; Read
// and ReadRefs agree on the records.
func TestNativeRefsRoundTrip(t *testing.T) {
	refs := randomRefs(30000, 5)
	for _, frame := range []int{1, 2, 100, 0} {
		data := encodeNative(t, WriteOptions{Carries: carriesAll, FrameRecords: frame}, nil, refs)
		r, err := NewReader("t", bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		got := readAllRefs(t, r.(RefReader), 333)
		if diff := cmp.Diff(refs, got); diff != "" {
			t.Fatalf("frames of %d (-written +read):\n%s", frame, diff)
		}
		r, _ = NewReader("t", bytes.NewReader(data))
		recs, err := readAll(r, 97)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]Record, len(refs))
		for i := range refs {
			want[i] = refs[i].Record
		}
		if diff := diffRecords(want, recs); diff != "" {
			t.Fatalf("frames of %d: records (-written +read):\n%s", frame, diff)
		}
	}
}

func TestNativeWriterErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		ref  Ref
	}{
		{"pid", Ref{Record: Record{Addr: 1, Size: 1, Op: Load, PID: 3}}},
		{"thread", Ref{Record: Record{Addr: 1, Size: 1, Op: Load, Thread: 3}}},
		{"value", Ref{Record: Record{Addr: 1, Size: 1, Op: Load}, HasValue: true}},
		{"regs", Ref{Record: Record{Addr: 1, Size: 1, Op: Fetch}, HasRegs: true}},
		{"op", Ref{Record: Record{Addr: 1, Size: 1, Op: Op(7)}}},
	} {
		w, _ := NewNativeWriter(io.Discard, WriteOptions{})
		if err := w.WriteRefs([]Ref{tc.ref}); err == nil {
			t.Errorf("%s: written without declaring it", tc.name)
		}
	}
	w, _ := NewNativeWriter(io.Discard, WriteOptions{})
	w.Close()
	if err := w.Write([]Record{{Addr: 1, Size: 1}}); err == nil {
		t.Error("Write after Close worked")
	}
}

// nativeFile is a small native trace of several frames, and where each
// frame starts.
func nativeFile(t *testing.T) ([]byte, []int64) {
	refs := randomRefs(3000, 9)
	for i := range refs {
		refs[i].PID, refs[i].Thread = 0, 0 // no switches: 1000 refs a frame
	}
	data := encodeNative(t, WriteOptions{Carries: carriesV1, FrameRecords: 1000}, nil, refs)
	var offs []int64
	for off := int64(nativeHeaderLen); off < int64(len(data)); {
		offs = append(offs, off)
		off += frameHeaderLen + int64(binary.LittleEndian.Uint32(data[off+8:]))
	}
	return data, offs
}

// reframe replaces frame k's payload by payload, with correct checksums.
func reframe(t *testing.T, data []byte, offs []int64, k int, count uint32, payload []byte) []byte {
	out := append([]byte{}, data[:offs[k]]...)
	out = append(out, encodeFrame(count, payload)...)
	return append(out, data[offs[k+1]:]...)
}

// encodeFrame is a frame of count records holding payload, whatever it
// holds, with correct checksums.
func encodeFrame(count uint32, payload []byte) []byte {
	enc, _ := zstd.NewWriter(nil)
	comp := enc.EncodeAll(payload, nil)
	var h [frameHeaderLen]byte
	binary.LittleEndian.PutUint32(h[0:], count)
	binary.LittleEndian.PutUint32(h[4:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(h[8:], uint32(len(comp)))
	binary.LittleEndian.PutUint32(h[12:], crc32.Checksum(payload, castagnoli))
	binary.LittleEndian.PutUint32(h[16:], crc32.Checksum(h[:16], castagnoli))
	return append(h[:], comp...)
}

// Bad headers, corrupt frames, truncation, unknown kinds: an *Error that
// names the offset, never a panic.
func TestNativeErrors(t *testing.T) {
	data, offs := nativeFile(t)
	if len(offs) != 4 { // 3 frames and the end marker
		t.Fatalf("%d frames", len(offs))
	}
	mod := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(data)) }
	set := func(off int, v byte) []byte { return mod(func(b []byte) []byte { b[off] ^= v; return b }) }
	header := func(version, flags uint16) []byte {
		return mod(func(b []byte) []byte {
			binary.LittleEndian.PutUint16(b[8:], version)
			binary.LittleEndian.PutUint16(b[10:], flags)
			binary.LittleEndian.PutUint32(b[12:], crc32.Checksum(b[:12], castagnoli))
			return b
		})
	}
	f1, f2 := offs[1], offs[2]
	payload := func(kinds ...byte) []byte {
		p := []byte{0, byte(len(kinds)), 0, 0, 0}
		p = append(p, kinds...)
		return append(p, make([]byte, len(kinds))...)
	}
	tests := []struct {
		name    string
		data    []byte
		off     int64
		want    string // in the message
		atOpen  bool
		records int // delivered before the error
	}{
		{"header checksum", set(9, 1), 12, "corrupt native trace header", true, 0},
		{"version", header(3, 0), 8, "native trace version 3; this emu reads versions 1 to 2", true, 0},
		{"version 0", header(0, 0), 8, "native trace version 0; this emu reads versions 1 to 2", true, 0},
		{"flags", header(1, 0x80), 10, "unknown flags 0x80", true, 0},
		{"threads in version 1", header(1, uint16(CarriesThreads)), 10, "unknown flags 0x8 for version 1", true, 0},
		{"header cut", data[:10], 10, "truncated native trace header (10 of 16 bytes)", true, 0},
		{"payload byte", set(int(f1)+frameHeaderLen+5, 0x40), f1, "frame 2: corrupt frame", false, 1000},
		{"frame header", set(int(f2)+2, 1), f2, "frame 3: corrupt frame header", false, 2000},
		{"frame cut", data[:f2-3], f1, "frame 2: truncated native trace: frame cut short", false, 1000},
		{"no end marker", data[:offs[3]], offs[3], "frame 4: truncated native trace: the end marker is missing", false, 3000},
		{"after the end", append(bytes.Clone(data), 0), int64(len(data)), "data after the end marker", false, 3000},
		{"unknown kind", reframe(t, data, offs, 1, 1, payload(0xc1)), f1, "frame 2: record 1: unknown record kind 0xc1", false, 1000},
		{"rich kind with reserved bits", reframe(t, data, offs, 1, 1, payload(0x91)), f1, "frame 2: record 1: unknown record kind 0x91", false, 1000},
		{"columns too long", reframe(t, data, offs, 1, 1, append(payload(0x05), 0)[1:]), f1, "frame 2: corrupt frame: columns of", false, 1000},
		{"columns left over", reframe(t, data, offs, 1, 1, []byte{0, 2, 0, 0, 0, 0x05, 0, 0}), f1, "do not end with its records", false, 1001},
		{"address missing", reframe(t, data, offs, 1, 2, []byte{0, 1, 0, 0, 0, 0x05, 0x05, 0}), f1, "record 2: bad address", false, 1001},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, refs := range []bool{false, true} {
				n := 0
				r, err := NewReader("t.vmt", bytes.NewReader(tc.data))
				if (err != nil) != tc.atOpen {
					t.Fatalf("Open: %v", err)
				}
				if err == nil {
					if refs {
						buf := make([]Ref, 100)
						for err == nil {
							var k int
							k, err = r.(RefReader).ReadRefs(buf)
							n += k
						}
					} else {
						var recs []Record
						recs, err = readAll(r, 100)
						n = len(recs)
					}
				}
				var e *Error
				if !errors.As(err, &e) || !e.HasOffset || e.Offset != tc.off || !strings.Contains(e.Msg, tc.want) || e.File != "t.vmt" {
					t.Fatalf("error %v, want offset %d and %q", err, tc.off, tc.want)
				}
				if n != tc.records {
					t.Errorf("%d records before the error, want %d", n, tc.records)
				}
			}
		})
	}
}

// FuzzNative: any bytes after a valid header (version 2 with everything,
// or version 1 with all it has) give records or an *Error, never a panic
// or a hang; Read and ReadRefs agree.
func FuzzNative(f *testing.F) {
	refs := randomRefs(300, 3)
	var b, b1 bytes.Buffer
	for _, o := range []struct {
		buf     *bytes.Buffer
		carries Carries
	}{{&b, carriesAll}, {&b1, carriesV1}} {
		w, _ := NewNativeWriter(o.buf, WriteOptions{Carries: o.carries, FrameRecords: 100})
		w.WriteRefs(refs)
		w.Close()
	}
	f.Add(false, b.Bytes()[nativeHeaderLen:])
	f.Add(true, b1.Bytes()[nativeHeaderLen:])
	f.Add(false, []byte{})
	for _, h := range hostileNatives {
		f.Add(true, h.data[nativeHeaderLen:])
	}
	// issue 16: the addresses the scenario calls are bounded by, as a
	// trace carries them: page 0, below and at the top of the user half,
	// the kernel half, and an access that wraps around 2^64
	var edges bytes.Buffer
	w, _ := NewNativeWriter(&edges, WriteOptions{Carries: carriesAll, FrameRecords: 4})
	for _, a := range []uint64{0, 0xfff8, 1<<47 - 8, 1 << 47, 0xffff800000000000, 1<<64 - 8} {
		w.WriteRefs([]Ref{{Record: Record{Addr: a, Size: 16, Op: Store}, Value: a, HasValue: true},
			{Record: Record{Addr: a, Size: MaxAccessSize, Op: Load, Thread: 255}}})
	}
	w.Close()
	f.Add(false, edges.Bytes()[nativeHeaderLen:])
	headers := map[bool][]byte{false: b.Bytes()[:nativeHeaderLen], true: b1.Bytes()[:nativeHeaderLen]}
	f.Fuzz(func(t *testing.T, v1 bool, body []byte) {
		data := append(bytes.Clone(headers[v1]), body...)
		r, err := NewReader("fuzz", bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		recs, rerr := readAll(r, 7)
		r, _ = NewReader("fuzz", bytes.NewReader(data))
		var got []Ref
		buf := make([]Ref, 5)
		var ferr error
		for {
			n, err := r.(RefReader).ReadRefs(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				ferr = err
				break
			}
		}
		if ferr == io.EOF {
			ferr = nil
		}
		if (rerr == nil) != (ferr == nil) || len(recs) != len(got) {
			t.Fatalf("Read: %d, %v; ReadRefs: %d, %v", len(recs), rerr, len(got), ferr)
		}
		for i := range recs {
			if recs[i] != got[i].Record {
				t.Fatalf("record %d: %v and %v", i, recs[i], got[i].Record)
			}
		}
		var e *Error
		if rerr != nil && (!errors.As(rerr, &e) || !e.HasOffset) {
			t.Fatalf("error %v is not an *Error with an offset", rerr)
		}
	})
}

// Native inside gzip (pointless, but harmless) reads the same.
func TestNativeCompressed(t *testing.T) {
	refs := randomRefs(2000, 1)
	data := encodeNative(t, WriteOptions{Carries: carriesAll}, nil, refs)
	path := writeFile(t, "t.vmt.gz", compress(t, "gzip", data))
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(refs, readAllRefs(t, r.(RefReader), 100)); diff != "" {
		t.Errorf("(-written +read):\n%s", diff)
	}
}

func BenchmarkReadNative(b *testing.B) {
	recs := matmul(b)
	path := writeFile(b, "matmul.vmt", encodeNative(b, WriteOptions{}, recs, nil))
	benchOpen(b, openPath(path, false))
}

func BenchmarkReadNativePipelined(b *testing.B) {
	recs := matmul(b)
	path := writeFile(b, "matmul.vmt", encodeNative(b, WriteOptions{}, recs, nil))
	benchOpen(b, openPath(path, true))
}

func BenchmarkWriteNative(b *testing.B) {
	recs := matmul(b)
	b.ReportAllocs()
	for b.Loop() {
		w, _ := NewNativeWriter(io.Discard, WriteOptions{})
		w.Write(recs)
		w.Close()
	}
	b.ReportMetric(float64(len(recs)*b.N)/b.Elapsed().Seconds(), "records/s")
}

// A trace that carries threads is version 2 and reads back with them, by
// Read, ReadRefs and Instructions; one that does not is version 1.
func TestNativeThreads(t *testing.T) {
	refs := []Ref{
		{Record: Record{Addr: 0x400000, Size: 4, Op: Fetch}},
		{Record: Record{Addr: 0x1000, Size: 8, Op: Load}},
		{Record: Record{Addr: 0x400100, Size: 4, Op: Fetch, Thread: 3}},
		{Record: Record{Addr: 0x2000, Size: 8, Op: Store, Thread: 3}},
		{Record: Record{Addr: 0x400200, Size: 4, Op: Fetch, PID: 2, Thread: 255}},
		{Record: Record{Addr: 0x3000, Size: 8, Op: Load, PID: 2, Thread: 1}}, // another thread's data: an instruction of its own
	}
	for _, c := range []struct {
		carries Carries
		version uint16
	}{{carriesAll, 2}, {CarriesThreads, 2}, {carriesV1, 1}} {
		var b bytes.Buffer
		w, _ := NewNativeWriter(&b, WriteOptions{Carries: c.carries})
		err := w.WriteRefs(refs)
		if err == nil {
			err = w.Close()
		}
		if got := binary.LittleEndian.Uint16(b.Bytes()[8:]); got != c.version {
			t.Errorf("carries %v: version %d, want %d", c.carries, got, c.version)
		}
		if c.carries&CarriesThreads == 0 || c.carries&CarriesPIDs == 0 {
			if err == nil {
				t.Errorf("carries %v: threads or processes written without declaring them", c.carries)
			}
			continue
		}
		r, err := NewReader("t.vmt", bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(refs, readAllRefs(t, r.(RefReader), 4)); d != "" {
			t.Errorf("refs (-written +read):\n%s", d)
		}
		r, _ = NewReader("t.vmt", bytes.NewReader(b.Bytes()))
		ins := Instructions(r, false)
		buf := make([]Instr, 10)
		n, _ := ins.ReadInstrs(buf)
		var got [][3]uint64
		for _, in := range buf[:n] {
			got = append(got, [3]uint64{in.IP, uint64(in.PID), uint64(in.Thread)})
		}
		want := [][3]uint64{{0x400000, 0, 0}, {0x400100, 0, 3}, {0x400200, 2, 255}, {0x400200, 2, 1}}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("instructions' ip, pid, thread (-want +got):\n%s", d)
		}
	}
}

// Version 2's thread switches are checked as the process switches are.
func TestNativeThreadErrors(t *testing.T) {
	v2 := func(flags Carries, count uint32, kinds, addrs, threads []byte) []byte {
		var h [nativeHeaderLen]byte
		copy(h[:], NativeMagic)
		binary.LittleEndian.PutUint16(h[8:], NativeVersion)
		binary.LittleEndian.PutUint16(h[10:], uint16(flags))
		binary.LittleEndian.PutUint32(h[12:], crc32.Checksum(h[:12], castagnoli))
		p := []byte{0, byte(len(addrs)), 0, 0, 0, byte(len(threads))}
		p = append(append(append(p, kinds...), addrs...), threads...)
		var end [frameHeaderLen]byte
		binary.LittleEndian.PutUint32(end[16:], crc32.Checksum(end[:16], castagnoli))
		return append(append(h[:], encodeFrame(count, p)...), end[:]...)
	}
	for _, c := range []struct {
		name string
		data []byte
		want string // in the error; "" for none
		rec  Record
	}{
		{"a thread switch", v2(CarriesThreads, 2, []byte{kindThread, 0x05}, []byte{0}, []byte{7}), "", Record{Size: 1, Op: Load, Thread: 7}},
		{"thread 256", v2(CarriesThreads, 2, []byte{kindThread, 0x05}, []byte{0}, binary.AppendUvarint(nil, 256)), "record 1: bad thread id (at most 255)", Record{}},
		{"thread id missing", v2(CarriesThreads, 2, []byte{kindThread, 0x05}, []byte{0}, nil), "record 1: bad thread id", Record{}},
		{"threads not announced", v2(CarriesPIDs, 2, []byte{kindThread, 0x05}, []byte{0}, []byte{1}), "thread switch, but the header does not announce threads", Record{}},
		{"threads column left over", v2(CarriesThreads, 1, []byte{0x05}, []byte{0}, []byte{1}), "do not end with its records", Record{Size: 1, Op: Load}},
		{"an unknown kind", v2(CarriesThreads, 2, []byte{0xc2, 0x05}, []byte{0}, nil), "record 1: unknown record kind 0xc2", Record{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := NewReader("t.vmt", bytes.NewReader(c.data))
			if err != nil {
				t.Fatal(err)
			}
			recs, err := readAll(r, 4)
			if c.want == "" {
				if err != nil || len(recs) != 1 || recs[0] != c.rec {
					t.Errorf("records %v, error %v; want %v", recs, err, c.rec)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || !e.HasOffset || e.Offset != nativeHeaderLen || !strings.Contains(e.Msg, c.want) {
				t.Errorf("error %v; want one at offset %d saying %q", err, nativeHeaderLen, c.want)
			}
			if c.rec != (Record{}) && (len(recs) != 1 || recs[0] != c.rec) {
				t.Errorf("records before the error %v, want %v", recs, c.rec)
			}
		})
	}
}
