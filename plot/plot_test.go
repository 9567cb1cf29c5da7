package plot

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"image"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmemu/vmemu/dram"
	"gonum.org/v1/plot/vg"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata/ from the current output")

// charts are one of each kind, read from the files in testdata.
func charts(t *testing.T) map[string]Chart {
	t.Helper()
	res, err := ReadResults("testdata/results.csv")
	if err != nil {
		t.Fatal(err)
	}
	metric, err := MetricChart(res, "l2.size", "levels.l2.miss_rate", "auto")
	if err != nil {
		t.Fatal(err)
	}
	cpi, err := CPIChart([]string{"testdata/report-cpi.json", "testdata/report-cpi2.json"})
	if err != nil {
		t.Fatal(err)
	}
	pct, err := LatencyChart("testdata/dram.json")
	if err != nil {
		t.Fatal(err)
	}
	hist, err := LatencyChart("testdata/latencies.txt")
	if err != nil {
		t.Fatal(err)
	}
	series, err := SeriesChart("testdata/interval.csv", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	cores, err := CoresChart("testdata/report-cores.json")
	if err != nil {
		t.Fatal(err)
	}
	return map[string]Chart{"metric": metric, "cpi": cpi, "latency": pct, "histogram": hist, "series": series, "cores": cores}
}

// Every kind draws as a PNG that decodes and an SVG that parses, both of
// some size; each PNG matches its golden image within a tolerance (fonts
// and anti-aliasing may move a few pixels between library versions).
func TestChartsGolden(t *testing.T) {
	for name, c := range charts(t) {
		t.Run(name, func(t *testing.T) {
			var pngOut, svgOut bytes.Buffer
			if err := Write(&pngOut, c, "png", DefaultSize); err != nil {
				t.Fatal(err)
			}
			if err := Write(&svgOut, c, "svg", DefaultSize); err != nil {
				t.Fatal(err)
			}
			checkSVG(t, svgOut.Bytes())
			got, err := png.Decode(bytes.NewReader(pngOut.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			comparePNG(t, filepath.Join("testdata", name+".golden.png"), pngOut.Bytes(), got)
		})
	}
}

func checkSVG(t *testing.T, data []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	root := ""
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("svg: %v", err)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" || len(data) < 1000 {
		t.Errorf("svg: root element %q, %d bytes", root, len(data))
	}
}

// comparePNG allows 1% of the pixels to differ by more than a little.
func comparePNG(t *testing.T, golden string, data []byte, got image.Image) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if got.Bounds() != want.Bounds() {
		t.Fatalf("size %v, golden %v", got.Bounds(), want.Bounds())
	}
	b := got.Bounds()
	if differ, total := countDiff(got, want), b.Dx()*b.Dy(); differ*100 > total {
		t.Errorf("%d of %d pixels differ from %s", differ, total, golden)
	}
}

// countDiff counts the pixels whose colour moved by more than a little.
func countDiff(got, want image.Image) int {
	b := got.Bounds()
	differ := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if pixelDiff(got.At(x, y), want.At(x, y)) > 48 {
				differ++
			}
		}
	}
	return differ
}

func pixelDiff(a, b interface{ RGBA() (r, g, b, a uint32) }) uint32 {
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	d := uint32(0)
	for _, p := range [][2]uint32{{r1, r2}, {g1, g2}, {b1, b2}, {a1, a2}} {
		x, y := p[0]>>8, p[1]>>8
		if x > y {
			d = max(d, x-y)
		} else {
			d = max(d, y-x)
		}
	}
	return d
}

