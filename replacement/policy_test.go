package replacement

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
)

// through builds the policy called name as a registered one would be: behind
// the Policy interface, rather than held by State for its fast path.
func through(t *testing.T, name string, c Config) State {
	t.Helper()
	e, err := find(name, c)
	if err != nil {
		t.Fatal(err)
	}
	return State{p: struct{ Policy }{e.New(c)}}
}

// play keeps one set of ways as a cache or a TLB does: a line already there
// is a hit, a miss fills the first empty way or else the victim. Lines are
// letters. It returns an outcome per access ("H", "M", or "M-x" when the
// miss evicted x) and the lines by way at the end.
func play(s *State, ways int, seq string) (out []string, final string) {
	held := make([]rune, ways) // 0: empty
	for _, ln := range seq {
		a := Access{Addr: uint64(ln), Way: -1}
		hit := false
		for w, h := range held {
			if h == ln {
				a.Way, a.Hit = w, true
				if !s.TryHit(0, w) {
					s.Update(&a)
				}
				hit = true
			}
		}
		if hit {
			out = append(out, "H")
			continue
		}
		a.Way, a.Hit = strings.IndexRune(string(held), 0), false
		word := "M"
		if a.Way < 0 {
			a.Way = s.Victim(0, a.Addr, 0, sim.Load)
			a.Evicts, a.Evicted = true, uint64(held[a.Way])
			word += "-" + string(held[a.Way])
		}
		held[a.Way] = ln
		s.Update(&a)
		out = append(out, word)
	}
	return out, string(held)
}

