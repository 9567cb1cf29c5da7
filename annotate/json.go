package annotate

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/vmemu/vmemu/machine/report"
)

// Schema names the version of emu annotate's JSON.
const Schema = "vmemu.annotate/1"

// Document is emu annotate --json's output: how it was made (as a run's
// report says), the program and its load base, the events, their totals,
// and every function and source line with a count, most of the sort event
// first. Each entry has file, line and function, then every event by its
// name, in Events' order.
type Document struct {
	Schema    string            `json:"schema"`
	Version   string            `json:"version"`
	Config    string            `json:"config"`
	Overrides []report.Override `json:"overrides"`
	Trace     report.TraceInfo  `json:"trace"`
	Binary    BinaryInfo        `json:"binary"`
	Sort      string            `json:"sort"`
	Events    []string          `json:"events"`
	Totals    counts            `json:"totals"`
	Functions []entry           `json:"functions"`
	Lines     []entry           `json:"lines"`
}

// BinaryInfo says which program the events were charged to, and where it
// ran.
type BinaryInfo struct {
	Path string `json:"path"`
	PIE  bool   `json:"pie"`
	Base uint64 `json:"base"`
	// BaseFrom says how the base was known: "trace" (found from the fetch
	// addresses), "given" (--base), or "file" (not position-independent).
	BaseFrom string `json:"base_from"`
}

// Document returns the annotation as JSON's document; rep is the run's
// report, for how it was made.
func (a *Annotation) Document(rep *report.Report, bin BinaryInfo) *Document {
	d := &Document{Schema: Schema, Version: rep.Version, Config: rep.Config, Overrides: rep.Overrides, Trace: rep.Trace,
		Binary: bin, Sort: a.Events[a.Sort], Events: a.Events, Totals: counts{a.Events, a.Totals},
		Functions: []entry{}, Lines: []entry{}}
	for _, e := range a.Functions {
		d.Functions = append(d.Functions, entry{e, a.Events})
	}
	for _, e := range a.Lines {
		d.Lines = append(d.Lines, entry{e, a.Events})
	}
	return d
}

// counts is an object of events by name, in order.
type counts struct {
	names []string
	n     []uint64
}

func (c counts) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	c.write(&b)
	b.WriteByte('}')
	return b.Bytes(), nil
}

func (c counts) write(b *bytes.Buffer) {
	for i, name := range c.names {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(name)
		b.Write(k)
		b.WriteByte(':')
		b.WriteString(strconv.FormatUint(c.n[i], 10))
	}
}

// entry is a function or line with its events beside file, line and
// function.
type entry struct {
	e      Entry
	events []string
}

func (e entry) MarshalJSON() ([]byte, error) {
	head, err := json.Marshal(struct {
		File     string `json:"file"`
		Line     int    `json:"line"`
		Function string `json:"function"`
	}{e.e.File, e.e.Line, e.e.Function})
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Write(head[:len(head)-1])
	b.WriteByte(',')
	counts{e.events, e.e.Counts}.write(&b)
	b.WriteByte('}')
	return b.Bytes(), nil
}