// The golden check is not blind: a different chart fails it.
func TestGoldenCatchesChange(t *testing.T) {
	if *update {
		t.Skip("updating")
	}
	c := charts(t)["metric"].(Lines)
	for i := range c.Series[0].Y {
		c.Series[0].Y[i] *= 0.2
	}
	c.Title = "something else entirely"
	var out bytes.Buffer
	if err := Write(&out, c, "png", DefaultSize); err != nil {
		t.Fatal(err)
	}
	got, _ := png.Decode(bytes.NewReader(out.Bytes()))
	f, err := os.Open("testdata/metric.golden.png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want, _ := png.Decode(f)
	b := got.Bounds()
	if differ := countDiff(got, want); differ*100 <= b.Dx()*b.Dy() {
		t.Errorf("a changed chart passes the golden check (%d pixels differ)", differ)
	}
}

func TestMetricChart(t *testing.T) {
	res, _ := ReadResults("testdata/results.csv")
	l, err := MetricChart(res, "l2.size", "cycles", "auto")
	if err != nil {
		t.Fatal(err)
	}
	if !l.LogX || len(l.Series) != 2 || l.Series[0].Label != "mcf.trace" || len(l.Series[1].X) != 3 {
		t.Errorf("%+v", l)
	}
	if l.XTicks[0].Label != "256KiB" || l.XTicks[3].Label != "2MiB" {
		t.Errorf("ticks %v", l.XTicks)
	}
	// Grouped by the varying trace, against it as names.
	l, err = MetricChart(res, "trace", "cycles", "auto")
	if err != nil || l.LogX || len(l.Series) != 4 || l.XTicks[1].Label != "lbm.trace" {
		t.Errorf("%+v, %v", l, err)
	}
	for _, tc := range []struct{ x, y, logx, want string }{
		{"l2.sise", "cycles", "auto", "--x l2.sise: testdata/results.csv has no such column; did you mean l2.size?"},
		{"l2.size", "cycels", "auto", "did you mean cycles?"},
		{"l2.size", "cycles", "sometimes", "--logx sometimes: give auto, on or off"},
		{"l2.size", "error", "auto", "no point has status ok and a value of error"},
	} {
		if _, err := MetricChart(res, tc.x, tc.y, tc.logx); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc, err, tc.want)
		}
	}
}

