package outfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// leftovers lists the hidden temporaries in dir.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, ".*.tmp*"))
	return m
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Regular files and links to them: replaced whole, links kept, modes as
// the package comment says.
func TestRegularFiles(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(dir string) // makes what "out" is
		file  string           // where the data must land
		mode  fs.FileMode
		link  bool // "out" must still be a link
	}{
		{"new file", func(string) {}, "out", 0o644, false},
		{"existing file keeps its mode", func(dir string) {
			os.WriteFile(filepath.Join(dir, "out"), []byte("old old old"), 0o600)
		}, "out", 0o600, false},
		{"link to a file", func(dir string) {
			os.WriteFile(filepath.Join(dir, "target"), []byte("old"), 0o640)
			os.Symlink("target", filepath.Join(dir, "out"))
		}, "target", 0o640, true},
		{"chain of links into another folder", func(dir string) {
			os.Mkdir(filepath.Join(dir, "sub"), 0o755)
			os.WriteFile(filepath.Join(dir, "sub", "target"), []byte("old"), 0o644)
			os.Symlink("sub/mid", filepath.Join(dir, "out"))
			os.Symlink("target", filepath.Join(dir, "sub", "mid"))
		}, "sub/target", 0o644, true},
		{"dangling link", func(dir string) {
			os.Symlink("made", filepath.Join(dir, "out"))
		}, "made", 0o644, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(dir)
			out := filepath.Join(dir, "out")
			if err := WriteFile(out, []byte("new")); err != nil {
				t.Fatal(err)
			}
			if got := readString(t, filepath.Join(dir, tc.file)); got != "new" {
				t.Errorf("%s holds %q", tc.file, got)
			}
			st, err := os.Stat(filepath.Join(dir, tc.file))
			if err != nil || st.Mode() != tc.mode {
				t.Errorf("%s: mode %v, %v; want %v", tc.file, st.Mode(), err, tc.mode)
			}
			lst, _ := os.Lstat(out)
			if isLink := lst.Mode()&fs.ModeSymlink != 0; isLink != tc.link {
				t.Errorf("out is a link: %v, want %v", isLink, tc.link)
			}
			if l := append(leftovers(t, dir), leftovers(t, filepath.Join(dir, "sub"))...); len(l) > 0 {
				t.Errorf("left behind %v", l)
			}
		})
	}
}

// Devices, fifos and links to them are written in place and stay what
// they are.
func TestNotRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no fifos here:", err)
	}
	os.Symlink("/dev/null", filepath.Join(dir, "null-link"))
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- string(b)
	}()
	if err := WriteFile(fifo, []byte("through the fifo")); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "through the fifo" {
		t.Errorf("the fifo's reader got %q", s)
	}
	// Devices are written only once resolve says in place: were it to say
	// otherwise, the write would replace them (for root).
	for _, path := range []string{"/dev/null", "/dev/full", filepath.Join(dir, "null-link")} {
		if d, err := resolve(path); err != nil || !d.inPlace {
			t.Fatalf("%s: %+v, %v; want it written in place", path, d, err)
		}
	}
	for _, path := range []string{"/dev/null", filepath.Join(dir, "null-link")} {
		if err := WriteFile(path, []byte("gone")); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
	// /dev/full fails the write and stays a device, even for root, who
	// could replace it.
	if err := WriteFile("/dev/full", []byte("x")); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("/dev/full: %v, want ENOSPC", err)
	}
	for path, want := range map[string]fs.FileMode{fifo: fs.ModeNamedPipe, "/dev/null": fs.ModeCharDevice, "/dev/full": fs.ModeCharDevice} {
		if st, err := os.Stat(path); err != nil || st.Mode()&want == 0 {
			t.Errorf("%s is now %v (%v)", path, st.Mode(), err)
		}
	}
	if l, _ := os.Lstat(filepath.Join(dir, "null-link")); l.Mode()&fs.ModeSymlink == 0 {
		t.Error("the link to /dev/null was replaced")
	}
	if err := WriteFile(dir, []byte("x")); err == nil {
		t.Error("wrote over a folder")
	}
	if l := leftovers(t, dir); len(l) > 0 {
		t.Errorf("left behind %v", l)
	}
}

// Names of the process's own descriptors, directly or through links,
// are written through the descriptor, whatever file it is open on.
func TestOwnDescriptors(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	fd := strconv.Itoa(int(w.Fd()))
	dir := t.TempDir()
	os.Symlink("/dev/stdout", filepath.Join(dir, "stdout-link"))
	for _, tc := range []struct {
		path string
		fd   int
	}{
		{"/dev/stdout", 1}, {"/dev/stderr", 2}, {"/proc/self/fd/1", 1}, {"/dev/fd/2", 2},
		{"/proc/" + strconv.Itoa(os.Getpid()) + "/fd/" + fd, int(w.Fd())},
		{filepath.Join(dir, "stdout-link"), 1},
	} {
		d, err := resolve(tc.path)
		if err != nil || d.fd != tc.fd {
			t.Errorf("%s: descriptor %d, %v; want %d", tc.path, d.fd, err, tc.fd)
		}
	}
	if err := WriteFile("/dev/fd/"+fd, []byte("piped")); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if b, _ := io.ReadAll(r); string(b) != "piped" {
		t.Errorf("the pipe got %q", b)
	}
}

// A failed or abandoned output leaves the old file and no temporary.
func TestAbortKeepsTheOldFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	os.WriteFile(out, []byte("old"), 0o644)
	f, err := Create(out)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("half"))
	f.Abort()
	if err := f.Close(); err != nil {
		t.Errorf("Close after Abort: %v", err)
	}
	if got := readString(t, out); got != "old" || len(leftovers(t, dir)) > 0 {
		t.Errorf("out holds %q; left behind %v", got, leftovers(t, dir))
	}
}

// RemoveTemporaries (a signal) removes every temporary in flight, and a
// later Close or Create fails rather than leave one.
func TestRemoveTemporaries(t *testing.T) {
	defer func() { temps = tempSet{} }()
	dir := t.TempDir()
	var files []*File
	for _, name := range []string{"a", "b"} {
		f, err := Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte("data"))
		files = append(files, f)
	}
	if len(leftovers(t, dir)) != 2 {
		t.Fatalf("temporaries: %v", leftovers(t, dir))
	}
	RemoveTemporaries()
	if l := leftovers(t, dir); len(l) > 0 {
		t.Errorf("left behind %v", l)
	}
	if err := files[0].Close(); err == nil {
		t.Error("Close after RemoveTemporaries worked")
	}
	if _, err := Create(filepath.Join(dir, "c")); err == nil {
		t.Error("Create after RemoveTemporaries worked")
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string(nil), names); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
}
