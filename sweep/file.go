// Package sweep runs experiments: many points, each a machine
// configuration (a base and some keys changed), a trace and a seed, run
// in parallel or as a Slurm job array, one result file per point, then
// collected into one table. Its functions work on plain structs; the
// emu sweep command is a thin layer over them.
//
// Hostile sweep files are bounded: a plan of at most MaxPoints points, a
// folder that holds one sweep and one run of each point at a time (a lock
// file, lock.go), and batch scripts whose every value is checked and
// quoted (slurm.go).
package sweep

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/vmemu/vmemu/machine/config"
	"go.yaml.in/yaml/v3"
)

// Sweep is a sweep file, read and checked: every trace exists and every
// parameter value applies to the base configuration.
type Sweep struct {
	Path    string   // the sweep file, as named
	Dir     string   // its folder: relative paths in it start here
	Base    string   // a preset, or a configuration file relative to Dir
	Params  []Param  // in the file's order
	Traces  []string // globs expanded; relative to Dir unless absolute
	Seeds   []uint64 // empty: each point keeps its configuration's seed
	Metrics []string // JSON paths into the run report
	Warmup  uint64   // instructions whose statistics are discarded
	Max     uint64   // instructions per run, warmup included; 0: all
	Output  string   // the result folder (relative to the working folder or absolute)
	// AllowHost names host files and folders, besides each scenario's own
	// folder, that scenarios' host= lines may read (relative to Dir).
	AllowHost []string
}

// Param is one swept key and its values, as --set would write them.
type Param struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// DefaultMetrics are kept when a sweep file names none.
var DefaultMetrics = []string{"cycles", "accesses", "amat"}

// Error is a mistake in a sweep file: the file, the line and the field.
type Error struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *Error) Error() string {
	where := e.File
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Field == "" {
		return where + ": " + e.Msg
	}
	return where + ": " + e.Field + ": " + e.Msg
}

// topKeys are the keys a sweep file may have.
var topKeys = []string{"base", "params", "traces", "seeds", "metrics", "warmup", "max", "output", "allow_host"}

// Load reads and checks a sweep file (YAML or JSON).
func Load(path string) (*Sweep, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: unwrapPath(err).Error()}
	}
	return Parse(path, data)
}

// Parse reads a sweep file's text; path names it in errors and anchors
// its relative paths.
func Parse(path string, data []byte) (*Sweep, error) {
	r := &reader{file: path}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, r.yamlError(err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, &Error{File: path, Line: 1, Msg: "a sweep file is a mapping with base, params, traces, seeds, metrics, warmup, max, output and allow_host"}
	}
	s := &Sweep{Path: path, Dir: filepath.Dir(path), Base: "default"}
	if err := r.fields(s, doc.Content[0]); err != nil {
		return nil, err
	}
	defaults(s)
	if err := r.checkPoints(s); err != nil {
		return nil, err
	}
	return s, r.check(s)
}

// reader carries the file's name into every error, and the lines of
// what check tests after the whole file is read.
type reader struct {
	file       string
	baseLine   int
	paramsLine int
	lines      [][]int // per param, per value
}

func (r *reader) err(n *yaml.Node, field, format string, a ...any) error {
	return &Error{File: r.file, Line: n.Line, Field: field, Msg: fmt.Sprintf(format, a...)}
}

func (r *reader) yamlError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
		msg = strings.TrimSpace(msg[strings.IndexByte(msg, ':')+1:])
	}
	return &Error{File: r.file, Line: line, Msg: msg}
}

// fields reads the top-level keys in order.
func (r *reader) fields(s *Sweep, m *yaml.Node) error {
	if first, again := config.RepeatedKey(m); again != nil {
		return r.err(again, again.Value, "%s", config.GivenTwice(first.Line, again.Line))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		seen[k.Value] = true
		if err := r.field(s, k, v); err != nil {
			return err
		}
	}
	if !seen["traces"] {
		return &Error{File: r.file, Line: m.Line, Msg: "no traces: name at least one trace file or glob"}
	}
	return nil
}

func (r *reader) field(s *Sweep, k, v *yaml.Node) error {
	var err error
	switch k.Value {
	case "base":
		s.Base, err = r.scalar(v, "base")
		r.baseLine = v.Line
	case "params":
		s.Params, err = r.params(v)
		r.paramsLine = v.Line
	case "traces":
		s.Traces, err = r.traces(s.Dir, v)
	case "seeds":
		s.Seeds, err = r.seeds(v)
	case "metrics":
		s.Metrics, err = r.strings(v, "metrics")
	case "warmup":
		s.Warmup, err = r.count(v, "warmup")
	case "max":
		s.Max, err = r.count(v, "max")
	case "allow_host":
		s.AllowHost, err = r.strings(v, "allow_host")
		for i, p := range s.AllowHost {
			if !filepath.IsAbs(p) {
				s.AllowHost[i] = filepath.Join(s.Dir, p)
			}
		}
	case "output":
		s.Output, err = r.scalar(v, "output")
		if err == nil && strings.IndexFunc(s.Output, unicode.IsControl) >= 0 {
			err = r.err(v, "output", "%q holds a control character (a newline?); name a folder", s.Output)
		}
		if err == nil && !filepath.IsAbs(s.Output) {
			s.Output = filepath.Join(s.Dir, s.Output)
		}
	default:
		msg := "unknown key"
		if near := Nearest(k.Value, topKeys); near != "" {
			msg += "; did you mean " + near + "?"
		}
		return r.err(k, k.Value, "%s", msg)
	}
	return err
}

// defaults fills what the file left out.
func defaults(s *Sweep) {
	if len(s.Metrics) == 0 {
		s.Metrics = slices.Clone(DefaultMetrics)
	}
	if s.Output == "" {
		name := strings.TrimSuffix(filepath.Base(s.Path), filepath.Ext(s.Path))
		s.Output = filepath.Join(s.Dir, name+".results")
	}
}

func (r *reader) scalar(v *yaml.Node, field string) (string, error) {
	if v.Kind != yaml.ScalarNode || v.Value == "" {
		return "", r.err(v, field, "expected one value")
	}
	return v.Value, nil
}

func (r *reader) count(v *yaml.Node, field string) (uint64, error) {
	s, err := r.scalar(v, field)
	if err != nil {
		return 0, err
	}
	n, sized, err := parseAmount(s)
	if err != nil || sized {
		return 0, r.err(v, field, "%q is not a whole number", s)
	}
	return n, nil
}

// strings reads one value or a list of values.
func (r *reader) strings(v *yaml.Node, field string) ([]string, error) {
	if v.Kind == yaml.ScalarNode {
		s, err := r.scalar(v, field)
		return []string{s}, err
	}
	if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
		return nil, r.err(v, field, "expected a value or a list of values")
	}
	var out []string
	for _, e := range v.Content {
		s, err := r.scalar(e, field)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