func TestCPIChart(t *testing.T) {
	s, err := CPIChart([]string{"testdata/report-cpi.json", "testdata/report-cpi2.json"})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, p := range s.Parts {
		names = append(names, p.Name)
	}
	if strings.Join(names, ",") != "base,l1d,l2,dram,tlb,branch" || s.YLabel != "core cycles per instruction (CPI)" ||
		s.Parts[3].Values[1] != 1.05 || s.Parts[2].Values[1] != 0 || strings.Join(s.Bars, ",") != "mcf.trace,lbm.trace" {
		t.Errorf("%+v", s)
	}
	dir := t.TempDir()
	bd := filepath.Join(dir, "r.json")
	os.WriteFile(bd, []byte(`{"cycles": 10, "breakdown": [{"level": "translation", "cycles": 4}, {"level": "l1d", "cycles": 6}]}`), 0o644)
	s, err = CPIChart([]string{bd, bd})
	if err != nil || s.YLabel != "core cycles" || s.Parts[0].Name != "translation" || strings.Join(s.Bars, ",") != "r.json,r.json" {
		t.Errorf("breakdown: %+v, %v", s, err)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"cycles": 10}`), 0o644)
	if _, err := CPIChart([]string{bad}); err == nil || !strings.Contains(err.Error(), "no cpi_stack or breakdown") {
		t.Errorf("%v", err)
	}
}

func TestLatencyChart(t *testing.T) {
	c, _ := LatencyChart("testdata/dram.json")
	b := c.(Bars)
	if strings.Join(b.Names, ",") != "mean,p50,p95,p99" || b.Values[0] != 37.5 || b.Values[3] != 120 {
		t.Errorf("%+v", b)
	}
	dir := t.TempDir()
	rep := filepath.Join(dir, "run.json")
	// A run report's dram object, as emu run --json writes it.
	data, _ := json.Marshal(map[string]any{"dram": dram.Summary{ReadLatencyMean: 40, ReadLatencyP50: 35, ReadLatencyP95: 70, ReadLatencyP99: 99, Reads: 5}})
	os.WriteFile(rep, data, 0o644)
	c, err := LatencyChart(rep)
	if b := c.(Bars); err != nil || strings.Join(b.Names, ",") != "mean,p50,p95,p99" {
		t.Errorf("run report: %+v, %v", c, err)
	}
	list := filepath.Join(dir, "l.json")
	os.WriteFile(list, []byte(`[3, 4, 5]`), 0o644)
	if c, err := LatencyChart(list); err != nil || len(c.(Histogram).Values) != 3 {
		t.Errorf("list: %+v, %v", c, err)
	}
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("3\n4\nfive\n"), 0o644)
	if _, err := LatencyChart(bad); err == nil || err.Error() != bad+`:3: "five" is not a number` {
		t.Errorf("%v", err)
	}
}

// By default a series chart draws the IPC of each interval, one line, not
// every column; files of emu before interval_ipc have ipc.
func TestSeriesChart(t *testing.T) {
	l, err := SeriesChart("testdata/interval.csv", "", nil)
	if err != nil || len(l.Series) != 1 || l.Series[0].Label != "interval_ipc" || l.Series[0].X[4] != 500000 ||
		l.YLabel != "interval_ipc (instructions per core cycle)" {
		t.Errorf("%+v, %v", l, err)
	}
	l, err = SeriesChart("testdata/interval-v1.csv", "", nil)
	if err != nil || len(l.Series) != 1 || l.Series[0].Label != "ipc" || l.Series[0].Y[2] != 0.83 {
		t.Errorf("old file: %+v, %v", l, err)
	}
	l, err = SeriesChart("testdata/interval-v1.csv", "cycles", []string{"ipc", "l1d.miss_rate"})
	if err != nil || len(l.Series) != 2 || l.Series[0].X[0] != 80000 || l.Series[1].Y[2] != 0.12 {
		t.Errorf("%+v, %v", l, err)
	}
	if _, err := SeriesChart("testdata/interval-v1.csv", "", []string{"ipx"}); err == nil || !strings.Contains(err.Error(), "did you mean ipc?") {
		t.Errorf("%v", err)
	}
	dir := t.TempDir()
	none := filepath.Join(dir, "none.csv")
	os.WriteFile(none, []byte("instructions,cycles\n1,2\n"), 0o644)
	if _, err := SeriesChart(none, "", nil); err == nil || !strings.Contains(err.Error(), "name the columns to draw with --y") {
		t.Errorf("%v", err)
	}
}

func TestFormat(t *testing.T) {
	for in, want := range map[string]string{"a.png": "png", "b.SVG": "svg", "c.pdf": ""} {
		got, err := Format(in)
		if got != want || (err != nil) != (want == "") {
			t.Errorf("%s: %q, %v", in, got, err)
		}
	}
}

// Whatever made a chart, Write refuses values it cannot draw (gonum
// panics on a NaN range) and sizes out of range, before drawing.
func TestWriteRefusesWhatItCannotDraw(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name string
		c    Chart
		size Size
		want string
	}{
		{"NaN in a histogram", Histogram{Values: []float64{1, nan, 3}}, DefaultSize, "a value to draw, NaN, is not a finite number"},
		{"Inf in a line", Lines{Series: []Series{{X: []float64{1, 2}, Y: []float64{inf, 1}}}}, DefaultSize, "+Inf, is not a finite number"},
		{"-Inf in a stack", Stacks{Bars: []string{"a"}, Parts: []Part{{Name: "p", Values: []float64{math.Inf(-1)}}}}, DefaultSize, "-Inf"},
		{"NaN in groups", Groups{Bars: []string{"a"}, Parts: []Part{{Name: "p", Values: []float64{nan}}}}, DefaultSize, "NaN"},
		{"huge share of a core", Cores{IPC: Groups{Bars: []string{"0"}, Parts: []Part{{Name: "IPC", Values: []float64{1}}}},
			CPI: Stacks{Bars: []string{"0"}, Parts: []Part{{Name: "base", Values: []float64{2e300}}}}}, DefaultSize, "too large to draw"},
		{"huge bar", Bars{Names: []string{"a", "b"}, Values: []float64{-1e301, 1e301}}, DefaultSize, "too large to draw"},
		{"bins", Histogram{Values: []float64{1, 2}, Bins: MaxBins + 1}, DefaultSize, "--bins 1001"},
		{"NaN width", Histogram{Values: []float64{1, 2}}, Size{Width: vg.Length(nan), Height: DefaultHeight}, "--width NaN"},
		{"zero height", Histogram{Values: []float64{1, 2}}, Size{Width: DefaultWidth}, "--height 0"},
		{"huge width", Histogram{Values: []float64{1, 2}}, Size{Width: 1e9, Height: DefaultHeight}, "give centimetres from 1 to 120"},
		{"dpi", Histogram{Values: []float64{1, 2}}, Size{Width: DefaultWidth, Height: DefaultHeight, DPI: 5000}, "--dpi 5000: give 10 to 1200"},
	} {
		for _, format := range []string{"png", "svg"} {
			var b bytes.Buffer
			err := Write(&b, tc.c, format, tc.size)
			if err == nil || !strings.Contains(err.Error(), tc.want) || b.Len() > 0 {
				t.Errorf("%s, %s: %v (%d bytes), want %q", tc.name, format, err, b.Len(), tc.want)
			}
		}
	}
	// A PNG is drawn whole in memory: its pixels are bounded; an SVG's
	// size costs nothing.
	poster := Size{Width: 120 * vg.Centimeter, Height: 120 * vg.Centimeter, DPI: 300}
	h := Histogram{Values: []float64{1, 2}}
	if err := Write(io.Discard, h, "png", poster); err == nil || !strings.Contains(err.Error(), "a PNG of 201 million pixels; at most 67 million") {
		t.Errorf("png: %v", err)
	}
	if err := Write(io.Discard, h, "svg", poster); err != nil {
		t.Errorf("svg: %v", err)
	}
}
