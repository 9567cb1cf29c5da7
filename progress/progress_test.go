package progress

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vbauerster/mpb/v8"
)

// A bar on anything but a terminal writes nothing, and so does a quiet one.
func TestSilentUnlessTerminal(t *testing.T) {
	var buf bytes.Buffer
	b := NewTo(&buf, 10, "points", false)
	b.Add(3)
	b.SetTotal(20)
	b.Done()
	b.Done()
	if buf.Len() != 0 {
		t.Errorf("wrote %q to a buffer", buf.String())
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Error("a regular file is taken for a terminal")
	}
	q := New(10, "points", true)
	q.Add(1)
	q.Done()
	var nilBar *Bar
	nilBar.Add(1)
	nilBar.Done()
}

// Drawn as on a terminal, the bar shows its label, the count, a rate and
// "done" at the end.
func TestDrawn(t *testing.T) {
	var buf bytes.Buffer
	b := start(&buf, 4, "points", mpb.WithOutput(&buf), mpb.WithAutoRefresh())
	for range 4 {
		b.Add(1)
		time.Sleep(time.Millisecond)
	}
	b.Done()
	out := buf.String()
	for _, want := range []string{"points", "4/4", "/s", "done"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%q", want, out)
		}
	}
}

func TestRate(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		d    time.Duration
		want string
	}{
		{5, time.Second, "5.0/s"},
		{12_300_000, time.Second, "12.3M/s"},
		{3000, 2 * time.Second, "1.5k/s"},
		{1, 0, "-/s"},
	} {
		if got := rate(tc.n, tc.d); got != tc.want {
			t.Errorf("rate(%d, %v) = %q, want %q", tc.n, tc.d, got, tc.want)
		}
	}
}
