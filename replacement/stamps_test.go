package replacement

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestStampsRenumbered runs LRU and FIFO with their clocks started a few
// stamps short of the renumbering limit, so that they renumber several
// times along the way, and checks every victim against stamps of 64 bits
// that never run out.
func TestStampsRenumbered(t *testing.T) {
	for _, name := range []string{LRU, FIFO} {
		for _, ways := range []int{1, 4, 16, 20} {
			t.Run(fmt.Sprintf("%s %d ways", name, ways), func(t *testing.T) {
				const sets = 8
				s, err := New(name, Config{Sets: sets, Ways: ways})
				if err != nil {
					t.Fatal(err)
				}
				want := make([]uint64, sets*ways) // 0: never stamped
				var clock uint64
				stamp := func(set, way int) {
					clock++
					want[set*ways+way] = clock
				}
				rng := rand.New(rand.NewPCG(5, uint64(ways)))
				renumbered := 0
				for step := range 30000 {
					if step%7000 == 0 {
						s.stamps.clock = stampLimit - 3 // near the limit again
					}
					before := s.stamps.clock
					s.Renumber()
					if s.stamps.clock < before {
						renumbered++
					}
					set, way := rng.IntN(sets), rng.IntN(ways)
					switch rng.IntN(3) {
					case 0:
						s.Update(&Access{Set: set, Way: way, Hit: true})
						if name == LRU {
							stamp(set, way)
						}
					case 1:
						s.Update(&Access{Set: set, Way: way})
						stamp(set, way)
					default:
						row, v := want[set*ways:(set+1)*ways], 0
						for w := range row {
							if row[w] < row[v] {
								v = w
							}
						}
						if got := s.Victim(set, 0, 0, 0); got != v {
							t.Fatalf("step %d: victim of set %d is way %d, want %d", step, set, got, v)
						}
					}
				}
				if renumbered < 4 {
					t.Fatalf("renumbered %d times; the test meant at least 4", renumbered)
				}
			})
		}
	}
}
