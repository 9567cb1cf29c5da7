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
		{"cores", plotData + "report-cores.json"},
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
		{[]string{"cores", plotData + "report-cpi.json", "-o", "x.png"}, "report-cpi.json: no cores (a report of emu run --set cores=N --json has them"},
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

// Hostile sizes and values: clear errors with exit status 2, never a
// panic, a chart of nonsense, or minutes and gigabytes of PNG.
func TestPlotHostileInput(t *testing.T) {
	dir := t.TempDir()
	writeTemp(t, dir, "ok.txt", []byte("10\n20\n30\n"))
	writeTemp(t, dir, "nan.txt", []byte("10\nNaN\n30\n"))
	writeTemp(t, dir, "inf.txt", []byte("10\n20\n+Inf\n"))
	writeTemp(t, dir, "neginf.txt", []byte("-inf\n"))
	writeTemp(t, dir, "huge.txt", []byte("-1e308\n1e308\n"))
	writeTemp(t, dir, "interval.csv", []byte("instructions,cycles,ipc\n100,80,1.25\n200,170,NaN\n"))
	writeTemp(t, dir, "results.csv", []byte("id,status,l2.size,trace,seed,cycles,error\na,ok,256KiB,t,1,900,\nb,ok,512KiB,t,1,Inf,\n"))
	writeTemp(t, dir, "cpi.json", []byte(`{"instructions": 10, "cpi_stack": [{"name": "base", "cycles": 1e305}]}`))
	size := "give centimetres from 1 to 120"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"latency", "ok.txt", "--width", "NaN", "-o", "x.png"}, "--width NaN --height 10: " + size},
		{[]string{"latency", "ok.txt", "--height", "nan", "-o", "x.svg"}, "--height NaN: " + size},
		{[]string{"latency", "ok.txt", "--width", "Inf", "-o", "x.png"}, "--width +Inf --height 10: " + size},
		{[]string{"latency", "ok.txt", "--width", "-Inf", "-o", "x.png"}, "--width -Inf"},
		{[]string{"latency", "ok.txt", "--width", "-3", "-o", "x.png"}, "--width -3"},
		{[]string{"latency", "ok.txt", "--height", "0", "-o", "x.png"}, "--height 0: " + size},
		{[]string{"latency", "ok.txt", "--width", "0.001", "-o", "x.png"}, "--width 0.001"},
		{[]string{"latency", "ok.txt", "--width", "121", "-o", "x.png"}, "--width 121"},
		{[]string{"latency", "ok.txt", "--width", "500", "--height", "500", "-o", "x.png"}, "--width 500 --height 500"},
		{[]string{"latency", "ok.txt", "--width", "1e308", "-o", "x.png"}, "--width 1e+308"},
		{[]string{"latency", "ok.txt", "--bins", "100000000", "-o", "x.png"}, "--bins 100000000: give 1 to 1000"},
		{[]string{"latency", "ok.txt", "--bins", "-5", "-o", "x.png"}, "--bins -5"},
		{[]string{"latency", "nan.txt", "-o", "x.png"}, `nan.txt:2: "NaN" is not a finite number`},
		{[]string{"latency", "inf.txt", "-o", "x.png"}, `inf.txt:3: "+Inf" is not a finite number`},
		{[]string{"latency", "neginf.txt", "-o", "x.svg"}, `neginf.txt:1: "-inf" is not a finite number`},
		{[]string{"latency", "huge.txt", "-o", "x.png"}, `huge.txt:1: "-1e308" is too large to draw`},
		{[]string{"series", "interval.csv", "-o", "x.png"}, `interval.csv:3: ipc: "NaN" is not a finite number`},
		{[]string{"metric", "results.csv", "--x", "l2.size", "--y", "cycles", "-o", "x.png"}, `results.csv: cycles = "Inf" is not a finite number`},
		{[]string{"cpi", "cpi.json", "-o", "x.png"}, "cpi.json: element 0 of the CPI stack: cycles 1e+305 is too large to draw"},
	} {
		code, _, stderr := emu(t, dir, append([]string{"plot"}, tc.args...)...)
		if code != 2 || !strings.Contains(stderr, tc.want) || !strings.HasPrefix(stderr, "emu: ") {
			t.Errorf("%v: exit %d, %q, want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "x.*")); len(m) > 0 {
		t.Errorf("wrote %v", m)
	}
}
