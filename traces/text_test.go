package traces

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// readAll reads r to the end with an awkward batch size, returning the
// records and the error that ended them (nil for io.EOF).
func readAll(r Reader, batch int) ([]Record, error) {
	var out []Record
	buf := make([]Record, batch)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			if n != 0 {
				return out, errors.New("Read returned records with an error")
			}
			return out, err
		}
		if n == 0 {
			return out, errors.New("Read returned 0, nil")
		}
	}
}

// diffRecords is cmp.Diff, quick when there is no difference: cmp takes
// seconds over the hundred thousand records of a long trace.
func diffRecords(want, got []Record) string {
	if slices.Equal(want, got) {
		return ""
	}
	return cmp.Diff(want, got, cmpopts.EquateEmpty())
}

func parseString(t *testing.T, text string) ([]Record, string, error) {
	t.Helper()
	r, err := NewReader("t.trace", strings.NewReader(text))
	if err != nil {
		return nil, "", err
	}
	defer r.Close()
	recs, err := readAll(r, 3)
	return recs, r.Format(), err
}

func TestParseValid(t *testing.T) {
	tests := []struct {
		name, text string
		format     string
		want       []Record
	}{
		{"lackey", "I  0401ab70,3\n S 1fff000d38,8\n L 04033e06,1\n M 04033e06,1\n", "lackey",
			[]Record{{Addr: 0x401ab70, Size: 3, Op: Fetch}, {Addr: 0x1fff000d38, Size: 8, Op: Store}, {Addr: 0x4033e06, Size: 1, Op: Load}, {Addr: 0x4033e06, Size: 1, Op: Modify}}},
		{"cachelab", " L 10,1\n M 20,1\n S 18,1\nI 0400d7d4,8\n", "cachelab",
			[]Record{{Addr: 0x10, Size: 1, Op: Load}, {Addr: 0x20, Size: 1, Op: Modify}, {Addr: 0x18, Size: 1, Op: Store}, {Addr: 0x400d7d4, Size: 8, Op: Fetch}}},
		{"valgrind messages", "==1234== Lackey, an example Valgrind tool\n==1234== \nI  0401ab70,3\n==1234== exit\n", "lackey",
			[]Record{{Addr: 0x401ab70, Size: 3, Op: Fetch}}},
		{"blank lines", "\n L 10,1\n\n   \n\t\n L 11,2\n\n", "cachelab", []Record{{Addr: 0x10, Size: 1, Op: Load}, {Addr: 0x11, Size: 2, Op: Load}}},
		{"no final newline", " L 10,4", "cachelab", []Record{{Addr: 0x10, Size: 4, Op: Load}}},
		{"trailing blanks (dave.trace)", " L 10,4 \n S 18,4\t\n", "cachelab", []Record{{Addr: 0x10, Size: 4, Op: Load}, {Addr: 0x18, Size: 4, Op: Store}}},
		{"CRLF", " L 10,4\r\n S 18,4\r\n\r\n", "cachelab", []Record{{Addr: 0x10, Size: 4, Op: Load}, {Addr: 0x18, Size: 4, Op: Store}}},
		{"tabs and spaces", "\tL\t10 , 4\n  S   0x1F,\t16\n", "cachelab", []Record{{Addr: 0x10, Size: 4, Op: Load}, {Addr: 0x1f, Size: 16, Op: Store}}},
		{"0x and upper case", " L 0XABCDEF,1\n L 0xabcdef,1\n L ABCDEF,1\n", "cachelab",
			[]Record{{Addr: 0xabcdef, Size: 1, Op: Load}, {Addr: 0xabcdef, Size: 1, Op: Load}, {Addr: 0xabcdef, Size: 1, Op: Load}}},
		{"64-bit address", " L ffffffffffffffff,1\n L 000000000000000000000001,1\n", "cachelab",
			[]Record{{Addr: 1<<64 - 1, Size: 1, Op: Load}, {Addr: 1, Size: 1, Op: Load}}},
		{"largest size", " L 0,16384\n L 0,0000000000008\n L 0,000000016384\n", "cachelab",
			[]Record{{Addr: 0, Size: MaxAccessSize, Op: Load}, {Addr: 0, Size: 8, Op: Load}, {Addr: 0, Size: MaxAccessSize, Op: Load}}},
		{"empty", "", "cachelab", nil},
		{"messages", "==1== hello\n--1-- verbose\nI  0400,3\n==1== bye\n", "lackey", []Record{{Addr: 0x400, Size: 3, Op: Fetch}}},
		// The Cache Lab handout's valgrind --log-fd=1 -v: the program's
		// output in between, skipped as csim-ref skips it.
		{"program output", "==7== Lackey\n--7-- Valgrind options:\nI  0400,3\ntotal 8\n-rw-r--r-- 1 a b 0 Jan  1 x\n" +
			"  Lorem\nSB 401000\n L 10,4\n", "lackey", []Record{{Addr: 0x400, Size: 3, Op: Fetch}, {Addr: 0x10, Size: 4, Op: Load}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, format, err := parseString(t, tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			if format != tt.format {
				t.Errorf("Format() = %q, want %q", format, tt.format)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, text string
		before     int // records delivered before the error
		want       string
	}{
		{"bad hex", " L 10,1\n L 12g4,1\n", 1, `t.trace:2: address: "12g4" is not hexadecimal`},
		{"unknown op", " L 10,1\n X 10,1\n", 1, `t.trace:2: op: "X" is not one of I, L, S, M`},
		{"lower-case op", " L 10,1\n l 10,1\n", 1, `t.trace:2: op: "l" is not one of I, L, S, M`},
		{"op glued to address", " L 10,1\nL10,1\n", 1, `t.trace:2: op: missing blank between "L" and the address`},
		{"long op", " L 10,1\n LS 10,1\n", 1, `t.trace:2: op: "LS" is not one of I, L, S, M`},
		{"missing address", " L 10,1\n L ,1\n", 1, `t.trace:2: address: missing`},
		{"only op", " L 10,1\n L\n", 1, `t.trace:2: address: missing`},
		{"0x alone", " L 0x,1\n", 0, `t.trace:1: address: "0x" is not hexadecimal`},
		{"address overflow", " L 1ffffffffffffffff,1\n", 0, `t.trace:1: address: "1ffffffffffffffff" does not fit in 64 bits`},
		{"missing comma", " L 10 1\n", 0, `t.trace:1: size: missing "," between address and size`},
		{"missing size", " L 10\n", 0, `t.trace:1: size: missing (expected ",SIZE" after the address)`},
		{"empty size", " L 10,\n", 0, `t.trace:1: size: missing`},
		{"bad size", " L 10,x8\n", 0, `t.trace:1: size: "x8" is not a decimal number`},
		{"size with letters", " L 10,8k\n", 0, `t.trace:1: size: "8k" is not a decimal number`},
		{"negative size", " L 10,-8\n", 0, `t.trace:1: size: "-8" is not a decimal number`},
		{"size 0", " L 10,1\n S 10,0\n", 1, `t.trace:2: size: must not be 0`},
		{"size overflow", " L 10,4294967296\n", 0, `t.trace:1: size: "4294967296" is more than one instruction moves (at most 16384 bytes, the largest XSAVE area rounded up)`},
		{"size 2^32-1", " L 10,1\n L 10,4294967295\n", 1, `t.trace:2: size: "4294967295" is more than one instruction moves (at most 16384 bytes, the largest XSAVE area rounded up)`},
		{"size one past the bound", " L 10,16385\n", 0, `t.trace:1: size: "16385" is more than one instruction moves (at most 16384 bytes, the largest XSAVE area rounded up)`},
		{"size past the bound, slow path", "\tL 0x10 , 000000000016385\r\n", 0, `t.trace:1: size: "000000000016385" is more than one instruction moves (at most 16384 bytes, the largest XSAVE area rounded up)`},
		{"past the top of the address space", " L 10,1\n L fffffffffffffffc,8\n", 1, `t.trace:2: size: "8" bytes at "fffffffffffffffc" run past the top of the 64-bit address space`},
		{"past the top, slow path", "\tL 0xffffffffffffffff , 2\r\n", 0, `t.trace:1: size: "2" bytes at "0xffffffffffffffff" run past the top of the 64-bit address space`},
		{"size of 30 digits", " L 10,100000000000000000000000016384\n", 0, `t.trace:1: size: "100000000000000000000000016384" is more than one instruction moves (at most 16384 bytes, the largest XSAVE area rounded up)`},
		{"trailing garbage", " L 10,1\n L 10,1 x\n", 1, `t.trace:2: line: unexpected "x" after the size`},
		{"two records on a line", " L 10,1 L 20,1\n", 0, `t.trace:1: line: unexpected "L 20,1" after the size`},
		// A valgrind log skips what does not start like a record, not a
		// record gone wrong; a "--" line must be valgrind's --PID--.
		{"broken record in a valgrind log", "==1== x\nI  0400,3\n L 12g4,1\n", 1, `t.trace:3: address: "12g4" is not hexadecimal`},
		{"program output outside a valgrind log", " L 10,1\ntotal 8\n", 1, `t.trace:2: op: "total" is not one of I, L, S, M`},
		{"not valgrind's --PID--", " L 10,1\n--x-- hi\n", 1, `t.trace:2: op: "--x--" is not one of I, L, S, M`},
		{"single =", " L 10,1\n=1234= x\n", 1, `t.trace:2: op: "=1234=" is not one of I, L, S, M`},
		{"program output", " L 10,1\nhello\n", 1, `t.trace:2: op: "hello" is not one of I, L, S, M`},
		{"stray CR", " L 10,1\n\r L 10,1\n", 1, `t.trace:2: op: "\r" is not one of I, L, S, M`},
		{"CR inside", " L 10\r,1\n", 0, `t.trace:1: size: missing "," between address and size`},
		{"NUL late in file", strings.Repeat(" L 10,1\n", 100) + " L 10,1\x00\n", 100, `t.trace:101: size: "1\x00" is not a decimal number`},
		{"line numbers count skipped lines", "==1== x\n\n L 10,1\n\n L 1O,1\n", 1, `t.trace:5: address: "1O" is not hexadecimal`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := parseString(t, tt.text)
			if err == nil {
				t.Fatalf("no error; records %v", got)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is a %T, want *Error", err, err)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
			if len(got) != tt.before {
				t.Errorf("got %d records before the error, want %d", len(got), tt.before)
			}
		})
	}
}

// The error is sticky, and Read never returns records with it.
func TestErrorIsSticky(t *testing.T) {
	r, err := NewReader("t", strings.NewReader(" L 10,1\n L 1x,1\n L 10,1\n"))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]Record, 10)
	if n, err := r.Read(buf); n != 1 || err != nil {
		t.Fatalf("first Read = %d, %v; want 1, nil", n, err)
	}
	_, err1 := r.Read(buf)
	n, err2 := r.Read(buf)
	if err1 == nil || err1 != err2 || n != 0 {
		t.Fatalf("second and third Read: %v, %d %v", err1, n, err2)
	}
	r.Close()
	if _, err := r.Read(buf); err == nil {
		t.Error("Read after Close succeeded")
	}
}

func TestNotATrace(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"binary", "\x7fELF\x02\x01\x01\x00\x00\x00", `t.trace: not a trace: binary data, and not ChampSim, ChampSim CloudSuite or native`},
		{"text", "hello, world\n L 10,1\n", `t.trace:1: not a lackey or cachelab trace: it begins "hello, world"`},
		{"after messages", "# comment\n==1== x\n", `t.trace:1: not a lackey or cachelab trace: it begins "# comment"`},
		{"valgrind log without records", "==1== x\n\n# the program's output\n", `t.trace: a valgrind log with no trace records in its first 256 KiB: was lackey run with --trace-mem=yes?`},
		{"csv", "addr,size\n10,1\n", `t.trace:1: not a lackey or cachelab trace: it begins "addr,size"`},
		{"one long line", strings.Repeat("L", 300<<10), `t.trace:1: line: longer than 256 KiB (not a trace?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewReader("t.trace", strings.NewReader(tt.text))
			if err == nil || err.Error() != tt.want {
				t.Errorf("error\n got %v\nwant %s", err, tt.want)
			}
		})
	}
}

// Lines of every shape, across many buffer refills and read in chunks of
// every size, give what the slow reference parser gives.
func TestLongTraceMatchesReference(t *testing.T) {
	text := synthetic(200000)
	want, wantErr := refParse(text)
	if wantErr != nil {
		t.Fatal(wantErr)
	}
	for _, src := range []struct {
		name string
		r    io.Reader
	}{
		{"whole", bytes.NewReader(text)},
		{"one byte at a time", iotest.OneByteReader(bytes.NewReader(text))},
		{"half reads", iotest.HalfReader(bytes.NewReader(text))},
	} {
		t.Run(src.name, func(t *testing.T) {
			r, err := NewReader("syn", src.r)
			if err != nil {
				t.Fatal(err)
			}
			got, err := readAll(r, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if diff := diffRecords(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// synthetic makes a trace of n lines mixing every accepted shape, so the
// fast and the slow paths of the parser both run, and lines straddle buffer
// boundaries at every offset.
func synthetic(n int) []byte {
	shapes := []string{
		"I  %08x,%d\n", " L %x,%d\n", " S %010x,%d\n", " M %x,%d\n", "I %x,%d\n",
		"\tL\t0x%X , %d \r\n", "  S  %x,%d\n", " L %016x,%d\n", " L %x,%d\n",
	}
	var b bytes.Buffer
	x := uint64(12345)
	for i := range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		switch i % 97 {
		case 3:
			b.WriteString("==4242== a message\n")
		case 50:
			b.WriteString("\n")
		}
		addr := x >> (x % 64)
		size := 1 + x%20
		if i%89 == 0 {
			size = 1 + x%MaxAccessSize
		}
		b.WriteString(fmt.Sprintf(shapes[int(x>>3)%len(shapes)], addr, size))
	}
	return b.Bytes()
}
