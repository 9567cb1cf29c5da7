package annotate

import (
	"cmp"
	"debug/dwarf"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"sort"
)

// Binary is what a program's ELF file says of its code: its functions
// (the symbol table), its line table (DWARF), where its code is and
// whether it is position-independent. Addresses are the file's own; a PIE
// ran at them plus its load base.
type Binary struct {
	Path  string
	PIE   bool   // ET_DYN: loaded at a base chosen when it ran
	Entry uint64 // the entry point
	funcs []function
	rows  []lineRow
	text  []span // the executable sections
}

type function struct {
	name   string
	lo, hi uint64
}

// lineRow is one row of the line table: the code from addr on (to the next
// row) is of file's line; end marks the end of a sequence.
type lineRow struct {
	addr uint64
	file string
	line int
	end  bool
}

type span struct{ lo, hi uint64 }

// ReadBinary reads path's symbols and line table.
func ReadBinary(path string) (*Binary, error) {
	f, err := elf.Open(path)
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe):
		return nil, fmt.Errorf("--binary %s: %w", path, err)
	case err != nil:
		return nil, fmt.Errorf("--binary %s: not an ELF program (%v)", path, err)
	}
	defer f.Close()
	b := &Binary{Path: path, PIE: f.Type == elf.ET_DYN, Entry: f.Entry}
	for _, s := range f.Sections {
		if s.Flags&elf.SHF_EXECINSTR != 0 && s.Size > 0 {
			b.text = append(b.text, span{s.Addr, s.Addr + s.Size})
		}
	}
	if err := b.readSymbols(f); err != nil {
		return nil, fmt.Errorf("--binary %s: %w", path, err)
	}
	if err := b.readLines(f); err != nil {
		return nil, fmt.Errorf("--binary %s: %w", path, err)
	}
	return b, nil
}

// readSymbols reads the functions of the symbol table, in address order.
func (b *Binary) readSymbols(f *elf.File) error {
	syms, err := f.Symbols()
	if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
		return err
	}
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Value != 0 && s.Size > 0 {
			b.funcs = append(b.funcs, function{s.Name, s.Value, s.Value + s.Size})
		}
	}
	if len(b.funcs) == 0 {
		return errors.New("no function symbols (a stripped program?): build it with -g and do not strip it")
	}
	slices.SortFunc(b.funcs, func(x, y function) int { return cmp.Or(cmp.Compare(x.lo, y.lo), cmp.Compare(x.name, y.name)) })
	return nil
}

// readLines reads the line table of every compilation unit, in address
// order. A program without DWARF has functions but no lines.
func (b *Binary) readLines(f *elf.File) error {
	d, err := f.DWARF()
	if err != nil {
		return nil // no debug information: functions only
	}
	r := d.Reader()
	for {
		cu, err := r.Next()
		if err != nil {
			return err
		}
		if cu == nil {
			break
		}
		if cu.Tag != dwarf.TagCompileUnit {
			r.SkipChildren()
			continue
		}
		lr, err := d.LineReader(cu)
		if err != nil {
			return err
		}
		if lr != nil {
			if err := b.readUnitLines(lr); err != nil {
				return err
			}
		}
		r.SkipChildren()
	}
	// Sequences ends sort before rows at the same address, which start
	// the next sequence.
	slices.SortStableFunc(b.rows, func(x, y lineRow) int {
		return cmp.Or(cmp.Compare(x.addr, y.addr), -cmp.Compare(b2i(x.end), b2i(y.end)))
	})
	return nil
}

func (b *Binary) readUnitLines(lr *dwarf.LineReader) error {
	var e dwarf.LineEntry
	for {
		if err := lr.Next(&e); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		name := ""
		if e.File != nil {
			name = e.File.Name
		}
		b.rows = append(b.rows, lineRow{addr: e.Address, file: name, line: e.Line, end: e.EndSequence})
	}
}

func b2i(v bool) int {
	if v {
		return 1
	}
	return 0
}

// Function returns the function holding addr (a file address).
func (b *Binary) Function(addr uint64) (function, bool) {
	i := sort.Search(len(b.funcs), func(i int) bool { return b.funcs[i].lo > addr }) - 1
	// Symbols may overlap (a function inside another's range): the
	// nearest start below addr whose range holds it.
	for k := i; k >= 0 && k > i-8; k-- {
		if f := b.funcs[k]; addr < f.hi {
			return f, true
		}
	}
	return function{}, false
}

// Line returns the source file and line of addr (a file address): the row
// at or before it, unless a sequence ended between them.
func (b *Binary) Line(addr uint64) (file string, line int, ok bool) {
	i := sort.Search(len(b.rows), func(i int) bool { return b.rows[i].addr > addr }) - 1
	if i < 0 || b.rows[i].end {
		return "", 0, false
	}
	return b.rows[i].file, b.rows[i].line, true
}

// inText reports whether addr (a file address) is in an executable
// section.
func (b *Binary) inText(addr uint64) bool {
	for _, s := range b.text {
		if addr >= s.lo && addr < s.hi {
			return true
		}
	}
	return false
}

// linesOf returns the rows of the line table within f, in file order of
// lines: the source lines f's code comes from.
func (b *Binary) linesOf(f function) []lineRow {
	lo := sort.Search(len(b.rows), func(i int) bool { return b.rows[i].addr >= f.lo })
	var out []lineRow
	for _, r := range b.rows[lo:] {
		if r.addr >= f.hi {
			break
		}
		if !r.end && r.line > 0 {
			out = append(out, r)
		}
	}
	return out
}
