package outfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// File is an output being written. Close puts it in place; Abort, or a
// Close after a failed Write, leaves what was there before.
type File struct {
	f      *os.File
	target string // the name the temporary is renamed to; "" in place
	own    bool   // f is one of the process's descriptors: not closed
	err    error  // the first failed Write
	done   bool
}

// Create opens path for writing, by the rules of the package comment.
func Create(path string) (*File, error) {
	d, err := resolve(path)
	if err != nil {
		return nil, err
	}
	switch {
	case d.fd >= 0:
		return &File{f: descriptor(d.fd, path), own: true}, nil
	case d.inPlace:
		f, err := os.OpenFile(d.path, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		return &File{f: f}, nil
	}
	tmp, err := temps.create(d.path)
	if err != nil {
		return nil, err
	}
	if err := tmp.Chmod(d.mode); err != nil {
		temps.remove(tmp.Name(), "")
		tmp.Close()
		return nil, err
	}
	return &File{f: tmp, target: d.path}, nil
}

// Write writes to the temporary (or in place).
func (f *File) Write(p []byte) (int, error) {
	n, err := f.f.Write(p)
	if err != nil && f.err == nil {
		f.err = err
	}
	return n, err
}

// Name is the name the output was created with, or its temporary's.
func (f *File) Name() string { return f.f.Name() }

// Close finishes the output: it closes the temporary and renames it over
// the target. After a failed Write it removes the temporary and returns
// that failure.
func (f *File) Close() error {
	if f.done {
		return nil
	}
	f.done = true
	if f.own {
		return f.err
	}
	err := f.f.Close()
	if f.err != nil {
		err = f.err
	}
	if f.target == "" {
		return err
	}
	if err != nil {
		temps.remove(f.f.Name(), "")
		return err
	}
	return temps.remove(f.f.Name(), f.target)
}

// Abort gives up: a temporary is removed, the target left as it was. It
// does nothing after Close.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	if f.own {
		return
	}
	f.f.Close()
	if f.target != "" {
		temps.remove(f.f.Name(), "")
	}
}

// WriteFile writes data to path by the rules of the package comment.
func WriteFile(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return err
	}
	return f.Close()
}

// RemoveTemporaries deletes every temporary not yet renamed into place,
// and makes every later Create and Close fail: the process is stopping.
func RemoveTemporaries() { temps.stop() }

var errStopped = errors.New("outfile: stopping: no more outputs")

// temps are the temporaries not yet renamed, so a signal can remove them.
// Renames happen under the lock, so none lands after RemoveTemporaries.
var temps tempSet

type tempSet struct {
	mu      sync.Mutex
	names   map[string]bool
	stopped bool
}

// create makes a temporary for path, in its folder. The file is made and
// noted under the lock, so a signal in between cannot miss it.
func (t *tempSet) create(path string) (*os.File, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return nil, errStopped
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, err
	}
	if t.names == nil {
		t.names = map[string]bool{}
	}
	t.names[f.Name()] = true
	return f, nil
}

// remove renames name to target, or removes it when target is "".
func (t *tempSet) remove(name, target string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.names, name)
	if t.stopped {
		os.Remove(name)
		return errStopped
	}
	if target != "" {
		if err := os.Rename(name, target); err != nil {
			os.Remove(name)
			return err
		}
		return nil
	}
	return os.Remove(name)
}

func (t *tempSet) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopped = true
	for name := range t.names {
		os.Remove(name)
	}
	t.names = nil
}

// destination is where a name leads: a descriptor of this process, a
// file written in place, or a regular file (existing or not) replaced
// through a temporary.
type destination struct {
	fd      int // >= 0: one of the process's own descriptors
	path    string
	inPlace bool
	mode    fs.FileMode // of the temporary
}

// maxLinks is how many symbolic links resolve follows, as Linux does.
const maxLinks = 40

// resolve follows path's symbolic links one at a time, so that a link
// into /proc or /dev/fd (such as /dev/stdout) is seen as what it is, not
// as the file its descriptor happens to be open on.
func resolve(path string) (destination, error) {
	p := path
	for range maxLinks {
		if fd, ok := ownDescriptor(p); ok {
			return destination{fd: fd}, nil
		}
		st, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return destination{fd: -1, path: p, mode: 0o644}, nil
		case err != nil:
			return destination{}, err
		case st.Mode()&fs.ModeSymlink != 0:
			if underProc(p) {
				return destination{fd: -1, path: p, inPlace: true}, nil
			}
			t, err := os.Readlink(p)
			if err != nil {
				return destination{}, err
			}
			if !filepath.IsAbs(t) {
				t = filepath.Join(filepath.Dir(p), t)
			}
			p = t
		case st.IsDir():
			return destination{}, fmt.Errorf("%s is a folder, not a file", path)
		case st.Mode().IsRegular() && !underProc(p):
			return destination{fd: -1, path: p, mode: st.Mode().Perm()}, nil
		default: // a device, fifo or socket, or anything under /proc
			return destination{fd: -1, path: p, inPlace: true}, nil
		}
	}
	return destination{}, fmt.Errorf("%s: too many levels of symbolic links", path)
}

func underProc(p string) bool {
	abs, err := filepath.Abs(p)
	return err == nil && (abs == "/proc" || strings.HasPrefix(abs, "/proc/"))
}

// ownDescriptor recognises the names of the process's own descriptors.
func ownDescriptor(p string) (int, bool) {
	switch p = filepath.Clean(p); p {
	case "/dev/stdout":
		return 1, true
	case "/dev/stderr":
		return 2, true
	}
	self := strconv.Itoa(os.Getpid())
	for _, dir := range []string{"/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/", "/proc/" + self + "/fd/"} {
		if rest, ok := strings.CutPrefix(p, dir); ok {
			n, err := strconv.Atoi(rest)
			return n, err == nil && n >= 0
		}
	}
	return 0, false
}

// descriptors keep one *os.File per descriptor for the life of the
// process: an *os.File that the garbage collector finalises closes its
// descriptor, which must stay open for whatever else writes to it.
var descriptors struct {
	sync.Mutex
	files map[int]*os.File
}

func descriptor(fd int, name string) *os.File {
	switch fd {
	case 1:
		return os.Stdout
	case 2:
		return os.Stderr
	}
	descriptors.Lock()
	defer descriptors.Unlock()
	f := descriptors.files[fd]
	if f == nil {
		if descriptors.files == nil {
			descriptors.files = map[int]*os.File{}
		}
		f = os.NewFile(uintptr(fd), name)
		descriptors.files[fd] = f
	}
	return f
}
