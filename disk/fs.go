package disk

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"syscall"

	"github.com/vmemu/vmemu/sim"
)

// File-system errors, wrapped with details: test them with errors.Is.
var (
	ErrNoSpace  = errors.New("no space left on device (ENOSPC)")
	ErrExist    = errors.New("file exists (EEXIST)")
	ErrNotExist = errors.New("no such file (ENOENT)")
	ErrRemoved  = errors.New("file was removed")
	ErrBadName  = errors.New("bad file name")
)

// Extent is a run of contiguous device blocks [Start, Start+Blocks).
type Extent struct {
	Start, Blocks uint64
}

// FS is a flat file system over a range of a device's blocks: a name maps to
// a list of extents. Allocation is first fit: a file goes into the first
// free run that holds it whole, so files are contiguous when they can be;
// when no run is large enough it takes free runs in address order and ends
// up fragmented. The metadata (names, extents) lives in host memory, not on
// the device: only file data costs disk time.
type FS struct {
	dev         Device
	first, size uint64 // the blocks the FS owns
	bs          uint64
	free        []Extent // sorted by Start, adjacent runs merged
	files       map[string]*File
}

// File is a file of an FS. It stays valid until the file is removed.
type File struct {
	fs      *FS
	name    string
	size    uint64 // bytes
	extents []Extent
	removed bool
}

// NewFS makes an empty file system on blocks [first, first+blocks) of dev.
func NewFS(dev Device, first, blocks uint64) (*FS, error) {
	if blocks == 0 || first >= dev.Blocks() || blocks > dev.Blocks()-first {
		return nil, fmt.Errorf("disk: file system on blocks %d..%d+%d: %w (device has %d blocks)",
			first, first, blocks, ErrOutOfRange, dev.Blocks())
	}
	return &FS{
		dev: dev, first: first, size: blocks, bs: uint64(dev.BlockSize()),
		free:  []Extent{{first, blocks}},
		files: map[string]*File{},
	}, nil
}

// Device returns the device the file system is on.
func (fs *FS) Device() Device { return fs.dev }

// FreeBlocks is the number of unallocated blocks.
func (fs *FS) FreeBlocks() uint64 {
	var n uint64
	for _, e := range fs.free {
		n += e.Blocks
	}
	return n
}

