package traces

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
)

// Format is one trace format: its names, how to recognise it, what it can
// hold, and how to read and write it. Each format's file registers one in
// its init function (Register); Open, NewTraceWriter and emu trace find
// formats here. doc.go says how to add one.
type Format struct {
	Name   string   // as --format takes it and Reader.Format reports it: "champsim"
	Title  string   // as prose names it: "ChampSim"; Name if empty
	Labels []string // other names its reader reports ("cachelab": lackey's grammar, no fetches)
	Exts   []string // endings of a file name that mean this format when writing: ".vmt"

	// Order places the format in detection: Open asks each format's Detect
	// in increasing Order and opens the trace with the first that says yes.
	// A format that claims less comes first: native (10) by its magic,
	// ChampSim (20) by its records, lackey text (100) takes the rest.
	Order int
	// Binary says its files are bytes, not lines: the text reader names
	// these formats when it refuses binary data.
	Binary bool
	// Compressed says its writer compresses already: a .gz, .zst or .xz
	// ending on top is refused.
	Compressed bool

	// Holds is what its records can hold; Instead says, for what it cannot
	// hold but writes another way, how (as ChampSim writes a modify as a
	// load and a store). Losses makes conversion notes from both.
	Holds   Holds
	Instead map[Holds]string

	// Detect says whether the start of a decompressed stream is in this
	// format. It must not keep s.Head.
	Detect func(s *Sniff) bool
	// Open makes a reader of in, which it owns from then on: Close on the
	// reader calls in.Close. On an error, Open's caller closes what in
	// came from. Its records' sizes are 1 to MaxAccessSize: a reader
	// refuses any other (checkSize) at its line or offset, and checks
	// every sum of lengths it reads from the file for overflow.
	Open func(in *Input) (Reader, error)
	// NewWriter makes a writer to w; nil for a format read only. Only the
	// native writer uses opt; a writer refuses a size a reader would.
	NewWriter func(w io.Writer, opt WriteOptions) (TraceWriter, error)
}

// Sniff is what a format's Detect sees.
type Sniff struct {
	Name   string // the file's name: a hint at most (ChampSim's empty files)
	Head   []byte // the first 4 KiB of the decompressed stream, or all of a shorter one
	Binary bool   // Head's first 512 bytes hold a NUL byte
}

// Input is a trace being opened, for a format's Open: the decompressed
// stream from its first byte (what Detect saw included).
type Input struct {
	Name        string // the file, for errors
	Compression string // "gzip", "zstd", "xz", or "" for none
	Size        int64  // the stream's length in bytes; -1 if unknown (a pipe, a compressed file)
	R           io.Reader
	Close       func() error // closes the decompressor and the file
}

// formats holds the registered formats in detection order.
var formats []*Format

// Register adds a format. It panics on a name already taken, or a format
// without a name, a detection or a reader: these are the program's
// mistakes, made at init.
func Register(f *Format) {
	if f.Name == "" || f.Detect == nil || f.Open == nil {
		panic("traces: Register: a format needs a Name, Detect and Open")
	}
	if f.Title == "" {
		f.Title = f.Name
	}
	for _, g := range formats {
		if g.Name == f.Name || slices.Contains(g.Labels, f.Name) {
			panic("traces: Register: format " + f.Name + " registered twice")
		}
	}
	formats = append(formats, f)
	slices.SortStableFunc(formats, func(a, b *Format) int { return a.Order - b.Order })
}

// Formats returns the registered formats in detection order.
func Formats() []*Format { return slices.Clone(formats) }

// Lookup returns the format called name, or an error listing the names.
func Lookup(name string) (*Format, error) {
	if f := formatOf(name); f != nil && f.Name == name {
		return f, nil
	}
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.Name
	}
	return nil, fmt.Errorf("traces: unknown format %q; one of %s", name, strings.Join(names, ", "))
}

// formatOf returns the format whose reader reports label, or nil.
func formatOf(label string) *Format {
	for _, f := range formats {
		if f.Name == label || slices.Contains(f.Labels, label) {
			return f
		}
	}
	return nil
}

// WriteFormats lists the formats NewTraceWriter writes, in detection order.
func WriteFormats() []string {
	var names []string
	for _, f := range formats {
		if f.NewWriter != nil {
			names = append(names, f.Name)
		}
	}
	return names
}

// PathFormat says what a file's name asks to write: the written format
// whose Exts end it, before any .gz, .zst or .xz (nil if none does), and
// the compression that ending asks for ("gzip", "zstd", "xz" or "").
func PathFormat(path string) (*Format, string) {
	base := strings.ToLower(filepath.Base(path))
	zkind := ""
	for _, z := range compressionExts {
		if strings.HasSuffix(base, z.ext) {
			zkind = z.kind
			base = strings.TrimSuffix(base, z.ext)
			break
		}
	}
	ext := filepath.Ext(base)
	for _, f := range formats {
		if f.NewWriter != nil && slices.Contains(f.Exts, ext) {
			return f, zkind
		}
	}
	return nil, zkind
}

// compressionExts are the file name endings of the compressions Open reads.
var compressionExts = []struct{ ext, kind string }{{".gz", "gzip"}, {".zst", "zstd"}, {".xz", "xz"}}

// PathHelp says which file names PathFormat knows: ".vmt native,
// .champsim or .champsimtrace ChampSim, ...".
func PathHelp() string {
	var parts []string
	for _, f := range formats {
		if f.NewWriter != nil && len(f.Exts) > 0 {
			parts = append(parts, orList(f.Exts)+" "+f.Title)
		}
	}
	return strings.Join(parts, ", ")
}

// detect returns the first format, in detection order, that recognises
// head, the start of the decompressed stream of the file called name; nil
// if none does.
func detect(name string, head []byte) *Format {
	s := &Sniff{Name: name, Head: head, Binary: bytes.IndexByte(head[:min(len(head), 512)], 0) >= 0}
	for _, f := range formats {
		if f.Detect(s) {
			return f
		}
	}
	return nil
}

// binaryTitles names the binary formats, alphabetically, for the message
// that refuses binary data: "ChampSim or native".
func binaryTitles() string {
	var titles []string
	for _, f := range formats {
		if f.Binary {
			titles = append(titles, f.Title)
		}
	}
	slices.SortFunc(titles, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return orList(titles)
}

// orList joins words as prose: "a, b or c".
func orList(words []string) string {
	if n := len(words); n > 1 {
		return strings.Join(words[:n-1], ", ") + " or " + words[n-1]
	}
	return strings.Join(words, "")
}
