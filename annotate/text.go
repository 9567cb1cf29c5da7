package annotate

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vmemu/vmemu/machine/report"
)

// TextOptions say what the text shows.
type TextOptions struct {
	// Show are the events shown, by name (nil: instructions, cycles and
	// every event with a total above zero).
	Show []string
	// Sources is how many of the hottest functions have their source
	// shown (those with 1% of the sort event or more).
	Sources int
}

// Shown resolves the events to show: the names given, each an event, or
// the default.
func (a *Annotation) Shown(names []string) ([]int, error) {
	var out []int
	if len(names) == 0 {
		for i, n := range a.Totals {
			if i < 2 || n > 0 {
				out = append(out, i)
			}
		}
		return out, nil
	}
	for _, name := range names {
		i := slices.Index(a.Events, name)
		if i < 0 {
			return nil, fmt.Errorf("--show %s: no such event (%s)", name, strings.Join(a.Events, ", "))
		}
		out = append(out, i)
	}
	return out, nil
}

// WriteText writes the annotation as cg_annotate does: the totals, the
// functions by the sort event with every shown event's count, then the
// source of the hottest functions with each line's counts beside it.
func (a *Annotation) WriteText(w io.Writer, opt TextOptions) error {
	cols, err := a.Shown(opt.Show)
	if err != nil {
		return err
	}
	t := &table{w: bufio.NewWriter(w), a: a, cols: cols}
	t.widths()
	t.f("events shown: %s; sorted by %s\n", strings.Join(t.names(), " "), a.Events[a.Sort])
	t.f("\n-- totals (those of the run's report)\n")
	t.header("")
	t.row(a.Totals, "")
	t.f("\n-- functions (those with 0.1%% or more of an event shown)\n")
	t.header("function (file:line)")
	for _, e := range a.Functions {
		if t.notable(e.Counts, 1000) {
			t.row(e.Counts, e.Function+place(e))
		}
	}
	shown := 0
	for _, e := range a.Functions {
		if shown == opt.Sources {
			break
		}
		if f, ok := a.spans[funcKey{e.Function, e.File}]; ok && a.hot(e) {
			t.source(e, f)
			shown++
		}
	}
	return t.flush()
}

// hot reports a function of the program with 1% of the sort event or more.
func (a *Annotation) hot(e Entry) bool {
	n, total := e.Counts[a.Sort], a.Totals[a.Sort]
	return e.Function != Unknown && n > 0 && n*100 >= total
}

func place(e Entry) string {
	if e.File == Unknown {
		return ""
	}
	return fmt.Sprintf(" (%s:%d)", e.File, e.Line)
}

// table writes columns of counts.
type table struct {
	w    *bufio.Writer
	a    *Annotation
	cols []int
	wide []int
	err  error
}

func (t *table) f(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

func (t *table) flush() error {
	if t.err != nil {
		return t.err
	}
	return t.w.Flush()
}

func (t *table) names() []string {
	var out []string
	for _, c := range t.cols {
		out = append(out, t.a.Events[c])
	}
	return out
}

// widths fits each column to its name and its total.
func (t *table) widths() {
	for _, c := range t.cols {
		t.wide = append(t.wide, max(len(t.a.Events[c]), len(report.Group(t.a.Totals[c]))))
	}
}

func (t *table) header(last string) {
	cells := make([]string, len(t.cols))
	for i, c := range t.cols {
		cells[i] = t.a.Events[c]
	}
	t.line(cells, last)
}

// row writes counts, "." for none, as cg_annotate does.
func (t *table) row(counts []uint64, last string) {
	cells := make([]string, len(t.cols))
	for i, c := range t.cols {
		cells[i] = "."
		if counts != nil && counts[c] > 0 {
			cells[i] = report.Group(counts[c])
		}
	}
	t.line(cells, last)
}

// line writes cells right-aligned in their columns, then last.
func (t *table) line(cells []string, last string) {
	var b strings.Builder
	for i, s := range cells {
		fmt.Fprintf(&b, "%*s  ", t.wide[i], s)
	}
	b.WriteString(last)
	t.f("%s\n", strings.TrimRight(b.String(), " \t\r"))
}

// notable reports counts with 1/per of some shown event's total or more.
func (t *table) notable(counts []uint64, per uint64) bool {
	for _, c := range t.cols {
		if n := counts[c]; n > 0 && n*per >= t.a.Totals[c] {
			return true
		}
	}
	return false
}

// source writes the source lines of function e (code f) with their
// counts: the lines of its file from the first to the last its code comes
// from, then lines of other files (inlined code) that have counts.
func (t *table) source(e Entry, f function) {
	byLine := map[lineKey][]uint64{}
	for _, l := range t.a.Lines {
		if l.Function == e.Function {
			byLine[lineKey{l.File, l.Line, ""}] = l.Counts
		}
	}
	lo, hi := 0, 0
	for _, r := range t.a.Binary.linesOf(f) {
		if r.file == e.File {
			if lo == 0 || r.line < lo {
				lo = r.line
			}
			hi = max(hi, r.line)
		}
	}
	text, err := readSource(e.File, t.a.Binary.Path)
	t.f("\n-- source of %s (%s)", e.Function, e.File)
	if err != nil {
		t.f(": %v", err)
	}
	t.f("\n")
	t.header("line")
	for n := lo; n > 0 && n <= hi; n++ {
		src := ""
		if n <= len(text) {
			src = text[n-1]
		}
		t.row(byLine[lineKey{e.File, n, ""}], fmt.Sprintf("%4d  %s", n, src))
		delete(byLine, lineKey{e.File, n, ""})
	}
	var rest []lineKey
	for k, counts := range byLine {
		if t.notable(counts, 1000) {
			rest = append(rest, k)
		}
	}
	slices.SortFunc(rest, func(x, y lineKey) int { return cmp.Or(strings.Compare(x.file, y.file), cmp.Compare(x.line, y.line)) })
	for _, k := range rest {
		t.row(byLine[k], fmt.Sprintf("%s:%d", k.file, k.line))
	}
}

// readSource reads a source file named by the line table: as named, or,
// when that is not there (a program built elsewhere), the file of that
// name beside the program.
func readSource(name, binary string) ([]string, error) {
	if name == Unknown {
		return nil, fmt.Errorf("no line table (build with -g)")
	}
	data, err := os.ReadFile(name)
	if err != nil {
		data, err = os.ReadFile(filepath.Join(filepath.Dir(binary), filepath.Base(name)))
	}
	if err != nil {
		return nil, fmt.Errorf("source not found (%s, or beside %s)", name, binary)
	}
	return strings.Split(strings.ReplaceAll(string(data), "\t", "    "), "\n"), nil
}
