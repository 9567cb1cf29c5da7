package plot

import (
	"hash/fnv"
	"image/color"
	"math"
	"strconv"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg/draw"
)

// palette holds ten colours that stay apart from each other and readable
// on white as lines and as bars (Tableau's 10, with its light ones made
// darker).
var palette = []color.RGBA{
	{0x4e, 0x79, 0xa7, 0xff}, // blue
	{0xf2, 0x8e, 0x2b, 0xff}, // orange
	{0x59, 0xa1, 0x4f, 0xff}, // green
	{0xe1, 0x57, 0x59, 0xff}, // red
	{0xb0, 0x7a, 0xa1, 0xff}, // purple
	{0x9c, 0x75, 0x5f, 0xff}, // brown
	{0xd3, 0x72, 0x95, 0xff}, // pink
	{0x79, 0x70, 0x6e, 0xff}, // grey
	{0xb6, 0x99, 0x2d, 0xff}, // olive
	{0x49, 0x98, 0x94, 0xff}, // teal
}

// knownSlots fixes the palette slot of the names charts share: the CPI
// stack's components and the levels, so that memory is red and the L2
// blue in every chart.
var knownSlots = map[string]int{
	"base": 2, "frontend": 4, "memory": 3, "translation": 1, "faults": 5,
	"store_buffer": 8, "switch": 7, "kernel": 6,
	"l1i+l1d": 9, "l1": 9, "l1d": 9, "l1i": 9, "i1+d1": 9, "d1": 9, "i1": 9,
	"l2": 0, "llc": 6, "ll": 6, "l3": 6,
	"dram": 3, "tlb": 1,
	"ipc": 0, "interval_ipc": 0,
}

// slots gives each name of one chart its palette slot: the same slot for
// the same name in every chart (a known name's, or one from a hash of the
// name), the next free one when two names of the chart would share it.
type slots struct{ used map[int]bool }

func (s *slots) of(name string) int {
	if s.used == nil || len(s.used) >= len(palette) {
		// More names than colours: the shape (lines) tells them apart.
		s.used = map[int]bool{}
	}
	slot, ok := knownSlots[strings.ToLower(name)]
	if !ok {
		h := fnv.New32a()
		h.Write([]byte(name))
		slot = int(h.Sum32() % uint32(len(palette)))
	}
	for s.used[slot] {
		slot = (slot + 1) % len(palette)
	}
	s.used[slot] = true
	return slot
}

func slotColor(slot int) color.Color { return palette[slot%len(palette)] }

func slotShape(slot int) draw.GlyphDrawer { return plotutil.Shape(slot) }

// niceTicks places about n labelled ticks on a linear axis at round
// steps (1, 2 or 5 times a power of ten), with an unlabelled one between
// each two.
type niceTicks struct{ n int }

func (t niceTicks) Ticks(min, max float64) []gplot.Tick {
	step := niceStep((max - min) / float64(t.n))
	var out []gplot.Tick
	first := math.Ceil(min/step*2) / 2 // in half steps
	for i := 0; ; i++ {
		v := (first + float64(i)/2) * step
		if v > max+step*1e-9 {
			break
		}
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		label := ""
		if math.Abs(math.Remainder(v/step, 1)) < 1e-9 {
			label = humanNumber(v)
		}
		out = append(out, gplot.Tick{Value: v, Label: label})
	}
	return out
}

// niceStep rounds raw up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsInf(raw, 0) || math.IsNaN(raw) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5} {
		if raw <= m*p*(1+1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// readableTicks labels the ticks another Ticker places in short human
// numbers: 250k, 1.5M, 0.25, 3e-05; minor ticks stay unlabelled.
type readableTicks struct{ gplot.Ticker }

func (r readableTicks) Ticks(min, max float64) []gplot.Tick {
	ticks := r.Ticker.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = humanNumber(ticks[i].Value)
		}
	}
	return ticks
}

// humanNumber writes v for an axis: thousands as k, millions as M,
// billions as G, with at most three significant digits.
func humanNumber(v float64) string {
	a := math.Abs(v)
	for _, u := range []struct {
		div  float64
		unit string
	}{{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if a >= u.div {
			return strconv.FormatFloat(v/u.div, 'g', 3, 64) + u.unit
		}
	}
	if a != 0 && a < 1e-3 {
		return strconv.FormatFloat(v, 'e', 1, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// withUnit names a metric with the clock its cycles count: "DRAM cycles"
// under the DRAM model's keys, "core cycles" elsewhere. A counter of the
// registry (stats.NAME) goes by its name.
func withUnit(name string) string {
	low := strings.TrimPrefix(strings.ToLower(name), "stats.")
	clock := "core cycles"
	if strings.HasPrefix(low, "dram.") || strings.HasPrefix(low, "dram_") {
		clock = "DRAM cycles"
	}
	switch {
	case strings.HasSuffix(low, "ipc"):
		return name + " (instructions per core cycle)"
	case strings.HasSuffix(low, "_ns"):
		return name + " (ns)"
	case strings.Contains(low, "cycles"), strings.Contains(low, "latency"), strings.HasSuffix(low, "amat"):
		return name + " (" + clock + ")"
	case strings.HasSuffix(low, "_gbps"):
		return name + " (GB/s)"
	}
	return name
}
