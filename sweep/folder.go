package sweep

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vmemu/vmemu/outfile"
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
	if err := checkOwner(s, plan.String()); err != nil {
		return err
	}
	if err := outfile.WriteFile(filepath.Join(s.Output, PlanFile), []byte(plan.String())); err != nil {
		return err
	}
	data, err := json.MarshalIndent(describe(s), "", "  ")
	if err != nil {
		return err
	}
	return outfile.WriteFile(filepath.Join(s.Output, SweepFile), append(data, '\n'))
}

// checkOwner refuses to lay a sweep over a folder that holds another
// sweep's plan: that sweep's results would be mixed with these, and its
// plan lost. The same sweep (by its file, or by an identical plan: the
// folder may have moved) is resumed.
func checkOwner(s *Sweep, plan string) error {
	old, err := os.ReadFile(filepath.Join(s.Output, PlanFile))
	if errors.Is(err, os.ErrNotExist) {
		old = nil
	} else if err != nil {
		return err
	}
	var d Description
	haveDesc := readJSONFile(filepath.Join(s.Output, SweepFile), &d) == nil && d.Schema == SweepSchema
	if old == nil && !haveDesc || string(old) == plan || haveDesc && d.File == describe(s).File {
		return nil
	}
	other := "another sweep"
	if haveDesc {
		other = "the sweep " + d.File
	}
	return fmt.Errorf("%s holds the results of %s, not of %s: give another -o, or remove the folder", s.Output, other, s.Path)
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
