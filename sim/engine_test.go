package sim

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type recorder struct {
	got []string
	e   *Engine
}

func (r *recorder) Handle(now Cycle, arg uint64) {
	r.got = append(r.got, string(rune('a'+arg))+"@"+itoa(uint64(now)))
}

func itoa(n uint64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func TestEngineOrder(t *testing.T) {
	tests := []struct {
		name     string
		schedule [][2]uint64 // (cycle, arg)
		want     []string
	}{
		{"by time", [][2]uint64{{5, 0}, {1, 1}, {3, 2}}, []string{"b@1", "c@3", "a@5"}},
		{"fifo at equal time", [][2]uint64{{2, 0}, {2, 1}, {2, 2}, {1, 3}, {2, 4}}, []string{"d@1", "a@2", "b@2", "c@2", "e@2"}},
		{"empty", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var e Engine
			r := &recorder{e: &e}
			for _, s := range tc.schedule {
				e.Schedule(Cycle(s[0]), r, s[1])
			}
			e.Run()
			if diff := cmp.Diff(tc.want, r.got); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
		})
	}
}

// Many events at few distinct times must still come out FIFO within a time:
// this catches a heap that is not stable.
func TestEngineFIFOUnderLoad(t *testing.T) {
	var e Engine
	var got []uint64
	h := HandlerFunc(func(now Cycle, arg uint64) { got = append(got, arg) })
	rng := NewRNG(1)
	const n = 5000
	times := make([]Cycle, n)
	for i := range times {
		times[i] = Cycle(rng.IntN(7))
		e.Schedule(times[i], h, uint64(i))
	}
	e.Run()
	if len(got) != n {
		t.Fatalf("handled %d events, want %d", len(got), n)
	}
	for i := 1; i < n; i++ {
		a, b := got[i-1], got[i]
		if times[a] > times[b] || (times[a] == times[b] && a > b) {
			t.Fatalf("event %d (t=%d) before %d (t=%d)", a, times[a], b, times[b])
		}
	}
}

func TestEngineRefusesThePast(t *testing.T) {
	var e Engine
	e.RunUntil(10)
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, "cycle 5, in the past of cycle 10") {
			t.Errorf("Schedule(5) at cycle 10: panic %q, want one naming both cycles", msg)
		}
	}()
	e.Schedule(5, HandlerFunc(func(Cycle, uint64) {}), 0)
}

func TestEngineRunUntil(t *testing.T) {
	var e Engine
	var got []Cycle
	h := HandlerFunc(func(now Cycle, arg uint64) {
		got = append(got, now)
		if arg == 1 {
			// An event for the present runs in this RunUntil.
			e.Schedule(now, HandlerFunc(func(now Cycle, _ uint64) { got = append(got, now+1000) }), 0)
		}
	})
	e.Schedule(10, h, 1)
	e.Schedule(30, h, 0)
	e.RunUntil(20)
	if e.Now() != 20 {
		t.Errorf("Now after RunUntil(20) = %d, want 20", e.Now())
	}
	if diff := cmp.Diff([]Cycle{10, 1010}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if e.Next() != 30 || e.Pending() != 1 {
		t.Errorf("Next=%d Pending=%d, want 30 1", e.Next(), e.Pending())
	}
}

func TestEngineScheduleDoesNotAllocate(t *testing.T) {
	var e Engine
	h := HandlerFunc(func(Cycle, uint64) {})
	for i := 0; i < 64; i++ { // grow the heap once
		e.Schedule(Cycle(i), h, 0)
	}
	e.Run()
	allocs := testing.AllocsPerRun(100, func() {
		for i := 0; i < 32; i++ {
			e.Schedule(e.Now()+Cycle(i%5), h, uint64(i))
		}
		e.Run()
	})
	if allocs != 0 {
		t.Errorf("Schedule+Run allocates %.1f times per run, want 0", allocs)
	}
}

func BenchmarkEngine(b *testing.B) {
	var e Engine
	h := HandlerFunc(func(Cycle, uint64) {})
	for i := 0; i < 64; i++ {
		e.Schedule(Cycle(i), h, 0)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Schedule(e.Now()+Cycle(i&63), h, 0)
		e.Step()
	}
}
