package cpu

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// entries makes a trace from a picture: each letter an instruction (its IP
// the letter), each "+" after it a continuation of it.
func entries(pic string) []traces.Instr {
	var out []traces.Instr
	for _, c := range pic {
		if c == '+' {
			prev := out[len(out)-1]
			out = append(out, traces.Instr{IP: prev.IP, Cont: true})
			continue
		}
		out = append(out, traces.Instr{IP: uint64(c)})
	}
	return out
}

// handOut reads everything a feed hands out, as a core does (switching
// process when a turn ends), in buffers of size n: "0:A+" is process 0's
// instruction A and a continuation of it, each turn's entries apart.
func handOut(t *testing.T, f *feed, n int) []string {
	t.Helper()
	var turns []string
	cur := ""
	buf := make([]traces.Instr, n)
	for range 1000 {
		k, err := f.read(buf)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range buf[:k] {
			if cur == "" {
				cur = fmt.Sprintf("%d:", f.cur)
			}
			if in.Cont {
				cur += "+"
			} else {
				cur += string(rune(in.IP))
			}
		}
		if k > 0 {
			continue
		}
		if cur != "" {
			turns = append(turns, cur)
			cur = ""
		}
		if f.done() {
			return turns
		}
		f.start(f.next())
	}
	t.Fatal("the feed never ends")
	return nil
}

// The feed counts instructions, not entries: a limit (Max, a turn's
// quantum) ends after the continuations of the last instruction, never
// between an instruction and them, whatever the sizes of the reads.
func TestFeedKeepsContinuations(t *testing.T) {
	for _, tc := range []struct {
		name         string
		traces       []string
		quantum, max uint64
		want         []string
	}{
		{"max in the middle", []string{"AB+++CD++E"}, 0, 2, []string{"0:AB+++"}},
		{"max after continuations", []string{"AB+++CD++E"}, 0, 4, []string{"0:AB+++CD++"}},
		{"max past the end", []string{"AB+C++"}, 0, 9, []string{"0:AB+C++"}},
		{"max on the last", []string{"AB+C++"}, 0, 3, []string{"0:AB+C++"}},
		{"quantum", []string{"A++BC+D", "wx+++yz"}, 2, 0, []string{"0:A++B", "1:wx+++", "0:C+D", "1:yz"}},
		{"quantum and max", []string{"A++BC+D", "wx+++yz"}, 2, 5, []string{"0:A++B", "1:wx+++", "0:C+"}},
		{"one process left", []string{"A+B+C+", "w"}, 1, 0, []string{"0:A+", "1:w", "0:B+C+"}},
	} {
		for _, n := range []int{1, 2, 3, 64} {
			t.Run(fmt.Sprintf("%s/buffer %d", tc.name, n), func(t *testing.T) {
				var rs []traces.InstrReader
				for _, pic := range tc.traces {
					r := reader(entries(pic))
					r.batch = 2 // reads end inside instructions too
					rs = append(rs, r)
				}
				got := handOut(t, newFeed(rs, tc.quantum, tc.max), n)
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("handed out (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// A run with Max counts exactly Max instructions on both models, the
// continuations' accesses included, where instructions with more data
// references than one entry holds come near the limit.
func TestMaxExactWithContinuations(t *testing.T) {
	var ins []traces.Instr
	for i := range 50 {
		in := load(uint64(i) * 64)
		in.IP = uint64(0x1000 + i)
		ins = append(ins, in)
		if i%7 == 3 { // an instruction of 1 + 4 entries
			for range 4 {
				c := load(uint64(i)*64 + 8)
				c.IP, c.Cont = in.IP, true
				ins = append(ins, c)
			}
		}
	}
	for _, cfg := range []Config{inOrderConfig(1), oooConfig(4, 32)} {
		for _, max := range []uint64{1, 3, 4, 5, 11, 50} {
			want := uint64(0) // loads of the first max instructions
			seen := uint64(0)
			for _, in := range ins {
				if !in.Cont {
					seen++
				}
				if seen <= max {
					want++
				}
			}
			eng := &sim.Engine{}
			r := runOn(t, cfg, hitsAndMisses(t, eng, 100), ins, Options{Max: max})
			if loads := r.count("load.accesses"); r.Instructions != max || loads != want {
				t.Errorf("%s, max %d: %d instructions and %d loads; want %d and %d",
					cfg.Model, max, r.Instructions, loads, max, want)
			}
		}
	}
}
