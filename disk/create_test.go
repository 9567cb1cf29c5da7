package disk

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// countingReader reads zeros and counts what was read of it.
type countingReader struct{ n uint64 }

func (r *countingReader) Read(p []byte) (int, error) {
	clear(p)
	r.n += uint64(len(p))
	return len(p), nil
}

// A file is placed a chunk at a time, only after its blocks were found: a
// size past the free blocks (or past 2^64 once rounded) reads nothing, a
// source shorter than the size gives its blocks back, and a host file must
// be a regular file (a device or a fifo could be read without end).
func TestCreateFromBounded(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	regular := filepath.Join(dir, "small")
	os.WriteFile(regular, []byte("0123456789"), 0o644)
	for _, c := range []struct {
		name string
		host string // a host file for CreateFromHost, or "" for CreateFrom
		size uint64 // CreateFrom's size, of a source of zeros
		has  int64  // how much of it the source has (-1: all)
		want string // a fragment of the error, or "" for none
	}{
		{"more than the free blocks", "", 17 * 4096, -1, "no space left"},
		{"2^64-1 bytes", "", 1<<64 - 1, -1, "no space left"},
		{"a source shorter than its size", "", 3 * 4096, 5000, "read 5000 of its 12288 bytes"},
		{"every free block", "", 16 * 4096, -1, ""},
		{"a device", "/dev/zero", 0, 0, "not a regular file"},
		{"a fifo", fifo, 0, 0, "not a regular file"},
		{"a folder", dir, 0, 0, "not a regular file"},
		{"a regular file", regular, 0, 0, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			fs := newFS(t, newHDD(t, nil), 0, 16)
			src := &countingReader{}
			var err error
			switch {
			case c.host != "":
				_, err = fs.CreateFromHost("f", c.host)
			case c.has >= 0:
				_, err = fs.CreateFrom("f", c.size, io.LimitReader(src, c.has))
			default:
				_, err = fs.CreateFrom("f", c.size, src)
			}
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("error %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("error %v, want one saying %q", err, c.want)
			case c.want != "" && fs.FreeBlocks() != 16:
				t.Errorf("a failed create kept blocks: %d free of 16", fs.FreeBlocks())
			case errors.Is(err, ErrNoSpace) && src.n > 0:
				t.Errorf("read %d bytes of a file that could not fit", src.n)
			}
		})
	}
}
