package cpu

import (
	"testing"

	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// byIPTable counts events by IP in maps, for the tests.
type byIPTable map[sim.Event]map[uint64]uint64

func (b byIPTable) Count(ip uint64, e sim.Event, n uint64) {
	if b[e] == nil {
		b[e] = map[uint64]uint64{}
	}
	b[e][ip] += n
}

func (b byIPTable) Reset() { clear(b) }

func (b byIPTable) total(e sim.Event) uint64 {
	var n uint64
	for _, v := range b[e] {
		n += v
	}
	return n
}

// Every instruction and every cycle of the CPI stack is charged to one
// instruction, so the counts by IP add up to the run's, on both models;
// and the cycles a far load waits are charged to that load's IP.
func TestStackByIP(t *testing.T) {
	var ins []traces.Instr
	for i := range 400 {
		in := load(uint64(i%16) * 8) // hits
		if i%50 == 7 {
			in = load(farBase + uint64(i)*4096) // misses to memory
		}
		in.IP = 0x1000 + uint64(i%50)*4
		ins = append(ins, in)
		if i%10 == 3 {
			st := store(uint64(i) * 64)
			st.IP = 0x9000
			ins = append(ins, st)
		}
	}
	for _, cfg := range []Config{inOrderConfig(1), oooConfig(4, 32)} {
		eng := &sim.Engine{}
		mem := hitsAndMisses(t, eng, 300)
		names := StackNames(mem.levels)
		stackEv := make([]sim.Event, len(names)+1)
		for i := range stackEv {
			stackEv[i] = sim.Event(1 + i)
		}
		tab := byIPTable{}
		r := runOn(t, cfg, mem, ins, Options{ByIP: tab, InstrEvent: 0, StackEvents: stackEv})
		if got := tab.total(0); got != r.Instructions {
			t.Errorf("%s: %d instructions by IP, %d in all", cfg.Model, got, r.Instructions)
		}
		var cycles uint64
		for i, name := range append(names, "kernel") {
			got := tab.total(stackEv[i])
			cycles += got
			if want := r.Component(name); got != want {
				t.Errorf("%s: %s: %d cycles by IP, %d in the stack", cfg.Model, name, got, want)
			}
		}
		if cycles != r.Cycles {
			t.Errorf("%s: %d cycles by IP, %d in all", cfg.Model, cycles, r.Cycles)
		}
		memEv := stackEv[len(names)-5] // "memory", before translation, faults, store_buffer, switch
		if names[len(names)-5] != "memory" {
			t.Fatalf("stack names %v", names)
		}
		if far, all := tab[memEv][0x1000+7*4], tab.total(memEv); far == 0 || far < all*9/10 {
			t.Errorf("%s: %d of %d memory cycles on the far load's IP", cfg.Model, far, all)
		}
	}
}
