package traces

import (
	"bytes"
	"errors"
	"testing"
)

func TestWriteLackey(t *testing.T) {
	recs := []Record{
		{Addr: 0x401ab70, Size: 3, Op: Fetch},
		{Addr: 0x1fff000d38, Size: 8, Op: Store},
		{Addr: 0x10, Size: 1, Op: Load},
		{Addr: 0, Size: 16, Op: Modify},
		{Addr: 1<<64 - MaxAccessSize, Size: MaxAccessSize, Op: Load}, // up to the last byte
		{Addr: 1<<64 - 1, Size: 1, Op: Load},
	}
	want := "I  0401ab70,3\n S 1fff000d38,8\n L 00000010,1\n M 00000000,16\n L ffffffffffffc000,16384\n L ffffffffffffffff,1\n"
	var b bytes.Buffer
	if err := WriteLackey(&b, recs); err != nil {
		t.Fatal(err)
	}
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	var recs []Record
	x := uint64(88172645463325252)
	for i := range 300000 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		recs = append(recs, Record{Addr: x >> (x % 64), Size: uint32(1 + x%64), Op: Op(i % 4)})
	}
	var b bytes.Buffer
	w := NewWriter(&b)
	for i := 0; i < len(recs); i += 1000 {
		if err := w.Write(recs[i : i+1000]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	r, err := NewReader("rt", &b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(r, 4096)
	if err != nil {
		t.Fatal(err)
	}
	if diff := diffRecords(recs, got); diff != "" {
		t.Errorf("(-written +read):\n%s", diff)
	}
	if r.Format() != "lackey" {
		t.Errorf("Format() = %q", r.Format())
	}
}

func TestWriteErrors(t *testing.T) {
	for _, rec := range []Record{{Addr: 0x10, Size: 0, Op: Load}, {Addr: 0x10, Size: MaxAccessSize + 1, Op: Load}, {Addr: 0x10, Size: 1, Op: Op(9)}, {Addr: 1<<64 - 4, Size: 8, Op: Load}} {
		if err := WriteLackey(new(bytes.Buffer), []Record{rec}); err == nil {
			t.Errorf("%+v written without error", rec)
		}
	}
	failing := errors.New("disk full")
	w := NewWriter(errWriter{failing})
	w.Write([]Record{{Addr: 1, Size: 1, Op: Load}})
	if err := w.Flush(); err != failing {
		t.Errorf("Flush: %v", err)
	}
	if err := w.Write([]Record{{Addr: 1, Size: 1, Op: Load}}); err != failing {
		t.Errorf("Write after a failure: %v", err)
	}
}

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }
