package main

import (
	"os"
	"path/filepath"
)

// outputFile is a file being written through a temporary file beside it
// and renamed into place by commit: a reader never sees half a file, and
// a run that fails leaves none.
type outputFile struct {
	*os.File
	path string
	done bool // committed or aborted
}

// createOutput starts writing path. The file gets mode 0644 (CreateTemp's
// 0600 is for secrets), or the mode of the file it replaces.
func createOutput(path string) (*outputFile, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, err
	}
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	return &outputFile{File: tmp, path: path}, nil
}

// commit closes the file and puts it in place.
func (o *outputFile) commit() error {
	o.done = true
	if err := o.File.Close(); err != nil {
		os.Remove(o.Name())
		return err
	}
	if err := os.Rename(o.Name(), o.path); err != nil {
		os.Remove(o.Name())
		return err
	}
	return nil
}

// abort closes and removes the file, unless commit put it in place; the
// path keeps what it held.
func (o *outputFile) abort() {
	if o.done {
		return
	}
	o.done = true
	o.File.Close()
	os.Remove(o.Name())
}
