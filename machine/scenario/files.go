package scenario

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	hostsys "syscall"

	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/traces"
)

// Options are what a run of a scenario may reach beyond its machine.
type Options struct {
	// AllowHost names host files and folders that host= lines may read
	// besides the scenario's own folder (emu run --allow-host, a sweep's
	// allow_host).
	AllowHost []string
}

// placeFile puts a file line's file on the emulated disk. Its size is
// known before any byte is made or read, and refused when it exceeds the
// file system's free space; the bytes then go to the disk a chunk at a
// time, so a file never sits whole in host memory beside the disk's copy.
func (r *scenarioRun) placeFile(op *traces.ScenarioOp) error {
	f := op.File
	col := traces.Token{Col: int32(max(f.SourceCol, 1))}
	var size uint64
	var src io.Reader
	field := "text"
	switch {
	case f.Host != "":
		h, n, err := r.openHost(f.Host)
		if err != nil {
			return r.errAt(op, col, "host", "%v", err)
		}
		defer h.Close()
		size, src, field = n, h, "host"
	case f.Words > 0:
		size, src, field = f.Words, &wordsReader{size: f.Words}, "words"
	case f.Bytes > 0:
		size, src, field = f.Bytes, &seededReader{rng: rand.New(rand.NewPCG(f.Seed, 0x5eed))}, "bytes"
	default:
		size, src = uint64(len(f.Text)), strings.NewReader(f.Text)
	}
	if err := r.fits(size); err != nil {
		return r.errAt(op, col, field, "%v", err)
	}
	if _, err := r.k.PlaceFileFrom(f.Path, size, src); err != nil {
		return r.errAt(op, col, "file", "%v", err)
	}
	return nil
}

// fits refuses a file larger than the file system's free space, naming
// the disk and the keys that size it.
func (r *scenarioRun) fits(size uint64) error {
	free, capacity, ok := r.k.FileSpace()
	if !ok {
		return errors.New("the machine has no disk (disk.model: none)")
	}
	if size <= free {
		return nil
	}
	cfg, d := r.m.Config, r.m.Disk
	return fmt.Errorf("%d bytes do not fit the emulated disk: its file system has %s free of %s "+
		"(the %s disk of disk.model %s, less disk.swap %s)", size, config.FormatBytes(free), config.FormatBytes(capacity),
		config.FormatBytes(d.Blocks()*uint64(d.BlockSize())), cfg.Get("disk.model"), cfg.Get("disk.swap"))
}

// openHost opens a host= file for reading. A relative path follows the
// scenario file, not the working folder. The file, once its links are
// followed, must be under the scenario's folder or under a path
// Options.AllowHost names, and be a regular file: a device or a fifo
// could be read without end. It returns the open file and its size.
func (r *scenarioRun) openHost(name string) (*os.File, uint64, error) {
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(r.s.Name), path)
	}
	real, err := filepath.EvalSymlinks(path)
	if err == nil {
		real, err = filepath.Abs(real)
	}
	var fi os.FileInfo
	if err == nil {
		fi, err = os.Stat(real)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", quotePath(name, path), unwrapPath(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("%s is %s, not a regular file", quotePath(name, real), fileKind(fi.Mode()))
	}
	if !r.hostAllowed(real) {
		return nil, 0, fmt.Errorf("%s is outside the scenario's folder; emu run --allow-host PATH (allow_host in a sweep file) lets a scenario read it", quotePath(name, real))
	}
	h, err := os.OpenFile(real, os.O_RDONLY|hostsys.O_NONBLOCK, 0)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", quotePath(name, real), unwrapPath(err))
	}
	if now, err := h.Stat(); err != nil || !os.SameFile(fi, now) {
		h.Close()
		return nil, 0, fmt.Errorf("%s changed while it was opened", quotePath(name, real))
	}
	return h, uint64(fi.Size()), nil
}

// hostAllowed says whether real (absolute, links followed) is under the
// scenario's folder or a path the options allow.
func (r *scenarioRun) hostAllowed(real string) bool {
	roots := append([]string{filepath.Dir(r.s.Name)}, r.opt.AllowHost...)
	for _, root := range roots {
		root, err := filepath.EvalSymlinks(root)
		if err != nil {
			continue
		}
		if root, err = filepath.Abs(root); err != nil {
			continue
		}
		if rel, err := filepath.Rel(root, real); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			return true
		}
	}
	return false
}

// unwrapPath drops the operation and path of an *os.PathError, which the
// message names already.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// quotePath names a host= path as given, and where it led when that is
// elsewhere.
func quotePath(given, real string) string {
	if given == real {
		return given
	}
	return fmt.Sprintf("%s (%s)", given, real)
}

func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&os.ModeNamedPipe != 0:
		return "a fifo"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// wordsReader reads a words=N file: each whole 8-byte word holds its own
// offset, little-endian; a last partial word is zeros.
type wordsReader struct{ off, size uint64 }

func (w *wordsReader) Read(p []byte) (int, error) {
	if w.off >= w.size {
		return 0, io.EOF
	}
	p = p[:min(uint64(len(p)), w.size-w.off)]
	var word [8]byte
	for i := range p {
		o := w.off + uint64(i)
		base := o &^ 7
		if base+8 > w.size {
			p[i] = 0
			continue
		}
		binary.LittleEndian.PutUint64(word[:], base)
		p[i] = word[o-base]
	}
	w.off += uint64(len(p))
	return len(p), nil
}

// seededReader reads a bytes=N file: one byte of each of the seeded
// source's 32-bit numbers, without end (the file's size limits it).
type seededReader struct{ rng *rand.Rand }

func (s *seededReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(s.rng.Uint32())
	}
	return len(p), nil
}
