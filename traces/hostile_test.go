package traces

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// hostileFrame is one native frame of count records whose payload is the
// five column lengths lens as varints, the kind bytes, then cols; pad
// zero bytes make the payload as long as a wrapping sum of the lengths
// says, when pad is true. Checksums are valid, so only the reader's own
// checks stand between the frame and its slices.
func hostileFrame(count uint32, lens [5]uint64, kinds, cols []byte, pad bool) []byte {
	var p []byte
	for _, l := range lens {
		p = binary.AppendUvarint(p, l)
	}
	if pad {
		sum := uint64(len(p)) + uint64(len(kinds)) + uint64(len(cols))
		for _, l := range lens {
			sum += l // wraps, as the reader's sum must not
		}
		for extra := sum - uint64(len(p)+len(kinds)+len(cols)); extra > 0 && extra < 64; extra-- {
			cols = append(cols, 0)
		}
	}
	return encodeFrame(count, append(append(p, kinds...), cols...))
}

// hostileNative is a whole native trace of version 1 (five columns): a
// header that announces everything version 1 has, the frame, and the end
// marker.
func hostileNative(frame []byte) []byte {
	var h [nativeHeaderLen]byte
	copy(h[:], NativeMagic)
	binary.LittleEndian.PutUint16(h[8:], nativeV1)
	binary.LittleEndian.PutUint16(h[10:], uint16(carriesV1))
	binary.LittleEndian.PutUint32(h[12:], crc32.Checksum(h[:12], castagnoli))
	var end [frameHeaderLen]byte
	binary.LittleEndian.PutUint32(end[16:], crc32.Checksum(end[:16], castagnoli))
	return append(append(h[:], frame...), end[:]...)
}

// hostileNatives are frames that once panicked the reader or asked it for
// absurd sizes, each with what the error must say (or "" and the one
// record it must give). FuzzNative starts from them too.
var hostileNatives = []struct {
	name string
	data []byte
	want string
	rec  Record
}{
	{"column lengths wrap around 2^64 to the payload", hostileNative(hostileFrame(1, [5]uint64{0, 1 << 63, 1<<63 + 1, 0, 0}, []byte{0x05}, nil, true)),
		"frame 1: corrupt frame: columns of more than 2^64 bytes", Record{}},
	{"column lengths add up to exactly 2^64", hostileNative(hostileFrame(1, [5]uint64{0, 1 << 63, 1 << 63, 0, 0}, []byte{0x05}, nil, true)),
		"columns of more than 2^64 bytes", Record{}},
	{"one column of 2^64-1 bytes", hostileNative(hostileFrame(1, [5]uint64{1<<64 - 1, 0, 0, 0, 0}, []byte{0x05}, []byte{0}, false)),
		"columns of more than 2^64 bytes", Record{}},
	{"five columns of 2^62 bytes", hostileNative(hostileFrame(1, [5]uint64{1 << 62, 1 << 62, 1 << 62, 1 << 62, 1 << 62}, []byte{0x05}, nil, true)),
		"columns of more than 2^64 bytes", Record{}},
	{"a column longer than the payload", hostileNative(hostileFrame(1, [5]uint64{0, 1 << 40, 0, 0, 0}, []byte{0x05}, []byte{0}, false)),
		"columns of 1099511627787 bytes in a payload of 12", Record{}},
	{"size 2^32-1", hostileNative(hostileFrame(1, [5]uint64{5, 1, 0, 0, 0}, []byte{0x01}, append(binary.AppendUvarint(nil, 1<<32-1), 0), false)),
		"frame 1: corrupt frame: record 1: size: 4294967295 " + sizeTooBig, Record{}},
	{"size 2^64-1", hostileNative(hostileFrame(1, [5]uint64{10, 1, 0, 0, 0}, []byte{0x01}, append(binary.AppendUvarint(nil, 1<<64-1), 0), false)),
		"record 1: size: 18446744073709551615 " + sizeTooBig, Record{}},
	{"size one past the bound", hostileNative(hostileFrame(1, [5]uint64{3, 1, 0, 0, 0}, []byte{0x02}, append(binary.AppendUvarint(nil, MaxAccessSize+1), 0), false)),
		"record 1: size: 16385 " + sizeTooBig, Record{}},
	{"size 0 in the sizes column", hostileNative(hostileFrame(1, [5]uint64{1, 1, 0, 0, 0}, []byte{0x01}, []byte{0, 0}, false)),
		"record 1: size: must not be 0", Record{}},
	{"size 0 on a rich record", hostileNative(hostileFrame(1, [5]uint64{1, 1, 0, 0, 0}, []byte{0x81}, []byte{0, 0}, false)),
		"record 1: size: must not be 0", Record{}},
	{"the largest size", hostileNative(hostileFrame(1, [5]uint64{3, 1, 0, 0, 0}, []byte{0x01}, append(binary.AppendUvarint(nil, MaxAccessSize), 0), false)),
		"", Record{Size: MaxAccessSize, Op: Load}},
	// Addresses below are zigzag deltas from a prediction of 0: 7 is -4,
	// 15 is -8. A size of 8 in the kind byte (0x21) goes the fast way, one
	// in the sizes column (kind 0x01) the slow way.
	{"past the top, size in the kind", hostileNative(hostileFrame(1, [5]uint64{0, 1, 0, 0, 0}, []byte{0x21}, []byte{7}, false)),
		"record 1: size: 8 bytes at 0xfffffffffffffffc " + pastTheTop, Record{}},
	{"past the top, size in its column", hostileNative(hostileFrame(1, [5]uint64{1, 1, 0, 0, 0}, []byte{0x01}, []byte{8, 7}, false)),
		"record 1: size: 8 bytes at 0xfffffffffffffffc " + pastTheTop, Record{}},
	{"up to the top", hostileNative(hostileFrame(1, [5]uint64{0, 1, 0, 0, 0}, []byte{0x21}, []byte{15}, false)),
		"", Record{Addr: 1<<64 - 8, Size: 8, Op: Load}},
}

// Every hostile frame gives its error, by Read and by ReadRefs (and
// through Pipelined), never a panic.
func TestNativeHostileFrames(t *testing.T) {
	for _, tc := range hostileNatives {
		t.Run(tc.name, func(t *testing.T) {
			for _, view := range []string{"records", "refs", "pipelined"} {
				r, err := NewReader("h.vmt", bytes.NewReader(tc.data))
				if err != nil {
					t.Fatal(err)
				}
				if view == "pipelined" {
					r = Pipelined(r, 3)
				}
				var recs []Record
				if view == "refs" {
					buf := make([]Ref, 4)
					for err == nil {
						var n int
						n, err = r.(RefReader).ReadRefs(buf)
						for _, ref := range buf[:n] {
							recs = append(recs, ref.Record)
						}
					}
				} else {
					recs, err = readAll(r, 4)
				}
				r.Close()
				if err == io.EOF {
					err = nil
				}
				if tc.want == "" {
					if err != nil {
						t.Fatalf("%s: %v", view, err)
					}
					if diff := cmp.Diff([]Record{tc.rec}, recs); diff != "" {
						t.Errorf("%s: (-want +got):\n%s", view, diff)
					}
					continue
				}
				var e *Error
				if !errors.As(err, &e) || !strings.Contains(err.Error(), tc.want) || e.File != "h.vmt" || !e.HasOffset {
					t.Fatalf("%s: error %v, want one saying %q", view, err, tc.want)
				}
			}
		})
	}
}

// A size above MaxAccessSize is refused by every writer, so that no trace
// this package writes is one it refuses to read.
func TestWritersRefuseHugeSizes(t *testing.T) {
	for _, size := range []uint32{0, MaxAccessSize + 1, 1<<32 - 1} {
		rec := Record{Addr: 0x1000, Size: size, Op: Load}
		w, _ := NewNativeWriter(io.Discard, WriteOptions{})
		if err := w.Write([]Record{rec}); err == nil {
			t.Errorf("native: wrote a record of %d bytes", size)
		}
		if err := WriteLackey(io.Discard, []Record{rec}); err == nil {
			t.Errorf("lackey: wrote a record of %d bytes", size)
		}
	}
}

// Stat of a trace holding the largest access counts its lines, and one
// byte more is an error at its line, not 67 million lines.
func TestStatHugeAccess(t *testing.T) {
	r, err := NewReader("t", strings.NewReader(" L 0,16384\n"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := Stat(r, StatsOptions{})
	if err != nil || st.Footprint.Data.Lines != MaxAccessSize/64 || st.Footprint.Data.Pages != 4 {
		t.Fatalf("Stat: %+v, %v", st, err)
	}
	r, err = NewReader("t", strings.NewReader(" L 0,8\n S 0,4294967295\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Stat(r, StatsOptions{}); err == nil || !strings.HasPrefix(err.Error(), `t:2: size: "4294967295" is more than`) {
		t.Fatalf("Stat: %v", err)
	}
}
