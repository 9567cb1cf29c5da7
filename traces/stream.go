package traces

import (
	"bytes"
	"io"
	"os"
)

// OpenData opens a file of any text format (a DRAM request trace, say) and
// returns its contents, decompressed the way Open decompresses traces:
// gzip, zstd and xz are recognised from the first bytes. A stream cut short
// reads as io.ErrUnexpectedEOF.
func OpenData(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	head, err := readHead(path, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	var src io.Reader = f
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		src = io.MultiReader(bytes.NewReader(head), f)
	}
	kind := ""
	for _, m := range magics {
		if m.supported && bytes.HasPrefix(head, []byte(m.magic)) {
			kind = m.kind
		}
	}
	dec, closeDec, err := decompressor(kind, src)
	if err != nil {
		f.Close()
		return nil, &Error{File: path, Msg: "corrupt " + kind + " stream: " + err.Error(), Err: err}
	}
	return &dataFile{Reader: dec, close: func() error { closeDec(); return f.Close() }}, nil
}

type dataFile struct {
	io.Reader
	close func() error
}

func (d *dataFile) Close() error { return d.close() }
