package progress

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
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

// Drawn as on a terminal, the bar shows its label, the count (never out
// of 0 while there is no total), a rate and "done" at the end, where the
// count is the total.
func TestDrawn(t *testing.T) {
	for _, tc := range []struct {
		name       string
		total, set int64 // set: SetTotal halfway (0: not called)
		want, not  []string
	}{
		{"total", 4, 0, []string{"points", "4/4", "/s", "done"}, nil},
		{"no total", 0, 0, []string{"points", "4/4", "/s", "done"}, []string{"/0 "}},
		{"total found", 0, 4, []string{"points", "4/4", "done"}, []string{"/0 "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			b := start(&buf, tc.total, "points", mpb.WithOutput(&buf), mpb.WithAutoRefresh())
			for i := range 4 {
				if i == 2 && tc.set > 0 {
					b.SetTotal(tc.set)
				}
				b.Add(1)
				time.Sleep(50 * time.Millisecond)
			}
			b.Done()
			out := buf.String()
			for _, want := range tc.want {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%q", want, out)
				}
			}
			for _, not := range tc.not {
				if strings.Contains(out, not) {
					t.Errorf("output has %q:\n%q", not, out)
				}
			}
		})
	}
}

func TestCounts(t *testing.T) {
	for _, tc := range []struct {
		s    decor.Statistics
		want string
	}{
		{decor.Statistics{Current: 3, Total: 10}, "3/10"},
		{decor.Statistics{Current: 3}, "3"}, // no total
		{decor.Statistics{Current: 10, Total: 10, Completed: true}, "10/10"},
	} {
		if got := counts(tc.s); got != tc.want {
			t.Errorf("counts(%+v) = %q, want %q", tc.s, got, tc.want)
		}
	}
}

func TestLeft(t *testing.T) {
	for _, tc := range []struct {
		s       decor.Statistics
		elapsed time.Duration
		want    string
	}{
		{decor.Statistics{Current: 25, Total: 100}, 10 * time.Second, "30s"},
		{decor.Statistics{Current: 100, Total: 100, Completed: true}, time.Second, "done"},
		{decor.Statistics{Current: 120, Total: 100}, time.Second, "0s"},
		{decor.Statistics{Current: 25}, 10 * time.Second, ""}, // no total
		{decor.Statistics{Current: 0, Total: 100}, time.Second, ""},
		{decor.Statistics{Current: 25, Total: 100}, 0, ""},
	} {
		if got := left(tc.s, tc.elapsed); got != tc.want {
			t.Errorf("left(%+v, %v) = %q, want %q", tc.s, tc.elapsed, got, tc.want)
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
