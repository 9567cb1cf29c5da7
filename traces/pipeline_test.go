package traces

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestPipelinedSameRecords(t *testing.T) {
	text := synthetic(50000)
	want, _ := refParse(text)
	for _, batch := range []int{1, 7, 1000, 0} {
		for _, read := range []int{1, 333, 10000} {
			r, err := NewReader("syn", bytes.NewReader(text))
			if err != nil {
				t.Fatal(err)
			}
			p := Pipelined(r, batch)
			got, err := readAll(p, read)
			if err != nil {
				t.Fatal(err)
			}
			if diff := diffRecords(want, got); diff != "" {
				t.Errorf("batch %d, read %d (-want +got):\n%s", batch, read, diff)
			}
			if p.Format() != "lackey" {
				t.Errorf("Format() = %q", p.Format())
			}
			if err := p.Close(); err != nil {
				t.Error(err)
			}
		}
	}
}

// The records before a bad line come through, then the very same error.
func TestPipelinedError(t *testing.T) {
	text := strings.Repeat(" L 10,1\n", 10000) + " L 1x,1\n L 20,1\n"
	r, _ := NewReader("t", strings.NewReader(text))
	direct, derr := readAll(r, 64)
	r, _ = NewReader("t", strings.NewReader(text))
	p := Pipelined(r, 64)
	piped, perr := readAll(p, 100)
	p.Close()
	if derr == nil || perr == nil || derr.Error() != perr.Error() {
		t.Errorf("errors: direct %v, pipelined %v", derr, perr)
	}
	if diff := diffRecords(direct, piped); diff != "" {
		t.Errorf("(-direct +pipelined):\n%s", diff)
	}
	if _, err := p.Read(make([]Record, 1)); err == nil {
		t.Error("Read after Close succeeded")
	}
}

// Close in the middle of a trace stops the decoding goroutine.
func TestPipelinedCloseStopsGoroutine(t *testing.T) {
	text := synthetic(50000)
	before := runtime.NumGoroutine()
	for range 20 {
		r, err := NewReader("syn", bytes.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		p := Pipelined(r, 16)
		if n, err := p.Read(make([]Record, 5)); n != 5 || err != nil {
			t.Fatal(n, err)
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines before, %d after", before, n)
	}
}

// Reading allocates nothing once started, directly or through Pipelined.
func TestReadDoesNotAllocate(t *testing.T) {
	text := bytes.Repeat([]byte("I  0401ab70,3\n S 1fff000d38,8\n"), 200000)
	for _, piped := range []bool{false, true} {
		r, err := NewReader("t", bytes.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		if piped {
			r = Pipelined(r, 1024)
		}
		buf := make([]Record, 1000)
		allocs := testing.AllocsPerRun(300, func() {
			if _, err := r.Read(buf); err != nil {
				t.Fatal(err)
			}
		})
		r.Close()
		if allocs != 0 {
			t.Errorf("pipelined %v: %v allocations per Read", piped, allocs)
		}
	}
}

// A Reader that never finishes its Read must not hang Pipelined's Close
// for longer than that Read; one that returns 0, nil forever is an error.
type stuckReader struct{}

func (stuckReader) Read(recs []Record) (int, error) { return 0, nil }
func (stuckReader) Format() string                  { return "stuck" }
func (stuckReader) Close() error                    { return nil }

func TestPipelinedNoProgress(t *testing.T) {
	p := Pipelined(stuckReader{}, 10)
	if _, err := p.Read(make([]Record, 3)); err != io.ErrNoProgress {
		t.Errorf("error %v, want io.ErrNoProgress", err)
	}
	p.Close()
}

// panicky gives n records, then panics, as a reader with a bug would.
type panicky struct{ n int }

func (p *panicky) Read(recs []Record) (int, error) {
	if p.n == 0 {
		var table []int
		return table[len(recs)], nil // index out of range
	}
	k := min(p.n, len(recs))
	p.n -= k
	return k, nil
}
func (p *panicky) Format() string { return "panicky" }
func (p *panicky) Close() error   { return nil }

// A panic in the decoder's goroutine comes out of Read, in the reader's
// goroutine, with the decoder's stack: there a recover can report it,
// where in its own goroutine it would kill the process unreported.
func TestPipelinedPanic(t *testing.T) {
	p := Pipelined(&panicky{n: 10}, 4)
	defer p.Close()
	var n int
	defer func() {
		v := recover()
		dp, ok := v.(*DecoderPanic)
		if !ok {
			t.Fatalf("recovered %v, want a *DecoderPanic", v)
		}
		if !strings.Contains(fmt.Sprint(dp.Value), "index out of range") || !strings.Contains(string(dp.Stack), "panicky") {
			t.Errorf("value %v, stack:\n%s", dp.Value, dp.Stack)
		}
		if n != 8 {
			t.Errorf("%d records before the panic, want 8 (two whole batches)", n)
		}
	}()
	buf := make([]Record, 4)
	for {
		k, err := p.Read(buf)
		n += k
		if err != nil {
			t.Fatalf("Read returned %v, not a panic", err)
		}
	}
}
