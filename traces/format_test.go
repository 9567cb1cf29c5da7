package traces

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The registry in detection order, with the toy format of toy_test.go
// between the binary formats and text.
func TestFormatsOrder(t *testing.T) {
	var names []string
	for _, f := range Formats() {
		names = append(names, f.Name)
	}
	if diff := cmp.Diff([]string{"native", "cloudsuite", "champsim", "toy", "lackey"}, names); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"native", "champsim", "toy", "lackey"}, WriteFormats()); diff != "" {
		t.Errorf("WriteFormats (-want +got):\n%s", diff)
	}
	_, err := Lookup("csv")
	if want := `traces: unknown format "csv"; one of native, cloudsuite, champsim, toy, lackey`; err == nil || err.Error() != want {
		t.Errorf("Lookup(csv): %v, want %s", err, want)
	}
	if _, err := Lookup("cachelab"); err == nil {
		t.Error(`Lookup("cachelab") found a format: it is lackey's label, not a format`)
	}
}

// A format added in one file (toy_test.go) is detected and read by Open,
// through compression too, and written by the path emu trace convert
// takes: the format from the file's name, the notes from what it holds,
// the writer from the registry.
func TestToyFormat(t *testing.T) {
	lackey := "I  00400000,4\n L 00001000,8\n M 00002000,4\n S 00003000,2\n"
	src, err := NewReader("in.trace", strings.NewReader(lackey))
	if err != nil {
		t.Fatal(err)
	}
	to, zkind := PathFormat("out.toy.gz")
	if to == nil || to.Name != "toy" || zkind != "gzip" {
		t.Fatalf("PathFormat(out.toy.gz) = %v, %q", to, zkind)
	}
	wantNotes := []string{"toy traces hold no modifies (each is written as a load and a store)"}
	if diff := cmp.Diff(wantNotes, to.Losses(HoldsOf(src))); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	var text bytes.Buffer
	tw, err := NewTraceWriter(&text, "toy", WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := Copy(tw, Refs(src)); err != nil || n != 4 {
		t.Fatalf("Copy: %d, %v", n, err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if want := "toy trace\nI 400000 4\nL 1000 8\nL 2000 4\nS 2000 4\nS 3000 2\n"; text.String() != want {
		t.Errorf("written:\n%s\nwant:\n%s", text.String(), want)
	}
	want := []Record{{Addr: 0x400000, Size: 4, Op: Fetch}, {Addr: 0x1000, Size: 8, Op: Load},
		{Addr: 0x2000, Size: 4, Op: Load}, {Addr: 0x2000, Size: 4, Op: Store}, {Addr: 0x3000, Size: 2, Op: Store}}
	for _, kind := range []string{"plain", "gzip", "zstd"} {
		path := writeFile(t, "t", compress(t, kind, text.Bytes())) // the name says nothing
		r, err := Open(path)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		got, err := readAll(r, 2)
		r.Close()
		if err != nil || r.Format() != "toy" {
			t.Fatalf("%s: format %q, %v", kind, r.Format(), err)
		}
		if diff := diffRecords(want, got); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", kind, diff)
		}
	}
}

// A toy file's bad line is an *Error naming the file, line and field, after
// the records before it.
func TestToyFormatError(t *testing.T) {
	path := writeFile(t, "bad.toy", []byte("toy trace\nL 10 8\nL 12g4 8\n"))
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := readAll(r, 10)
	var e *Error
	if len(got) != 1 || !errors.As(err, &e) || e.Line != 3 || e.Field != "address" ||
		!strings.HasSuffix(err.Error(), `bad.toy:3: address: "12g4" is not a 64-bit hexadecimal number`) {
		t.Errorf("%d records, error %v", len(got), err)
	}
}

// What a conversion loses comes from what the formats hold.
func TestLosses(t *testing.T) {
	all := HoldsSizes | HoldsModifies | HoldsRegs | HoldsValues | HoldsPIDs
	tests := []struct {
		to   string
		have Holds
		want []string
	}{
		{"champsim", HoldsSizes | HoldsModifies, []string{"ChampSim traces hold no access sizes " +
			"(they read back as 4 bytes for a fetch, 8 for data) and no modifies (each is written as a load and a store)"}},
		{"champsim", HoldsRegs, nil},
		{"native", all, nil},
		{"lackey", HoldsSizes | HoldsModifies, nil},
		{"lackey", HoldsRegs, []string{"lackey traces hold no registers or branches: they are dropped, and a core then sees no dependencies (the loads of a pointer chase look independent)"}},
		{"lackey", all, []string{"lackey traces hold no values: they are dropped",
			"lackey traces hold no process ids: every record goes to one process",
			"lackey traces hold no registers or branches: they are dropped, and a core then sees no dependencies (the loads of a pointer chase look independent)"}},
		{"champsim", all, []string{"ChampSim traces hold no values: they are dropped",
			"ChampSim traces hold no process ids: every record goes to one process",
			"ChampSim traces hold no access sizes (they read back as 4 bytes for a fetch, 8 for data) " +
				"and no modifies (each is written as a load and a store)"}},
	}
	for _, tc := range tests {
		f, err := Lookup(tc.to)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, f.Losses(tc.have)); diff != "" {
			t.Errorf("%s from %#x: (-want +got):\n%s", tc.to, tc.have, diff)
		}
	}
}

// HoldsOf: what a reader's format holds, less what the reader does not
// carry.
func TestHoldsOf(t *testing.T) {
	var nat, cs bytes.Buffer
	nw, _ := NewNativeWriter(&nat, WriteOptions{Carries: CarriesValues})
	nw.Close()
	cw := NewChampSimWriter(&cs)
	cw.WriteInstrs([]Instr{{IP: 0x400000}})
	cw.Close()
	tests := []struct {
		name string
		data []byte
		want Holds
	}{
		{"t.trace", []byte(" L 10,1\n"), HoldsSizes | HoldsModifies},
		{"t.vmt", nat.Bytes(), HoldsSizes | HoldsModifies | HoldsValues},
		{"t.champsim", cs.Bytes(), HoldsRegs},
	}
	for _, tc := range tests {
		r, err := NewReader(tc.name, bytes.NewReader(tc.data))
		if err != nil {
			t.Fatal(err)
		}
		if got := HoldsOf(r); got != tc.want {
			t.Errorf("%s: HoldsOf = %#x, want %#x", tc.name, got, tc.want)
		}
	}
	gen, err := Generate("stream", GenParams{Count: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := HoldsOf(gen), HoldsSizes|HoldsModifies|HoldsRegs; got != want {
		t.Errorf("generator: HoldsOf = %#x, want %#x", got, want)
	}
}

func TestPathFormat(t *testing.T) {
	tests := []struct{ path, format, zkind string }{
		{"x.vmt", "native", ""},
		{"dir/X.CHAMPSIMTRACE.XZ", "champsim", "xz"},
		{"a.champsim", "champsim", ""},
		{"a.trace.gz", "lackey", "gzip"},
		{"a.txt.zst", "lackey", "zstd"},
		{"a.vmt.zst", "native", "zstd"}, // emu trace convert refuses it: native compresses itself
		{"a.toy", "toy", ""},
		{"a.bin", "", ""},
		{"a.gz", "", "gzip"},
		{"stdout", "", ""},
	}
	for _, tc := range tests {
		f, zkind := PathFormat(tc.path)
		name := ""
		if f != nil {
			name = f.Name
		}
		if name != tc.format || zkind != tc.zkind {
			t.Errorf("PathFormat(%q) = %q, %q; want %q, %q", tc.path, name, zkind, tc.format, tc.zkind)
		}
	}
	want := ".vmt native, .champsim or .champsimtrace ChampSim, .toy toy, .lackey, .trace or .txt lackey"
	if got := PathHelp(); got != want {
		t.Errorf("PathHelp() = %q, want %q", got, want)
	}
}

// Register refuses what would make detection or lookup ambiguous.
func TestRegisterRefuses(t *testing.T) {
	yes := func(*Sniff) bool { return true }
	open := func(*Input) (Reader, error) { return nil, io.EOF }
	for name, f := range map[string]*Format{
		"taken name":  {Name: "native", Detect: yes, Open: open},
		"taken label": {Name: "cachelab", Detect: yes, Open: open},
		"no name":     {Detect: yes, Open: open},
		"no detect":   {Name: "x", Open: open},
		"no open":     {Name: "x", Detect: yes},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("registered")
				}
			}()
			defer func(old []*Format) { formats = old }(formats)
			Register(f)
		})
	}
}
