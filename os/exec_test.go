package os

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// elf64 builds a little ELF64 executable: a text segment (r-x) of 2 pages
// at 0x400000 and a data segment (rw-) at 0x602000 with 100 bytes in the
// file and 3 pages in memory (the rest bss). Every 8-byte word of the file
// holds its offset, so loads can be checked.
func elf64() []byte {
	const textOff, dataOff = 0x1000, 0x3000
	file := make([]byte, dataOff+100)
	for o := 0; o+8 <= len(file); o += 8 {
		binary.LittleEndian.PutUint64(file[o:], uint64(o))
	}
	le := binary.LittleEndian
	h := file[:64]
	copy(h, "\x7fELF")
	h[4], h[5], h[6] = 2, 1, 1 // ELFCLASS64, little-endian, version 1
	le.PutUint16(h[16:], 2)    // ET_EXEC
	le.PutUint16(h[18:], 62)   // EM_X86_64
	le.PutUint32(h[20:], 1)
	le.PutUint64(h[24:], 0x400000) // entry
	le.PutUint64(h[32:], 64)       // program headers follow the header
	le.PutUint64(h[40:], 0)        // no section headers
	le.PutUint16(h[52:], 64)       // header size
	le.PutUint16(h[54:], 56)       // program header size
	le.PutUint16(h[56:], 2)        // two of them
	le.PutUint16(h[58:], 64)
	ph := func(i int, flags uint32, off, vaddr, filesz, memsz uint64) {
		p := file[64+56*i : 64+56*(i+1)]
		clear(p)
		le.PutUint32(p[0:], 1) // PT_LOAD
		le.PutUint32(p[4:], flags)
		le.PutUint64(p[8:], off)
		le.PutUint64(p[16:], vaddr)
		le.PutUint64(p[24:], vaddr)
		le.PutUint64(p[32:], filesz)
		le.PutUint64(p[40:], memsz)
		le.PutUint64(p[48:], 0x1000)
	}
	ph(0, 5, textOff, 0x400000+textOff, 0x2000, 0x2000) // r-x
	ph(1, 6, dataOff, 0x602000+dataOff&0xfff, 100, 3*4096)
	return file
}

func TestExecveELF(t *testing.T) {
	w := newWorld(t, 64<<20, 0)
	if _, err := w.k.PlaceFile("prog", elf64()); err != nil {
		t.Fatal(err)
	}
	p := w.proc()
	w.call(w.k.Execve(w.now, p, "prog", nil))
	var areas []string
	for _, v := range p.MM.VMAs {
		areas = append(areas, v.String())
	}
	want := []string{
		"401000-403000 r-xp 1000 prog",
		"602000-603000 rw-p 3000 prog",
		"603000-605000 rw-p 0 [bss]",
	}
	if diff := cmp.Diff(want, areas[:3]); diff != "" {
		t.Errorf("areas (-want +got):\n%s", diff)
	}
	if got := areas[3]; got[len(got)-7:] != "[stack]" {
		t.Errorf("last area %q, want the stack", got)
	}
	if got := w.mustLoad(p, 0x401008); got != 0x1008 {
		t.Errorf("text word reads %#x, want the file's 0x1008", got)
	}
	if got := w.mustLoad(p, 0x602010); got != 0x3010 {
		t.Errorf("data word reads %#x, want the file's 0x3010", got)
	}
	if w.store(p, 0x401000, 1) || w.segv != 1 {
		t.Errorf("a write to text was not a SIGSEGV")
	}
	w.store(p, 0x602010, 0x77)
	if got := w.mustLoad(p, 0x604000); got != 0 {
		t.Errorf("bss reads %#x, want 0", got)
	}
	if data, _ := w.k.FileContents("prog"); binary.LittleEndian.Uint64(data[0x3010:]) != 0x3010 {
		t.Error("a write to private data reached the file")
	}
	if _, errno, _ := w.k.Execve(w.now, p, "nothing", nil); errno != ENOENT {
		t.Errorf("execve of a missing file: %v, want ENOENT", errno)
	}
	if _, err := w.k.PlaceFile("text.txt", []byte("not a program")); err != nil {
		t.Fatal(err)
	}
	if _, errno, _ := w.k.Execve(w.now, p, "text.txt", nil); errno != ENOEXEC {
		t.Errorf("execve of a text file: %v, want ENOEXEC", errno)
	}
}
