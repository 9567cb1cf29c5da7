package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const plotData = "../../plot/testdata/"

// Every kind of chart comes out as a PNG that decodes and an SVG, both of
// some size. (The golden images are checked in the plot package.)
func TestPlotKinds(t *testing.T) {
	dir := t.TempDir()
	for _, kind := range [][]string{
		{"metric", plotData + "results.csv", "--x", "l2.size", "--y", "levels.l2.miss_rate"},
		{"cpi", plotData + "report-cpi.json", plotData + "report-cpi2.json"},
		{"latency", plotData + "dram.json"},
		{"latency", plotData + "latencies.txt", "--bins", "10"},
		{"series", plotData + "interval.csv", "--y", "interval_ipc,interval_l1d.load.misses", "--logy", "--dpi", "150"},
		{"series", plotData + "interval.csv", "--y-from-data"},
	} {
		for _, ext := range []string{"png", "svg"} {
			out := filepath.Join(dir, kind[0]+"."+ext)
			args := append([]string{"plot"}, kind...)
			code, _, stderr := emu(t, "", append(args, "-o", out, "--title", "T")...)
			if code != 0 {
				t.Fatalf("%v: exit %d: %s", kind, code, stderr)
			}
			data, err := os.ReadFile(out)
			if err != nil || len(data) < 1000 {
				t.Fatalf("%s: %d bytes, %v", out, len(data), err)
			}
			if ext == "png" {
				if _, err := png.Decode(bytes.NewReader(data)); err != nil {
					t.Errorf("%s: %v", out, err)
				}
			} else if !bytes.Contains(data, []byte("<svg")) {
				t.Errorf("%s is not an SVG", out)
			}
		}
	}
}

// emu plot metric reads what emu sweep collect wrote, from the folder.
func TestPlotSweepResults(t *testing.T) {
	out := t.TempDir()
	if code, _, stderr := emu(t, "", "sweep", "submit", smallSweep, "--backend", "local", "-o", out); code != 0 {
		t.Fatal(stderr)
	}
	for _, in := range []string{out, filepath.Join(out, "results.json")} {
		img := filepath.Join(out, "miss.svg")
		code, _, stderr := emu(t, "", "plot", "metric", in, "--x", "l2.size", "--y", "levels.l1d.miss_rate", "-o", img)
		if st, err := os.Stat(img); code != 0 || err != nil || st.Size() == 0 {
			t.Errorf("%s: exit %d, %s, %v", in, code, stderr, err)
		}
	}
}

func TestPlotBadInput(t *testing.T) {
	dir := t.TempDir()
	plotData, _ := filepath.Abs(plotData)
	plotData += "/"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"metric", plotData + "results.csv", "--x", "l2.size", "--y", "cycles"}, "emu: -o: name the image to write"},
		{[]string{"metric", plotData + "results.csv", "--x", "l2.size", "--y", "cycles", "-o", "x.pdf"}, "emu: x.pdf: write a .png or a .svg file\n"},
		{[]string{"metric", plotData + "results.csv", "--x", "l2.sise", "--y", "cycles", "-o", "x.png"}, "did you mean l2.size?"},
		{[]string{"metric", plotData + "results.csv", "--y", "cycles", "-o", "x.png"}, "emu: --x and --y"},
		{[]string{"cpi", plotData + "dram.json", "-o", "x.png"}, "no cpi_stack or breakdown"},
		{[]string{"latency", plotData + "interval-v1.csv", "-o", "x.png"}, `interval-v1.csv:1: "instructions,cycles,ipc,l1d.miss_rate" is not a number`},
		{[]string{"series", plotData + "interval.csv", "--dpi", "5", "-o", "x.png"}, "--dpi 5: give 10 to 1200"},
		{[]string{"series", plotData + "interval.csv", "-o", plotData + "interval.csv"}, "write a .png or a .svg file"},
		{[]string{"series", plotData + "interval.csv", "--width", "0", "-o", "x.png"}, "--width 0"},
	} {
		code, _, stderr := emu(t, dir, append([]string{"plot"}, tc.args...)...)
		if code != 2 || !strings.Contains(stderr, tc.want) || !strings.HasPrefix(stderr, "emu: ") {
			t.Errorf("%v: exit %d, %q, want %q", tc.args, code, stderr, tc.want)
		}
	}
}
