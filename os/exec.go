package os

import (
	"bytes"
	"debug/elf"

	"github.com/vmemu/vmemu/sim"
)

// Layout declares a program's areas when its file is not an ELF: the file
// holds Text bytes of code, padded to a whole page, then Data bytes of
// initialised data; BSS bytes of zeros follow in memory. Text goes at
// TextStart.
type Layout struct {
	TextStart       uint64
	Text, Data, BSS uint64
}

// stackSize is the stack area a new program gets (Linux's default limit).
const stackSize = 8 << 20

// Execve is execve(path): p's areas are dropped; the program's text is
// mapped read-only and executable from its file, its data private and
// writable from its file, bss, heap and stack anonymous (demand-zero). The
// program is the PT_LOAD segments of an ELF64 file, or layout when it is
// not an ELF (layout nil: ENOEXEC).
func (k *Kernel) Execve(now sim.Cycle, p *Process, path string, layout *Layout) (uint64, Errno, sim.Cycle) {
	return k.syscall(now, func() (uint64, Errno) {
		f := k.files[path]
		if f == nil {
			return 0, ENOENT
		}
		areas, errno := k.programAreas(f, layout)
		if errno == OK {
			errno = k.areasFit(areas)
		}
		if errno != OK {
			return 0, errno
		}
		for _, v := range append([]*VMA(nil), p.MM.VMAs...) {
			k.unmapRange(p, v.Start, v.End)
		}
		top := uint64(0)
		for _, v := range areas {
			p.MM.insert(v)
			top = max(top, v.End)
		}
		p.MM.BrkStart, p.MM.Brk = top, top
		stackTop := k.mmapTop() + (k.mmapTop() / 3)
		stackTop &^= k.pageSize() - 1
		p.MM.insert(&VMA{Start: stackTop - min(stackSize, stackTop/8), End: stackTop, Prot: ProtRead | ProtWrite, Name: "[stack]"})
		return 0, OK
	})
}

// programAreas reads the program's layout: its ELF program headers, or the
// declared layout.
func (k *Kernel) programAreas(f *File, layout *Layout) ([]*VMA, Errno) {
	// Reading the headers brings the first page into the page cache, with
	// its disk time.
	if f.Size() > 0 {
		if _, _, err := k.cachedPage(f, 0); err != nil {
			return nil, ENOMEM
		}
	}
	data, err := f.disk.Contents()
	if err != nil {
		return nil, ENOEXEC
	}
	if ef, err := elf.NewFile(bytes.NewReader(data)); err == nil {
		return k.elfAreas(f, ef)
	}
	if layout == nil {
		return nil, ENOEXEC
	}
	return k.declaredAreas(f, *layout)
}

func (k *Kernel) elfAreas(f *File, ef *elf.File) ([]*VMA, Errno) {
	if ef.Class != elf.ELFCLASS64 {
		return nil, ENOEXEC
	}
	mask := k.pageSize() - 1
	var out []*VMA
	for _, ph := range ef.Progs {
		if ph.Type != elf.PT_LOAD || ph.Memsz == 0 {
			continue
		}
		if ph.Vaddr&mask != ph.Off&mask || ph.Filesz > ph.Memsz || ph.Filesz > f.Size() || ph.Off > f.Size()-ph.Filesz {
			return nil, ENOEXEC
		}
		prot := 0
		if ph.Flags&elf.PF_R != 0 {
			prot |= ProtRead
		}
		if ph.Flags&elf.PF_W != 0 {
			prot |= ProtWrite
		}
		if ph.Flags&elf.PF_X != 0 {
			prot |= ProtExec
		}
		start := ph.Vaddr &^ mask
		fileEnd := k.roundUp(ph.Vaddr + ph.Filesz)
		if ph.Filesz > 0 {
			out = append(out, &VMA{Start: start, End: fileEnd, Prot: prot, File: f, Offset: ph.Off &^ mask, Name: f.Name})
		} else {
			fileEnd = start
		}
		if end := k.roundUp(ph.Vaddr + ph.Memsz); end > fileEnd {
			out = append(out, &VMA{Start: fileEnd, End: end, Prot: prot, Name: "[bss]"})
		}
	}
	if len(out) == 0 {
		return nil, ENOEXEC
	}
	return out, OK
}

func (k *Kernel) declaredAreas(f *File, l Layout) ([]*VMA, Errno) {
	textPages := k.roundUp(l.Text)
	if l.Text == 0 || !k.pageAligned(l.TextStart) || l.TextStart == 0 || l.Text > f.Size() ||
		(l.Data > 0 && (textPages > f.Size() || l.Data > f.Size()-textPages)) {
		return nil, EINVAL
	}
	text := &VMA{Start: l.TextStart, End: l.TextStart + k.roundUp(l.Text), Prot: ProtRead | ProtExec, File: f, Name: f.Name}
	out := []*VMA{text}
	end := text.End
	if l.Data > 0 {
		data := &VMA{Start: end, End: end + k.roundUp(l.Data), Prot: ProtRead | ProtWrite, File: f, Offset: k.roundUp(l.Text), Name: f.Name}
		out = append(out, data)
		end = data.End
	}
	if l.BSS > 0 {
		out = append(out, &VMA{Start: end, End: end + k.roundUp(l.BSS), Prot: ProtRead | ProtWrite, Name: "[bss]"})
	}
	return out, OK
}

// areasFit checks a new program's areas as load_elf_binary does: an area
// that wraps around 2^64 or passes TASK_SIZE is EINVAL ("set_brk can never
// work"), one below mmap_min_addr EPERM (the mmap of elf_map). Linux, past
// its point of no return by then, kills the process; here the call fails
// and the old program stays.
func (k *Kernel) areasFit(areas []*VMA) Errno {
	for _, v := range areas {
		switch {
		case v.End <= v.Start || !k.inUserHalf(v.Start, v.End-v.Start):
			return EINVAL
		case v.Start < k.mmapMinAddr():
			return EPERM
		}
	}
	return OK
}
