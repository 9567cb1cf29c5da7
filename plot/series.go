package plot

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// SeriesChart draws columns of an --interval CSV (running totals of
// instructions and cycles, the interval's own instructions, cycles and
// IPC, then every counter, as a running total and per interval) against
// the x column: by default the IPC of each interval against instructions.
func SeriesChart(path, x string, ys []string) (Lines, error) {
	head, rows, err := readCSV(path)
	if err != nil {
		return Lines{}, err
	}
	if x == "" {
		x = "instructions"
	}
	if len(ys) == 0 {
		if ys = defaultSeries(head); ys == nil {
			return Lines{}, fmt.Errorf("%s: no interval_ipc or ipc column: name the columns to draw with --y", path)
		}
	}
	r := &Results{Path: path, Header: head}
	xi, err := r.column("--x", x)
	if err != nil {
		return Lines{}, err
	}
	l := Lines{Title: filepath.Base(path), XLabel: withUnit(x), YLabel: seriesLabel(ys)}
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

// seriesLabel names the y axis of columns ys: the one column, or for
// several (which the legend names) what they have in common.
func seriesLabel(ys []string) string {
	if len(ys) == 1 {
		return withUnit(ys[0])
	}
	perInterval := true
	for _, y := range ys {
		perInterval = perInterval && strings.HasPrefix(y, "interval_")
	}
	if perInterval {
		return "per interval"
	}
	return "since warmup"
}

// defaultSeries is the IPC of each interval (interval_ipc; ipc in the
// files of emu before it named the per-interval columns so), or nil.
func defaultSeries(head []string) []string {
	for _, name := range []string{"interval_ipc", "ipc"} {
		if slices.Contains(head, name) {
			return []string{name}
		}
	}
	return nil
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
