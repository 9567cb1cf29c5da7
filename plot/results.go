package plot

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/vmemu/vmemu/sweep"
	gplot "gonum.org/v1/plot"
)

// Results is a table of collected sweep results: the CSV of emu sweep
// collect, read as strings.
type Results struct {
	Path   string
	Header []string
	Rows   [][]string
	Params []string // the swept keys: the columns between status and trace
}

// ReadResults reads a sweep's results: its results.csv or results.json, or
// the result folder that holds them.
func ReadResults(path string) (*Results, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, sweep.CSVFile)
	}
	var r *Results
	var err error
	if strings.EqualFold(filepath.Ext(path), ".json") {
		r, err = readResultsJSON(path)
	} else {
		r, err = readResultsCSV(path)
	}
	if err != nil {
		return nil, err
	}
	return r, r.findParams()
}

func readResultsCSV(path string) (*Results, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s:%d: %v", path, pe.Line, pe.Err)
		}
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: empty", path)
	}
	return &Results{Path: path, Header: rows[0], Rows: rows[1:]}, nil
}

func readResultsJSON(path string) (*Results, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c struct {
		Schema  string            `json:"schema"`
		Sweep   sweep.Description `json:"sweep"`
		Results []sweep.Result    `json:"results"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if c.Schema != sweep.ResultsSchema {
		return nil, fmt.Errorf("%s: schema %q, not %s (emu sweep collect writes it)", path, c.Schema, sweep.ResultsSchema)
	}
	t := sweep.Table{Sweep: c.Sweep, Rows: c.Results}
	r := &Results{Path: path, Header: t.Header()}
	for _, row := range c.Results {
		r.Rows = append(r.Rows, t.Record(row))
	}
	return r, nil
}

// findParams finds the swept keys, which collect puts between the status
// and the trace columns.
func (r *Results) findParams() error {
	st, tr := slices.Index(r.Header, "status"), slices.Index(r.Header, "trace")
	if st < 0 || tr < st {
		return fmt.Errorf("%s:1: not a table of emu sweep collect (no status and trace columns)", r.Path)
	}
	r.Params = r.Header[st+1 : tr]
	return nil
}

// column finds a column by name, or says which one was meant.
func (r *Results) column(flag, name string) (int, error) {
	if i := slices.Index(r.Header, name); i >= 0 {
		return i, nil
	}
	msg := fmt.Sprintf("%s %s: %s has no such column", flag, name, r.Path)
	if near := sweep.Nearest(name, r.Header); near != "" {
		return 0, fmt.Errorf("%s; did you mean %s?", msg, near)
	}
	return 0, fmt.Errorf("%s (it has %s)", msg, strings.Join(r.Header, ", "))
}

// MetricChart draws metric y against parameter x, one line per trace and
// per combination of the other values that vary (seeds included). logX
// is "auto" (a log axis when x is a size), "on" or "off".
func MetricChart(r *Results, x, y, logX string) (Lines, error) {
	xi, err := r.column("--x", x)
	if err != nil {
		return Lines{}, err
	}
	yi, err := r.column("--y", y)
	if err != nil {
		return Lines{}, err
	}
	rows := r.okRows(yi)
	if len(rows) == 0 {
		return Lines{}, fmt.Errorf("%s: no point has status ok and a value of %s", r.Path, y)
	}
	xs, ticks, sized, err := xValues(rows, xi)
	if err != nil {
		return Lines{}, fmt.Errorf("%s: %v", r.Path, err)
	}
	l := Lines{Title: y + " by " + x, XLabel: x, YLabel: withUnit(y), XTicks: ticks}
	if l.LogX, err = wantLog(logX, sized); err != nil {
		return Lines{}, err
	}
	l.Series, err = r.series(rows, xs, yi, r.groupColumns(rows, xi))
	return l, err
}

func wantLog(flag string, sized bool) (bool, error) {
	switch flag {
	case "auto", "":
		return sized, nil
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, fmt.Errorf("--logx %s: give auto, on or off", flag)
}

func (r *Results) okRows(yi int) [][]string {
	st := slices.Index(r.Header, "status")
	var out [][]string
	for _, row := range r.Rows {
		if row[st] == sweep.OK && row[yi] != "" {
			out = append(out, row)
		}
	}
	return out
}

// xValues reads the x column as numbers (sizes labelled as sizes), or,
// when it holds names, as their positions labelled with the names.
func xValues(rows [][]string, xi int) (xs []float64, ticks []gplot.Tick, sized bool, err error) {
	xs = make([]float64, len(rows))
	numeric := true
	for i, row := range rows {
		v, s, ok := sweep.ParseSize(row[xi])
		ok = ok && checkValue(v) == "" // NaN and Inf are names here
		xs[i], sized, numeric = v, sized || s, numeric && ok
	}
	if numeric {
		if sized {
			ticks = SizeTicks(xs, sweep.FormatSize)
		}
		return xs, ticks, sized, nil
	}
	var names []string
	for i, row := range rows {
		k := slices.Index(names, row[xi])
		if k < 0 {
			k, names = len(names), append(names, row[xi])
		}
		xs[i] = float64(k)
	}
	return xs, NameTicks(names), false, nil
}

// groupColumns are the columns other than x whose values vary: each
// combination of them is a line.
func (r *Results) groupColumns(rows [][]string, xi int) []int {
	var out []int
	for _, name := range append(slices.Clone(r.Params), "trace", "seed") {
		i := slices.Index(r.Header, name)
		if i < 0 || i == xi {
			continue
		}
		for _, row := range rows {
			if row[i] != rows[0][i] {
				out = append(out, i)
				break
			}
		}
	}
	return out
}

func (r *Results) series(rows [][]string, xs []float64, yi int, group []int) ([]Series, error) {
	var out []Series
	index := map[string]int{}
	for k, row := range rows {
		y, _, ok := sweep.ParseSize(row[yi])
		if !ok {
			return nil, fmt.Errorf("%s: %s = %q is not a number", r.Path, r.Header[yi], row[yi])
		}
		if msg := checkValue(y); msg != "" {
			return nil, fmt.Errorf("%s: %s = %q %s", r.Path, r.Header[yi], row[yi], msg)
		}
		label := r.label(row, group)
		i, seen := index[label]
		if !seen {
			i, index[label] = len(out), len(out)
			out = append(out, Series{Label: label})
		}
		out[i].X, out[i].Y = append(out[i].X, xs[k]), append(out[i].Y, y)
	}
	for i := range out {
		sortByX(&out[i])
	}
	return out, nil
}

// label names a line by its trace and the other values that vary.
func (r *Results) label(row []string, group []int) string {
	var parts []string
	for _, i := range group {
		switch r.Header[i] {
		case "trace":
			parts = append(parts, row[i])
		default:
			parts = append(parts, r.Header[i]+"="+row[i])
		}
	}
	return strings.Join(parts, " ")
}

func sortByX(s *Series) {
	idx := make([]int, len(s.X))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return s.X[idx[a]] < s.X[idx[b]] })
	x, y := make([]float64, len(idx)), make([]float64, len(idx))
	for i, j := range idx {
		x[i], y[i] = s.X[j], s.Y[j]
	}
	s.X, s.Y = x, y
}
