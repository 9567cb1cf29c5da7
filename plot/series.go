package plot

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// SeriesChart draws columns of an --interval CSV (instructions, cycles,
// then metrics) against the x column: by default every metric against
// instructions.
func SeriesChart(path, x string, ys []string) (Lines, error) {
	head, rows, err := readCSV(path)
	if err != nil {
		return Lines{}, err
	}
	if x == "" {
		x = "instructions"
	}
	if len(ys) == 0 {
		ys = defaultSeries(head, x)
	}
	r := &Results{Path: path, Header: head}
	xi, err := r.column("--x", x)
	if err != nil {
		return Lines{}, err
	}
	l := Lines{Title: filepath.Base(path), XLabel: x, YLabel: strings.Join(ys, ", ")}
	for _, y := range ys {
		yi, err := r.column("--y", y)
		if err != nil {
			return Lines{}, err
		}
		s, err := column(path, rows, xi, yi, head)
		if err != nil {
			return Lines{}, err
		}
		l.Series = append(l.Series, s)
	}
	return l, nil
}

// defaultSeries is every column but x and the running totals.
func defaultSeries(head []string, x string) []string {
	var out []string
	for _, h := range head {
		if h != x && h != "instructions" && h != "cycles" {
			out = append(out, h)
		}
	}
	if len(out) == 0 && x != "cycles" {
		out = []string{"cycles"}
	}
	return out
}

func column(path string, rows [][]string, xi, yi int, head []string) (Series, error) {
	s := Series{Label: head[yi]}
	for n, row := range rows {
		xv, err1 := strconv.ParseFloat(strings.TrimSpace(row[xi]), 64)
		yv, err2 := strconv.ParseFloat(strings.TrimSpace(row[yi]), 64)
		if err1 != nil || err2 != nil {
			bad := xi
			if err1 == nil {
				bad = yi
			}
			return s, fmt.Errorf("%s:%d: %s: %q is not a number", path, n+2, head[bad], row[bad])
		}
		for _, c := range []struct {
			i int
			v float64
		}{{xi, xv}, {yi, yv}} {
			if msg := checkValue(c.v); msg != "" {
				return s, fmt.Errorf("%s:%d: %s: %q %s", path, n+2, head[c.i], row[c.i], msg)
			}
		}
		s.X, s.Y = append(s.X, xv), append(s.Y, yv)
	}
	return s, nil
}

func readCSV(path string) ([]string, [][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.Comment = '#'
	rows, err := cr.ReadAll()
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, nil, fmt.Errorf("%s:%d: %v", path, pe.Line, pe.Err)
	}
	if err != nil {
		return nil, nil, err
	}
	if len(rows) < 2 {
		return nil, nil, fmt.Errorf("%s: no rows under the header", path)
	}
	return rows[0], rows[1:], nil
}
