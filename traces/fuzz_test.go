package traces

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzLackey checks the parser against refParse on any input: the same
// records, the same bad line, an *Error that says what is wrong, and never
// a panic or a hang. Accepted traces must survive a write and a re-read.
func FuzzLackey(f *testing.F) {
	for _, s := range []string{
		"I  0401ab70,3\n S 1fff000d38,8\n L 04033e06,1\n M 04033e06,1\n",
		" L 10,1\n M 20,1\n L 22,1\n S 18,1\n L 110,1\n",
		"I 0400d7d4,8\n L 10,4 \n",
		"==1234== Lackey\n==1234== \nI  0401ab70,3\n",
		"\tL\t0x1F , 16 \r\n\n",
		" L ffffffffffffffff,16384\n", " L 0,16385\n", " L 0,4294967295\n",
		" L 1ffffffffffffffff,1\n",
		" L 10,0\n", " L 10\n", " L ,1\n", " L 12g4,1\n", " X 10,1\n", "L10,1\n",
		" L 10,1 x\n", " L 0x,1", "\x00\x01", "hello\n", "",
		// Valgrind logs: the program's output mixed in, -v's "--PID--"
		// messages, and logs with no record at all.
		"==1== a\nhello\n L 10,4\n  I 10,1\n==1== b\n", "--12-- a\n L 1,1\n", "==", "==\nI", "\n==1==\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, m := range magics {
			if bytes.HasPrefix(data, []byte(m.magic)) {
				return // compressed: not what this target is about
			}
		}
		if f := detect("fuzz", data[:min(len(data), sniffLen)]); f.Name != "lackey" {
			return // another format
		}
		r, err := NewReader("fuzz", bytes.NewReader(data))
		if !refIsTrace(data) {
			if err == nil {
				t.Fatalf("accepted %q, which is not a trace", data)
			}
			return
		}
		if err != nil {
			t.Fatalf("refused %q: %v", data, err)
		}
		got, err := readAll(r, 1+len(data)%7)
		r.Close()
		want, werr := refParse(data)
		if diff := diffRecords(want, got); diff != "" {
			t.Fatalf("%q: records (-want +got):\n%s", data, diff)
		}
		switch {
		case werr == nil && err != nil:
			t.Fatalf("%q: unexpected error %v", data, err)
		case werr != nil && err == nil:
			t.Fatalf("%q: no error, want one at line %d", data, werr.line)
		case werr != nil:
			var e *Error
			if !errors.As(err, &e) || e.Line != werr.line || e.File != "fuzz" || e.Field == "" || e.Msg == "malformed" {
				t.Fatalf("%q: error %#v, want one for line %d (%s)", data, err, werr.line, werr)
			}
			return
		}

		var buf bytes.Buffer
		if err := WriteLackey(&buf, got); err != nil {
			t.Fatal(err)
		}
		r, err = NewReader("rewritten", &buf)
		if err != nil {
			t.Fatal(err)
		}
		again, err := readAll(r, 5)
		if err != nil {
			t.Fatal(err)
		}
		if diff := diffRecords(got, again); diff != "" {
			t.Fatalf("%q: round trip (-first +second):\n%s", data, diff)
		}
	})
}
