package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmemu/vmemu/traces"
)

// tinyTrace has known statistics (see traces.TestStatReuse).
const tinyTrace = "I  00400000,4\n" +
	" L 00001000,8\n S 00001048,8\n L 00001080,4\n M 00001010,4\n" +
	" L 00001040,1\n L 0000107f,1\n S 00002000,8\n L 00001038,8\n"

func writeTemp(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// readRecords reads a whole trace with traces.Open.
func readRecords(t *testing.T, path string) []traces.Record {
	t.Helper()
	r, err := traces.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []traces.Record
	buf := make([]traces.Record, 4096)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestTraceGolden(t *testing.T) {
	dir := t.TempDir()
	writeTemp(t, dir, "tiny.trace", []byte(tinyTrace))
	// A ChampSim trace with a branch and registers.
	var cs bytes.Buffer
	w := traces.NewChampSimWriter(&cs)
	w.WriteInstrs([]traces.Instr{
		{IP: 0x401000, HasRegs: true, SrcRegs: [4]uint8{7}, DstRegs: [2]uint8{16}, NMem: 1,
			Mem: [traces.MaxMem]traces.MemRef{{Addr: 0x10000000}}},
		{IP: 0x401004, HasRegs: true, SrcRegs: [4]uint8{16, 7}, NMem: 2,
			Mem: [traces.MaxMem]traces.MemRef{{Addr: 0x10000008}, {Addr: 0x7ffe0000fff8, Store: true}}},
		{IP: 0x401008, HasRegs: true, Branch: true, Taken: true, SrcRegs: [4]uint8{26, 25}, DstRegs: [2]uint8{26}},
	})
	w.Close()
	writeTemp(t, dir, "small.champsim", cs.Bytes())

	tests := []struct {
		golden string
		args   []string
	}{
		{"trace-gen-matmul.txt", []string{"trace", "gen", "matmul", "--n", "2", "--alu", "1"}},
		{"trace-stats-tiny.txt", []string{"trace", "stats", "tiny.trace"}},
		{"trace-stats-tiny.json", []string{"trace", "stats", "--json", "tiny.trace"}},
		{"trace-head-champsim.txt", []string{"trace", "head", "-n", "0", "small.champsim"}},
		{"trace-stats-matmul.txt", []string{"trace", "stats", refdata(t, "lackey/matmul.lackey.gz")}},
	}
	for _, tc := range tests {
		t.Run(tc.golden, func(t *testing.T) {
			code, out, stderr := emu(t, dir, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			out = strings.ReplaceAll(out, refdata(t, "lackey"), "REFDATA/lackey")
			golden(t, tc.golden, out)
		})
	}
}

// Generated traces through a native file: head shows registers, and the
// chase's stats show one line per node, each reused after all the others.
func TestTraceGenNative(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := emu(t, dir, "trace", "gen", "chase", "--size", "64KiB", "--count", "3072", "--seed", "5", "-o", "chase.vmt")
	if code != 0 || stderr != "emu: chase.vmt: 6144 records\n" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	code, out, _ := emu(t, dir, "trace", "head", "-n", "4", "chase.vmt")
	golden(t, "trace-head-chase.txt", out)
	code, out, stderr = emu(t, dir, "trace", "stats", "--json", "chase.vmt")
	if code != 0 {
		t.Fatal(stderr)
	}
	var st traces.Stats
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	// 1024 nodes: 1024 cold loads, then 2048 at distance 1023 (bucket 10).
	if st.Format != "native" || st.Footprint.Data.Lines != 1024 || st.Reuse.Cold != 1024 ||
		len(st.Reuse.Buckets) != 11 || st.Reuse.Buckets[10] != 2048 || st.Carries != "registers" {
		t.Errorf("stats: %+v", st)
	}
}

// lackey -> native -> lackey gives the text back, byte for byte; the native
// file is at least 3 times smaller than the gzip'ed text.
func TestTraceConvertRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src := refdata(t, "lackey/matmul.lackey.gz")
	code, out, stderr := emu(t, dir, "trace", "convert", src, "m.vmt")
	if code != 0 || stderr != "" || !strings.HasSuffix(out, " 2698544 records (lackey) -> m.vmt (native)\n") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if code, _, stderr := emu(t, dir, "trace", "convert", "m.vmt", "m.lackey"); code != 0 {
		t.Fatal(stderr)
	}
	f, _ := os.Open(src)
	z, _ := gzip.NewReader(f)
	text, _ := io.ReadAll(z)
	f.Close()
	back, _ := os.ReadFile(filepath.Join(dir, "m.lackey"))
	if !bytes.Equal(text, back) {
		t.Error("lackey -> native -> lackey differs")
	}
	gz, _ := os.Stat(src)
	nat, _ := os.Stat(filepath.Join(dir, "m.vmt"))
	if nat.Mode().Perm() != 0o644 {
		t.Errorf("m.vmt has mode %v", nat.Mode())
	}
	if 3*nat.Size() > gz.Size() {
		t.Errorf("native %d bytes, .gz %d", nat.Size(), gz.Size())
	}
	// Compressed outputs, and ChampSim, read back to what they should.
	for _, out := range []string{"m.trace.gz", "m.txt.zst", "m.lackey.xz"} {
		if code, _, stderr := emu(t, dir, "trace", "convert", "m.vmt", out); code != 0 {
			t.Fatal(stderr)
		}
		if got := readRecords(t, filepath.Join(dir, out)); len(got) != 2698544 {
			t.Errorf("%s: %d records", out, len(got))
		}
	}
	code, _, stderr = emu(t, dir, "trace", "convert", "m.vmt", "m.champsim")
	if code != 0 || !strings.Contains(stderr, "emu: note: ChampSim traces hold no access sizes") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = emu(t, dir, "trace", "convert", "m.champsim", "m2.vmt")
	if code != 0 {
		t.Fatal(stderr)
	}
	if code, _, _ := emu(t, dir, "trace", "convert", "m2.vmt", "m2.champsim"); code != 0 {
		t.Fatal("convert back")
	}
	a, _ := os.ReadFile(filepath.Join(dir, "m.champsim"))
	b, _ := os.ReadFile(filepath.Join(dir, "m2.champsim"))
	if !bytes.Equal(a, b) || len(a) == 0 {
		t.Error("champsim -> native -> champsim differs")
	}
}

// Bad input: a clear error naming the file and the offset, exit 2; the
// input is never overwritten.
func TestTraceErrors(t *testing.T) {
	dir := t.TempDir()
	writeTemp(t, dir, "part.champsim", make([]byte, 64*3+5))
	if code, _, stderr := emu(t, dir, "trace", "gen", "stream", "--count", "300000", "-o", "s.vmt"); code != 0 {
		t.Fatal(stderr)
	}
	good, _ := os.ReadFile(filepath.Join(dir, "s.vmt"))
	badHeader := bytes.Clone(good)
	badHeader[9] = 7
	writeTemp(t, dir, "header.vmt", badHeader)
	badFrame := bytes.Clone(good)
	bad := len(badFrame) - 100
	badFrame[bad] ^= 0xff
	writeTemp(t, dir, "frame.vmt", badFrame)
	// Which frame holds the bad byte, and where it starts: the header is
	// 16 bytes, a frame header 20, whose bytes 8-11 are the data's length.
	frame, off := 1, 16
	for {
		next := off + 20 + int(binary.LittleEndian.Uint32(good[off+8:]))
		if next > bad {
			break
		}
		frame, off = frame+1, next
	}
	frameErr := fmt.Sprintf("emu: frame.vmt: offset %d: frame %d: corrupt frame", off, frame)
	writeTemp(t, dir, "in.trace", []byte(tinyTrace))

	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"champsim size", []string{"trace", "stats", "part.champsim"},
			"emu: part.champsim: offset 192: partial record: 5 of 64 bytes (a ChampSim trace's size is a multiple of 64)\n"},
		{"native header", []string{"trace", "head", "header.vmt"},
			"emu: header.vmt: offset 12: corrupt native trace header"},
		{"native frame", []string{"trace", "stats", "frame.vmt"}, frameErr},
		{"native frame, converting", []string{"trace", "convert", "frame.vmt", "x.trace"}, frameErr},
		{"same file", []string{"trace", "convert", "in.trace", "./in.trace"}, "emu: ./in.trace: would overwrite the input"},
		{"unknown extension", []string{"trace", "convert", "in.trace", "out.bin"}, "cannot tell the format from the name"},
		{"native gz", []string{"trace", "convert", "in.trace", "out.vmt.gz"}, "native traces are compressed already"},
		{"bad format", []string{"trace", "convert", "--format", "csv", "in.trace", "o"}, `--format "csv": one of native, champsim, lackey`},
		{"gen kind", []string{"trace", "gen", "zigzag"}, `gen: unknown kind "zigzag"`},
		{"gen size", []string{"trace", "gen", "chase", "--size", "12q"}, `--size: "12q" is not a size`},
		{"gen size 0", []string{"trace", "gen", "random", "--size", "0", "-o", "z.vmt"}, "--size 0: give at least 1, or leave --size out for the default"},
		{"gen size 0KiB", []string{"trace", "gen", "random", "--size", "0KiB"}, "--size 0: give at least 1"},
		{"gen n 0", []string{"trace", "gen", "matmul", "--n", "0"}, "--n 0: give at least 1"},
		{"gen count 0", []string{"trace", "gen", "stream", "--count", "0"}, "--count 0: give at least 1"},
		{"gen stride 0", []string{"trace", "gen", "stride", "--stride", "0"}, "--stride 0: give at least 1"},
		{"gen seed 0", []string{"trace", "gen", "random", "--seed", "0"}, "--seed 0: give at least 1"},
		{"gen base 0", []string{"trace", "gen", "random", "--base", "0x0"}, "--base 0: give at least 1"},
		{"gen alu", []string{"trace", "gen", "stream", "--alu", "1000000000", "-o", "z.vmt"}, "--alu 1000000000: at most 1000"},
		{"gen records", []string{"trace", "gen", "matmul", "--n", "32768", "-o", "z.vmt"}, "a generated trace holds at most 4294967296"},
		{"champsim address 0", []string{"trace", "convert", refdata(t, "cachelab/traces/yi2.trace"), "y.champsim"}, "address 0 cannot be written"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := emu(t, dir, tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.stderr)
			}
		})
	}
	// Nothing half-written is left behind, and the input is intact.
	left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	if _, err := os.Stat(filepath.Join(dir, "x.trace")); err == nil || len(left) > 0 || exists(filepath.Join(dir, "z.vmt")) {
		t.Errorf("left behind: x.trace %v, temporary files %v", err, left)
	}
	if in, _ := os.ReadFile(filepath.Join(dir, "in.trace")); string(in) != tinyTrace {
		t.Error("the input changed")
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
