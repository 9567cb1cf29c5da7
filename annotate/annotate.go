package annotate

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Unknown names what is not the program's: code outside it (the dynamic
// loader, shared libraries) and events no instruction is behind (IP 0),
// as cg_annotate names what it cannot place.
const Unknown = "???"

// Entry is the counts of one function, or of one source line of one
// function.
type Entry struct {
	File     string
	Line     int // a function's: the line of its first instruction
	Function string
	Counts   []uint64 // by Annotation.Events
}

// Annotation is a run's events charged to the functions and source lines
// of a program.
type Annotation struct {
	// Events are the events' names: instructions, cycles (the CPI stack's
	// sum), then the others in the table's order.
	Events    []string
	Totals    []uint64
	Functions []Entry // most of the sort event first
	Lines     []Entry
	Sort      int // the index in Events sorted by
	Binary    *Binary
	Base      uint64

	spans map[funcKey]function // each function entry's code, for its source
}

// funcKey tells functions apart: two static functions of one name in two
// files are two.
type funcKey struct{ name, file string }

// cpiPrefix starts the names of the CPI stack's events; cycles is their sum.
const cpiPrefix = "cpi_stack."

// New charges the table's counts to the functions and lines of b, loaded
// at base, sorted by cycles.
func New(t *Table, b *Binary, base uint64) *Annotation {
	names := t.Events()
	a := &Annotation{Binary: b, Base: base, spans: map[funcKey]function{}}
	a.Events = append([]string{names[0], "cycles"}, names[1:]...)
	funcs, lines := map[funcKey]*Entry{}, map[lineKey]*Entry{}
	for _, ip := range t.IPs() {
		counts := a.withCycles(names, t.Row(ip))
		fe, le := a.place(ip)
		add(funcs, funcKey{fe.Function, fe.File}, fe, counts)
		add(lines, lineKey{le.File, le.Line, le.Function}, le, counts)
	}
	a.Totals = a.withCycles(names, t.Totals())
	a.Functions, a.Lines = values(funcs), values(lines)
	a.SortBy("cycles")
	return a
}

type lineKey struct {
	file string
	line int
	fn   string
}

// withCycles puts the sum of the CPI stack's events after instructions.
func (a *Annotation) withCycles(names []string, row []uint64) []uint64 {
	var cycles uint64
	for i, n := range row {
		if strings.HasPrefix(names[i], cpiPrefix) {
			cycles += n
		}
	}
	return append([]uint64{row[0], cycles}, row[1:]...)
}

// place returns the function and line entries (without counts) of the
// instruction at ip.
func (a *Annotation) place(ip uint64) (fn, line Entry) {
	unknown := Entry{File: Unknown, Function: Unknown}
	if ip == 0 {
		return unknown, unknown
	}
	addr := ip - a.Base
	f, ok := a.Binary.Function(addr)
	if !ok {
		return unknown, unknown
	}
	fn, line = Entry{File: Unknown, Function: f.name}, Entry{File: Unknown, Function: f.name}
	if file, n, ok := a.Binary.Line(f.lo); ok {
		fn.File, fn.Line = file, n
	}
	a.spans[funcKey{fn.Function, fn.File}] = f
	if file, n, ok := a.Binary.Line(addr); ok {
		line.File, line.Line = file, n
	}
	return fn, line
}

func add[K comparable](m map[K]*Entry, k K, e Entry, counts []uint64) {
	if have := m[k]; have != nil {
		for i, n := range counts {
			have.Counts[i] += n
		}
		return
	}
	e.Counts = slices.Clone(counts)
	m[k] = &e
}

func values[K comparable](m map[K]*Entry) []Entry {
	out := make([]Entry, 0, len(m))
	for _, e := range m {
		out = append(out, *e)
	}
	return out
}

// SortBy sorts the functions and lines by the named event, most first
// (then by file, line and function).
func (a *Annotation) SortBy(event string) error {
	i := slices.Index(a.Events, event)
	if i < 0 {
		return fmt.Errorf("--sort %s: no such event (%s)", event, strings.Join(a.Events, ", "))
	}
	a.Sort = i
	order := func(x, y Entry) int {
		return cmp.Or(-cmp.Compare(x.Counts[i], y.Counts[i]), cmp.Compare(x.File, y.File),
			cmp.Compare(x.Line, y.Line), cmp.Compare(x.Function, y.Function))
	}
	slices.SortFunc(a.Functions, order)
	slices.SortFunc(a.Lines, order)
	return nil
}

// Event returns the total of the named event, and whether there is one.
func (a *Annotation) Event(name string) (uint64, bool) {
	if i := slices.Index(a.Events, name); i >= 0 {
		return a.Totals[i], true
	}
	return 0, false
}