// Files returns the names of the files, sorted.
func (fs *FS) Files() []string {
	names := make([]string, 0, len(fs.files))
	for n := range fs.files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Create makes a file holding data. It places bytes without taking time
// (a file put on the disk before the run, by the scenario or the command
// line); reads and writes during the run go through ReadAt and WriteAt.
func (fs *FS) Create(name string, data []byte) (*File, error) {
	return fs.CreateFrom(name, uint64(len(data)), bytes.NewReader(data))
}

// CreateFrom is Create for a file of size bytes read from src, a chunk at
// a time, so that a file as large as the disk never sits whole in host
// memory beside the disk's own copy. Space is taken before src is read:
// a file too large for the free blocks is ErrNoSpace at once.
func (fs *FS) CreateFrom(name string, size uint64, src io.Reader) (*File, error) {
	if name == "" {
		return nil, fmt.Errorf("disk: create %q: %w", name, ErrBadName)
	}
	if _, dup := fs.files[name]; dup {
		return nil, fmt.Errorf("disk: create %q: %w", name, ErrExist)
	}
	need := fs.blocksFor(size)
	if size > math.MaxUint64-fs.bs {
		need = math.MaxUint64 // rounding up would wrap: more than any disk
	}
	ext, err := fs.alloc(need, nil)
	if err != nil {
		return nil, fmt.Errorf("disk: create %q (%d bytes): %w", name, size, err)
	}
	chunk := make([]byte, min(need, max(1, createChunk/fs.bs))*fs.bs)
	left := size
	for _, e := range ext {
		for b := uint64(0); b < e.Blocks; {
			n := min(e.Blocks-b, uint64(len(chunk))/fs.bs)
			buf := chunk[:n*fs.bs]
			k := min(left, uint64(len(buf)))
			if got, err := io.ReadFull(src, buf[:k]); err != nil {
				for _, e := range ext {
					fs.release(e)
				}
				return nil, fmt.Errorf("disk: create %q: read %d of its %d bytes: %w", name, size-left+uint64(got), size, err)
			}
			clear(buf[k:]) // the last block padded with zeros
			if err := fs.dev.WriteUntimed(e.Start+b, buf); err != nil {
				return nil, err
			}
			left -= k
			b += n
		}
	}
	f := &File{fs: fs, name: name, size: size, extents: ext}
	fs.files[name] = f
	return f, nil
}

// createChunk is how many bytes CreateFrom reads at a time.
const createChunk = 1 << 20

// CreateFromHost makes a file named name holding the bytes of the host file
// at path, which must be a regular file (not a device or a fifo, which
// could be read without end) that fits the free blocks.
func (fs *FS) CreateFromHost(name, path string) (*File, error) {
	h, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0) // a fifo's open would wait for a writer
	if err != nil {
		return nil, fmt.Errorf("disk: placing host file: %w", err)
	}
	defer h.Close()
	fi, err := h.Stat()
	if err != nil {
		return nil, fmt.Errorf("disk: placing host file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("disk: placing host file %s: not a regular file", path)
	}
	return fs.CreateFrom(name, uint64(fi.Size()), h)
}

// Capacity is the bytes the file system holds, used or free.
func (fs *FS) Capacity() uint64 { return fs.size * fs.bs }

// Open returns the named file.
func (fs *FS) Open(name string) (*File, error) {
	f, ok := fs.files[name]
	if !ok {
		return nil, fmt.Errorf("disk: open %q: %w", name, ErrNotExist)
	}
	return f, nil
}

// Remove deletes the named file and frees its blocks. Its *File becomes
// unusable.
func (fs *FS) Remove(name string) error {
	f, ok := fs.files[name]
	if !ok {
		return fmt.Errorf("disk: remove %q: %w", name, ErrNotExist)
	}
	delete(fs.files, name)
	for _, e := range f.extents {
		fs.release(e)
	}
	f.removed = true
	f.extents = nil
	return nil
}

func (fs *FS) blocksFor(bytes uint64) uint64 { return (bytes + fs.bs - 1) / fs.bs }

// alloc finds n blocks, first fit. With after set, it first tries to extend
// that extent in place (a growing file stays contiguous). The new blocks are
// zeroed: a file never sees the bytes of a removed one.
func (fs *FS) alloc(n uint64, after *Extent) ([]Extent, error) {
	if n == 0 {
		return nil, nil
	}
	if free := fs.FreeBlocks(); free < n {
		return nil, fmt.Errorf("%w: need %d blocks, %d free", ErrNoSpace, n, free)
	}
	var out []Extent
	take := func(i int, k uint64) {
		e := &fs.free[i]
		out = append(out, Extent{e.Start, k})
		e.Start += k
		e.Blocks -= k
	}
	if after != nil {
		end := after.Start + after.Blocks
		for i, e := range fs.free {
			if e.Start == end {
				take(i, min(n, e.Blocks))
				n -= out[0].Blocks
				break
			}
		}
	}
	if n > 0 {
		contiguous := false
		for i, e := range fs.free {
			if e.Blocks >= n {
				take(i, n)
				n, contiguous = 0, true
				break
			}
		}
		for i := 0; !contiguous && n > 0; i++ {
			if k := min(n, fs.free[i].Blocks); k > 0 {
				take(i, k)
				n -= k
			}
		}
	}
	fs.compact()
	for _, e := range out {
		fs.zero(e)
	}
	return mergeExtents(out), nil
}

// release returns e to the free list.
func (fs *FS) release(e Extent) {
	i := sort.Search(len(fs.free), func(i int) bool { return fs.free[i].Start > e.Start })
	fs.free = append(fs.free, Extent{})
	copy(fs.free[i+1:], fs.free[i:])
	fs.free[i] = e
	fs.compact()
}

// compact drops empty free runs and merges adjacent ones.
func (fs *FS) compact() {
	out := fs.free[:0]
	for _, e := range fs.free {
		if e.Blocks == 0 {
			continue
		}
		if k := len(out); k > 0 && out[k-1].Start+out[k-1].Blocks == e.Start {
			out[k-1].Blocks += e.Blocks
			continue
		}
		out = append(out, e)
	}
	fs.free = out
}

func (fs *FS) zero(e Extent) {
	z := make([]byte, fs.bs)
	for b := e.Start; b < e.Start+e.Blocks; b++ {
		_ = fs.dev.WriteUntimed(b, z) // in range: the FS owns these blocks
	}
}

func mergeExtents(ext []Extent) []Extent {
	out := ext[:0]
	for _, e := range ext {
		if k := len(out); k > 0 && out[k-1].Start+out[k-1].Blocks == e.Start {
			out[k-1].Blocks += e.Blocks
			continue
		}
		out = append(out, e)
	}
	return out
}

// Name is the file's name.
func (f *File) Name() string { return f.name }

// Size is the file's length in bytes.
func (f *File) Size() uint64 { return f.size }

// Extents returns the file's layout on the device, in file order.
func (f *File) Extents() []Extent { return append([]Extent(nil), f.extents...) }

// Block returns the device block that holds byte offset of the file: how
// the kernel finds the block behind a file page.
func (f *File) Block(offset uint64) (uint64, error) {
	if f.removed {
		return 0, fmt.Errorf("disk: %q: %w", f.name, ErrRemoved)
	}
	if offset >= f.size {
		return 0, fmt.Errorf("disk: %q: offset %d beyond the end (%d bytes): %w", f.name, offset, f.size, io.EOF)
	}
	return f.block(offset / f.fs.bs), nil
}

// block maps a file block index (in range) to its device block.
func (f *File) block(i uint64) uint64 {
	for _, e := range f.extents {
		if i < e.Blocks {
			return e.Start + i
		}
		i -= e.Blocks
	}
	panic("disk: file block beyond its extents") // callers check the size
}

// runs calls fn for each run of file blocks [from, to) that is contiguous on
// the device, in file order, with its device start, length and the index of
// its first file block.
func (f *File) runs(from, to uint64, fn func(start, blocks, fileBlock uint64)) {
	var base uint64 // file block index of the extent's first block
	for _, e := range f.extents {
		lo, hi := max(from, base), min(to, base+e.Blocks)
		if lo < hi {
			fn(e.Start+(lo-base), hi-lo, lo)
		}
		base += e.Blocks
		if base >= to {
			return
		}
	}
}

// ReadAt reads len(buf) bytes at offset off through the device, like
// io.ReaderAt: it returns the bytes read (fewer than len(buf) only at the end
// of the file, with io.EOF) and when they are in memory. The blocks are
// requested at now, one device request per contiguous run, queued in file
// order.
func (f *File) ReadAt(now sim.Cycle, buf []byte, off uint64) (n int, done sim.Cycle, err error) {
	if f.removed {
		return 0, now, fmt.Errorf("disk: read %q: %w", f.name, ErrRemoved)
	}
	if off >= f.size {
		if len(buf) == 0 {
			return 0, now, nil
		}
		return 0, now, io.EOF
	}
	want := uint64(len(buf))
	if want > f.size-off {
		want = f.size - off
		err = io.EOF
	}
	if want == 0 {
		return 0, now, nil
	}
	bs := f.fs.bs
	first, last := off/bs, (off+want-1)/bs
	tmp := make([]byte, (last-first+1)*bs)
	done = now
	var rerr error
	f.runs(first, last+1, func(start, blocks, fb uint64) {
		if rerr != nil {
			return
		}
		p := tmp[(fb-first)*bs : (fb-first+blocks)*bs]
		d, e := f.fs.dev.Read(now, start, p)
		rerr = e
		done = max(done, d)
	})
	if rerr != nil {
		return 0, now, rerr
	}
	copy(buf[:want], tmp[off-first*bs:])
	return int(want), done, err
}

// WriteAt writes data at offset off through the device, growing the file
// if it ends past the end (a gap reads as zeros). A block only partly
// covered by data is first read from the device (read-modify-write), then
// all blocks are written; done is when the last write completes.
func (f *File) WriteAt(now sim.Cycle, data []byte, off uint64) (done sim.Cycle, err error) {
	if f.removed {
		return now, fmt.Errorf("disk: write %q: %w", f.name, ErrRemoved)
	}
	if len(data) == 0 {
		return now, nil
	}
	end := off + uint64(len(data))
	if end < off {
		return now, fmt.Errorf("disk: write %q: offset %d + %d bytes overflows", f.name, off, len(data))
	}
	if err := f.grow(end); err != nil {
		return now, err
	}
	bs := f.fs.bs
	first, last := off/bs, (end-1)/bs
	if off%bs == 0 && end%bs == 0 {
		return f.writeBlocks(now, data, first, last)
	}
	tmp := make([]byte, (last-first+1)*bs)
	// read-modify-write of the partial blocks at either end
	start := now
	for _, fb := range partialBlocks(off, end, bs) {
		p := tmp[(fb-first)*bs : (fb-first+1)*bs]
		d, e := f.fs.dev.Read(now, f.block(fb), p)
		if e != nil {
			return now, e
		}
		start = max(start, d)
	}
	copy(tmp[off-first*bs:], data)
	return f.writeBlocks(start, tmp, first, last)
}

// writeBlocks writes whole blocks first..last of the file from data, a run
// of contiguous device blocks per request, all starting at now; done is
// when the last completes. A write that covers whole blocks needs no copy.
func (f *File) writeBlocks(now sim.Cycle, data []byte, first, last uint64) (done sim.Cycle, err error) {
	bs := f.fs.bs
	done = now
	f.runs(first, last+1, func(dev, blocks, fb uint64) {
		if err != nil {
			return
		}
		var d sim.Cycle
		d, err = f.fs.dev.Write(now, dev, data[(fb-first)*bs:(fb-first+blocks)*bs])
		done = max(done, d)
	})
	return done, err
}

// partialBlocks lists the file blocks that bytes [off, end) cover only in
// part.
func partialBlocks(off, end, bs uint64) []uint64 {
	var out []uint64
	if off%bs != 0 {
		out = append(out, off/bs)
	}
	if end%bs != 0 && (len(out) == 0 || (end-1)/bs != out[0]) {
		out = append(out, (end-1)/bs)
	}
	return out
}

// grow extends the file to size bytes (if it is shorter), allocating
// blocks next to its last extent when it can. The bytes of the last block
// past the old end are already zeros: Create pads with zeros and every write
// moves the end past what it wrote.
func (f *File) grow(size uint64) error {
	if size <= f.size {
		return nil
	}
	have := uint64(0)
	for _, e := range f.extents {
		have += e.Blocks
	}
	need := f.fs.blocksFor(size)
	if need > have {
		var last *Extent
		if k := len(f.extents); k > 0 {
			last = &f.extents[k-1]
		}
		ext, err := f.fs.alloc(need-have, last)
		if err != nil {
			return fmt.Errorf("disk: write %q: growing to %d bytes: %w", f.name, size, err)
		}
		f.extents = mergeExtents(append(f.extents, ext...))
	}
	f.size = size
	return nil
}

// Contents returns the whole file without taking time: for checks and
// reports after a run.
func (f *File) Contents() ([]byte, error) {
	if f.removed {
		return nil, fmt.Errorf("disk: %q: %w", f.name, ErrRemoved)
	}
	bs := f.fs.bs
	buf := make([]byte, f.fs.blocksFor(f.size)*bs)
	var err error
	f.runs(0, f.fs.blocksFor(f.size), func(start, blocks, fb uint64) {
		if e := f.fs.dev.ReadUntimed(start, buf[fb*bs:(fb+blocks)*bs]); e != nil {
			err = e
		}
	})
	return buf[:f.size], err
}
