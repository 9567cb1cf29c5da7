package sim

import "testing"

// TestQueueKeepsOrder pushes and pops in uneven rounds, so the ring grows
// and wraps around, and checks every pop, At and the length against a
// plain slice.
func TestQueueKeepsOrder(t *testing.T) {
	var q Queue[int]
	var want []int
	rng := NewRNG(3)
	next := 0
	for op := 0; op < 20000; op++ {
		if rng.IntN(3) > 0 || len(want) == 0 {
			q.Push(next)
			want = append(want, next)
			next++
		} else {
			if got := q.Pop(); got != want[0] {
				t.Fatalf("op %d: popped %d, want %d", op, got, want[0])
			}
			want = want[1:]
		}
		if q.Len() != len(want) {
			t.Fatalf("op %d: length %d, want %d", op, q.Len(), len(want))
		}
		if i := len(want) / 2; len(want) > 0 && *q.At(i) != want[i] {
			t.Fatalf("op %d: At(%d) is %d, want %d", op, i, *q.At(i), want[i])
		}
	}
}

// TestQueueRounds is the pattern of a walker's waiting walks: a few pushed,
// a few popped, round after round.
func TestQueueRounds(t *testing.T) {
	var q Queue[int]
	next, out := 0, 0
	for round := range 20 {
		for range round % 7 {
			q.Push(next)
			next++
		}
		for range round % 5 {
			if q.Len() == 0 {
				break
			}
			if got := q.Pop(); got != out {
				t.Fatalf("round %d: popped %d, want %d", round, got, out)
			}
			out++
		}
	}
	if q.Len() != next-out {
		t.Errorf("%d waiting, want %d", q.Len(), next-out)
	}
}
