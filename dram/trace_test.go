package dram

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readAll(t *testing.T, name, text string) ([]Record, error) {
	t.Helper()
	r := NewTraceReader(name, strings.NewReader(text))
	var out []Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
}

func TestTraceParse(t *testing.T) {
	text := "# a DRAMsim3 trace\n" +
		"0x2b5d9a40 READ 12\n" +
		"\n" +
		"0x1000 WRITE 13\r\n" +
		"  0XABCDEF read\t99  \n" +
		"fff write 100\n" +
		"LD 0x40\n" +
		"st 80\n" +
		"0x7 READ 4611686018427387904" // the latest cycle; no final newline
	got, err := readAll(t, "t.trace", text)
	if err != nil {
		t.Fatal(err)
	}
	want := []Record{
		{Addr: 0x2b5d9a40, Cycle: 12, Line: 2},
		{Addr: 0x1000, Write: true, Cycle: 13, Line: 4},
		{Addr: 0xabcdef, Cycle: 99, Line: 5},
		{Addr: 0xfff, Write: true, Cycle: 100, Line: 6},
		{Addr: 0x40, Line: 7},
		{Addr: 0x80, Write: true, Line: 8},
		{Addr: 7, Cycle: MaxCycle, Line: 9},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestTraceErrors(t *testing.T) {
	tests := []struct {
		name, text string
		want       string // the whole error message
	}{
		{"bad address", "0x10 READ 1\n0xzz READ 2\n", `x.trace:2: address: "0xzz" is not a hexadecimal number`},
		{"empty hex", "0x READ 2\n", `x.trace:1: address: "0x": no hex digits`},
		{"address overflow", "0x1ffffffffffffffff READ 2\n", `x.trace:1: address: "0x1ffffffffffffffff" does not fit in 64 bits`},
		{"bad operation", "0x10 FETCH 2\n", `x.trace:1: operation: "FETCH": want READ or WRITE`},
		{"bad cycle", "\n\n0x10 READ -4\n", `x.trace:3: cycle: "-4" is not a decimal number`},
		{"cycle overflow", "0x10 READ 18446744073709551616\n", `x.trace:1: cycle: "18446744073709551616" does not fit in 64 bits`},
		{"cycle 2^64-1", "0x10 READ 1\n0x40 READ 18446744073709551615\n", `x.trace:2: cycle: 18446744073709551615 is later than 4611686018427387904 (2^62), the latest a request may ask for`},
		{"cycle 2^63", "0x10 WRITE 9223372036854775808\n", `x.trace:1: cycle: 9223372036854775808 is later than 4611686018427387904 (2^62), the latest a request may ask for`},
		{"cycle one past the latest", "0x10 READ 4611686018427387905\n", `x.trace:1: cycle: 4611686018427387905 is later than 4611686018427387904 (2^62), the latest a request may ask for`},
		{"missing cycle", "0x10 READ\n", `x.trace:1: line: "0x10 READ": want "0x<addr> READ|WRITE <cycle>" or "LD|ST <addr>"`},
		{"too many fields", "0x10 READ 4 5\n", `x.trace:1: line: "0x10 READ 4 5": want "0x<addr> READ|WRITE <cycle>" or "LD|ST <addr>"`},
		{"LD without address", "LD\n", `x.trace:1: line: "LD": want "LD|ST <addr>"`},
		{"LD with a cycle", "LD 0x40 5\n", `x.trace:1: line: "LD 0x40 5": want "LD|ST <addr>"`},
		{"LD bad address", "LD 0xg\n", `x.trace:1: address: "0xg" is not a hexadecimal number`},
		{"binary", strings.Repeat("\x01", 70000), `x.trace:1: line: longer than 4096 bytes (not a text trace?)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readAll(t, "x.trace", tc.text)
			var te *TraceError
			if !errors.As(err, &te) {
				t.Fatalf("got %v, want a *TraceError", err)
			}
			if err.Error() != tc.want {
				t.Errorf("got  %s\nwant %s", err, tc.want)
			}
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestTraceReadError(t *testing.T) {
	_, err := NewTraceReader("f", failingReader{}).Next()
	if err == nil || !strings.Contains(err.Error(), "f: disk on fire") {
		t.Errorf("got %v", err)
	}
}

func FuzzTraceReader(f *testing.F) {
	f.Add("0x10 READ 1\nLD 0x40\n")
	f.Add("0xzz WRITE 9\n")
	f.Add("0x0 READ 0\n0x40 READ 18446744073709551615\n")
	f.Add("0x40 WRITE 4611686018427387904\n0x80 READ 4611686018427387905\n")
	f.Fuzz(func(t *testing.T, text string) {
		r := NewTraceReader("fuzz", strings.NewReader(text))
		for range 1000 {
			rec, err := r.Next()
			if err != nil {
				return
			}
			if rec.Cycle > MaxCycle {
				t.Fatalf("%q: a record at cycle %d, past MaxCycle", text, rec.Cycle)
			}
		}
	})
}
