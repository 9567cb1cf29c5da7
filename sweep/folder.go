package sweep

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// Layout of a result folder.
const (
	PlanFile    = "points.jsonl" // the plan, one point a line
	SweepFile   = "sweep.json"   // the sweep as read, for collect
	ResultsDir  = "results"      // one ID.json per point
	CSVFile     = "results.csv"
	JSONFile    = "results.json"
	SweepSchema = "vmemu.sweep/1"
)

// ResultPath is where a point's result is kept.
func ResultPath(out, id string) string { return filepath.Join(out, ResultsDir, id+".json") }

// ReadResult reads one result file; a partial or foreign file is an error.
func ReadResult(path string) (Result, error) {
	var r Result
	data, err := os.ReadFile(path)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return r, err
	}
	if r.Schema != ResultSchema || (r.Status != OK && r.Status != Failed) {
		return r, errors.New(path + ": not a result file")
	}
	return r, nil
}

// Prepare makes the result folder and writes the plan and the sweep there,
// for collect and for the other shards (they write the same bytes).
func Prepare(s *Sweep, points []Point) error {
	if err := os.MkdirAll(filepath.Join(s.Output, ResultsDir), 0o755); err != nil {
		return err
	}
	var plan strings.Builder
	if err := WritePlan(&plan, points); err != nil {
		return err
	}
	if err := WriteAtomic(filepath.Join(s.Output, PlanFile), []byte(plan.String())); err != nil {
		return err
	}
	data, err := json.MarshalIndent(describe(s), "", "  ")
	if err != nil {
		return err
	}
	return WriteAtomic(filepath.Join(s.Output, SweepFile), append(data, '\n'))
}

// removeTemps deletes what a killed run of these points left half
// written. Only these points': another shard may be writing its own.
func removeTemps(out string, points []Point) {
	mine := make(map[string]bool, len(points))
	for _, p := range points {
		mine[p.ID] = true
	}
	dir := filepath.Join(out, ResultsDir)
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		name := e.Name()
		id, _, isTemp := strings.Cut(strings.TrimPrefix(name, "."), ".json.tmp")
		if strings.HasPrefix(name, ".") && isTemp && mine[id] {
			os.Remove(filepath.Join(dir, name))
		}
	}
}

// WriteAtomic writes data to path through a temporary file in the same
// folder and a rename, so a reader, or a run after the writer was killed,
// sees the old file or the new one, never a part. There is no fsync: it
// would cost more than a short point, and the one thing it guards against,
// a file left empty by a crash of the whole machine, fails ReadResult, so
// its point simply runs again.
func WriteAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file private; results are for everyone to read.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}

// Description is the sweep as recorded beside its results: what collect
// needs to lay out its table, and a record of what was asked.
type Description struct {
	Schema  string   `json:"schema"`
	File    string   `json:"file"`
	Base    string   `json:"base"`
	Params  []Param  `json:"params"`
	Traces  []string `json:"traces"`
	Seeds   []uint64 `json:"seeds,omitempty"`
	Metrics []string `json:"metrics"`
	Warmup  uint64   `json:"warmup,omitempty"`
	Max     uint64   `json:"max,omitempty"`
}

func describe(s *Sweep) Description {
	file, err := filepath.Abs(s.Path)
	if err != nil {
		file = s.Path
	}
	params := s.Params
	if params == nil {
		params = []Param{}
	}
	return Description{Schema: SweepSchema, File: file, Base: s.Base, Params: params, Traces: s.Traces,
		Seeds: s.Seeds, Metrics: s.Metrics, Warmup: s.Warmup, Max: s.Max}
}