func mustNew(t *testing.T, name string, c Config) State {
	t.Helper()
	s, err := New(name, c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Sequences worked by hand on one set of 4 ways. The first four come from
// the cache's tests, the last three from the TLB's.
func TestSequences(t *testing.T) {
	tests := []struct {
		policy, seq string
		want        string // outcome per access
		final       string // lines by way
	}{
		// Last uses after "abcda": b2 c3 d4 a5. e evicts b, b evicts c,
		// c evicts d, a hits.
		{LRU, "abcdaebca", "M M M M H M-b M-c M-d H", "aebc"},
		// Fills a1 b2 c3 d4; the hit on a does not count: e evicts a; b
		// and c hit; a evicts b, the oldest fill left.
		{FIFO, "abcdaebca", "M M M M H M-a H H M-b", "eacd"},
		// The tree's bits are the root, then the node over ways 0-1 and the
		// one over ways 2-3. The fills leave them 0 0 0, pointing at way 0;
		// the hit on a (way 0) makes them 1 1 0, pointing right, at way 2
		// (c). e fills way 2: 0 1 1. The hit on b (way 1): 1 0 1, pointing
		// at way 3 (d). c fills way 3: 0 0 0, pointing at way 0 (a).
		{PLRU, "abcdaebcd", "M M M M H M-c H M-d M-a", "dbec"},
		// Fills predict 2, the hit on a 0: [0 2 2 2]. e: no 3, age to
		// [1 3 3 3], way 1 (b), filled at 2: [1 2 3 3]. b: way 2 (c):
		// [1 2 2 3]. c: way 3 (d): [1 2 2 2]. d: age to [2 3 3 3], way 1 (e).
		{SRRIP, "abcdaebcd", "M M M M H M-b M-c M-d M-e", "adbc"},
		// Last uses after "abcda": b2 c3 d4 a5. e evicts b; b evicts c;
		// a hits (a8); c evicts d (e6 b7 a8 d4); d evicts e.
		{LRU, "abcdaebacd", "M M M M H M-b M-c H M-d M-e", "adbc"},
		// Fills a1 b2 c3 d4; hits do not count. e evicts a; b hits; a
		// evicts b (oldest fill); c and d hit.
		{FIFO, "abcdaebacd", "M M M M H M-a H M-b H H", "eacd"},
		// Fills of ways 0-3 leave every bit 0; a (way 0) sets
		// root=1, left=1; e: root 1 -> right, right bit 0 -> way 2 (c);
		// fill way 2: root=0, right=1. b (way 1): root=1, left=0. a:
		// root=1, left=1. c: root 1 -> right, right 1 -> way 3 (d); fill:
		// root=0, right=0. d: root 0 -> left, left 1 -> way 1 (b). True LRU
		// would evict e.
		{PLRU, "abcdaebacd", "M M M M H M-c H H M-d M-b", "adec"},
	}
	for _, tc := range tests {
		for _, path := range []string{"built-in", "interface"} {
			t.Run(tc.policy+" "+tc.seq+" "+path, func(t *testing.T) {
				s := mustNew(t, tc.policy, Config{Sets: 1, Ways: 4})
				if path == "interface" {
					s = through(t, tc.policy, Config{Sets: 1, Ways: 4})
				}
				out, final := play(&s, 4, tc.seq)
				if diff := cmp.Diff(tc.want, strings.Join(out, " ")); diff != "" {
					t.Errorf("outcomes (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tc.final, final); diff != "" {
					t.Errorf("lines by way (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// Random draws one number a victim from sim.NewRNG(Seed).Derive(Name): a
// cache's or TLB's victims depend on its own name and the run's seed only.
func TestRandomStream(t *testing.T) {
	c := Config{Sets: 2, Ways: 8, Seed: 7, Name: "l2"}
	s := mustNew(t, Random, c)
	want := sim.NewRNG(7).Derive("l2")
	seen := map[int]bool{}
	for i := range 200 {
		s.Update(&Access{Set: i % 2, Way: i % 8, Hit: true}) // draws nothing
		s.Update(&Access{Set: i % 2, Way: i % 8})
		v := s.Victim(i%2, 0, 0, sim.Load)
		if w := want.IntN(8); v != w {
			t.Fatalf("victim %d: way %d, want %d", i, v, w)
		}
		seen[v] = true
	}
	if len(seen) != 8 {
		t.Errorf("victims covered ways %v, want all 8", seen)
	}
	// Restart, after a reuse, starts the new owner's stream.
	c.Name, c.Seed = "llc", 9
	s.Restart(c)
	want = sim.NewRNG(9).Derive("llc")
	for i := range 20 {
		if v, w := s.Victim(0, 0, 0, sim.Load), want.IntN(8); v != w {
			t.Fatalf("after Restart, victim %d: way %d, want %d", i, v, w)
		}
	}
}

// Tree-PLRU takes any number of ways up to 64: used in way order, the
// victim is way 0, and it is never the way just used.
func TestPLRUAnyWays(t *testing.T) {
	for _, ways := range []int{1, 2, 3, 6, 12, 16, 48, 64} {
		s := mustNew(t, PLRU, Config{Sets: 1, Ways: ways})
		for w := range ways {
			s.Update(&Access{Way: w})
		}
		if v := s.Victim(0, 0, 0, sim.Load); v != 0 {
			t.Errorf("%d ways: victim after using 0..%d is %d, want 0", ways, ways-1, v)
		}
		for w := range ways {
			s.Update(&Access{Way: w, Hit: true})
			if v := s.Victim(0, 0, 0, sim.Load); ways > 1 && v == w {
				t.Errorf("%d ways: victim %d is the way just used", ways, v)
			}
		}
	}
}

// ClearSet and Restart bring a used policy back to a new one's state.
func TestClearSetAndRestart(t *testing.T) {
	for _, name := range []string{FIFO, LRU, PLRU, Random, SRRIP} {
		c := Config{Sets: 4, Ways: 4, Seed: 1, Name: "c"}
		used, fresh := mustNew(t, name, c), mustNew(t, name, c)
		play(&used, 4, "abcdaebcdaeeb")
		for set := range c.Sets {
			used.ClearSet(set)
		}
		used.Restart(c)
		if diff := cmp.Diff(fresh, used, cmp.Exporter(func(reflect.Type) bool { return true })); diff != "" {
			t.Errorf("%s (-new +reused):\n%s", name, diff)
		}
	}
}

func TestUnknownNameIsAnError(t *testing.T) {
	for _, name := range []string{"lfu", "LRU", " lru"} {
		_, err := New(name, Config{Sets: 1, Ways: 4})
		if err == nil {
			t.Fatalf("New(%q) built a policy", name)
		}
		if err2 := Check(name, Config{Sets: 1, Ways: 4}); err2 == nil || err2.Error() != err.Error() {
			t.Errorf("Check(%q) = %v, New said %v", name, err2, err)
		}
		want := fmt.Sprintf("unknown replacement policy %q (one of %s)", name, strings.Join(Names(), ", "))
		if diff := cmp.Diff(want, err.Error()); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	}
	for _, name := range []string{FIFO, LRU, PLRU, Random, SRRIP} {
		if !strings.Contains(strings.Join(Names(), " "), name) {
			t.Errorf("Names() = %v lacks %s", Names(), name)
		}
	}
}

func TestBadShapes(t *testing.T) {
	tests := []struct {
		name string
		c    Config
		want string
	}{
		{PLRU, Config{Sets: 1, Ways: 65}, "tree-PLRU supports at most 64 ways, not 65"},
		{LRU, Config{Sets: 0, Ways: 4}, "replacement: 0 sets of 4 ways"},
		{SRRIP, Config{Sets: 4, Ways: 0}, "replacement: 4 sets of 0 ways"},
	}
	for _, tc := range tests {
		_, err := New(tc.name, tc.c)
		if err == nil || err.Error() != tc.want {
			t.Errorf("New(%s, %+v) = %v, want %q", tc.name, tc.c, err, tc.want)
		}
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "lru registered twice") {
			t.Errorf("recover() = %v", r)
		}
	}()
	Register(LRU, Registration{New: func(Config) Policy { return nil }})
}

func TestEmptyNameIsDefault(t *testing.T) {
	s, d := mustNew(t, "", Config{Sets: 1, Ways: 4}), mustNew(t, Default, Config{Sets: 1, Ways: 4})
	if s.kind != d.kind || s.kind != kindLRU {
		t.Errorf("New(\"\") built policy kind %d, New(Default) %d; want LRU's %d", s.kind, d.kind, kindLRU)
	}
}
