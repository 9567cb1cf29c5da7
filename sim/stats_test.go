package sim

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// component is a block's counters as a block keeps them.
type component struct {
	hits, misses, other uint64
	walks               uint64
	lat                 [4]uint64 // a histogram: bins from 0, 10, 100, 1000
}

func (c *component) register(s *Stats) {
	s.Register("l1d.load.misses", &c.misses, "loads that missed")
	s.Register("l1d.load.hits", &c.hits, "loads that hit")
	s.Register("l2.load.hits", &c.other, "loads that hit", Unit("cycles"))
	s.Register("walker.walks", &c.walks, "walks", Detail)
	s.RegisterBins("dram.lat", c.lat[:], func(i int) uint64 { return []uint64{0, 10, 100, 1000}[i] }, "reads by latency")
}

func TestStats(t *testing.T) {
	var s Stats
	var c component
	c.register(&s)
	c.hits, c.misses, c.other, c.walks = 3, 1, 9, 2
	c.lat[1], c.lat[3] = 4, 5
	if diff := cmp.Diff([]Stat{{"l1d.load.hits", 3}, {"l1d.load.misses", 1}}, s.Under("l1d")); diff != "" {
		t.Errorf("Under (-want +got):\n%s", diff)
	}
	snap := s.Snapshot()
	c.hits, c.lat[1] = 10, 6 // a snapshot keeps the values of its moment
	for _, tc := range []struct {
		name string
		want uint64
		ok   bool
	}{
		{"l2.load.hits", 9, true}, {"walker.walks", 2, true}, {"dram.lat.10", 4, true}, {"dram.lat.100", 0, true},
		{"l1d.load.hits", 3, true}, {"l2.nothing", 0, false}, {"dram.lat.11", 0, false}, {"dram.lat", 0, false},
	} {
		if v, ok := snap.Get(tc.name); v != tc.want || ok != tc.ok {
			t.Errorf("Get(%s) = %d, %v; want %d, %v", tc.name, v, ok, tc.want, tc.ok)
		}
	}
	main := []Stat{{"l1d.load.misses", 1}, {"l1d.load.hits", 3}, {"l2.load.hits", 9}}
	if diff := cmp.Diff(main, snap.List(false)); diff != "" {
		t.Errorf("List(false) (-want +got):\n%s", diff)
	}
	all := append(main, Stat{"walker.walks", 2}, Stat{"dram.lat.10", 4}, Stat{"dram.lat.1000", 5})
	if diff := cmp.Diff(all, snap.List(true)); diff != "" {
		t.Errorf("List(true) (-want +got):\n%s", diff)
	}
	interval := []Stat{{"l1d.load.misses", 0}, {"l1d.load.hits", 7}, {"l2.load.hits", 0}, {"walker.walks", 0}, {"dram.lat.10", 2}}
	if diff := cmp.Diff(interval, s.Snapshot().Sub(snap).List(true)); diff != "" {
		t.Errorf("Sub (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]uint64{0, 4, 0, 5}, snap.Bins("dram.lat")); diff != "" {
		t.Errorf("Bins (-want +got):\n%s", diff)
	}
	infos := s.Infos()
	if i := infos[2]; i.Name != "l2.load.hits" || i.Unit != "cycles" || i.Detail || i.Doc != "loads that hit" {
		t.Errorf("Infos()[2] = %+v", i)
	}
	if i := infos[4]; !i.Detail || i.Bins != 4 {
		t.Errorf("a histogram is a detail of 4 bins: %+v", i)
	}
	s.Reset()
	if diff := cmp.Diff(component{}, c, cmp.AllowUnexported(component{})); diff != "" {
		t.Errorf("Reset left counters (-want +got):\n%s", diff)
	}
}

// A counter registered after a snapshot is not in it, and a difference
// keeps it whole.
func TestSnapshotBeforeRegistration(t *testing.T) {
	var s Stats
	var a, b uint64 = 1, 2
	s.Register("a", &a, "a")
	before := s.Snapshot()
	s.Register("b", &b, "b")
	if _, ok := before.Get("b"); ok {
		t.Error("a snapshot has a counter registered after it")
	}
	if diff := cmp.Diff([]Stat{{"a", 0}, {"b", 2}}, s.Snapshot().Sub(before).List(true)); diff != "" {
		t.Errorf("Sub (-want +got):\n%s", diff)
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	var s Stats
	var a uint64
	s.Register("a", &a, "a")
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	s.Register("a", &a, "a")
}

// Unregistered finds the counters of a struct the registry lacks, through
// arrays, slices and nested structs.
func TestUnregistered(t *testing.T) {
	type inner struct{ x, y uint64 }
	var c struct {
		a     uint64
		arr   [2]uint64
		sl    []uint64
		in    inner
		other int // not a counter
	}
	c.sl = make([]uint64, 2)
	var s Stats
	s.Register("a", &c.a, "a")
	s.Register("arr1", &c.arr[1], "arr1")
	s.RegisterBins("sl", c.sl, func(i int) uint64 { return uint64(i) }, "sl")
	s.Register("in.y", &c.in.y, "y")
	want := []string{".arr[0]", ".in.x"}
	if diff := cmp.Diff(want, s.Unregistered(&c)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// A table registers each row under its prefix, with its unit and the
// table's options.
func TestRegisterTable(t *testing.T) {
	var s Stats
	var a, b uint64
	s.RegisterTable("disk", []Counter{{Name: "reads", P: &a, Doc: "reads"}, {Name: "busy", P: &b, Doc: "busy", Unit: "cycles"}}, Detail)
	want := []Info{{Name: "disk.reads", Doc: "reads", Detail: true}, {Name: "disk.busy", Doc: "busy", Unit: "cycles", Detail: true}}
	if diff := cmp.Diff(want, s.Infos()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
