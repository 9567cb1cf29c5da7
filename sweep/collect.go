package sweep

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/vmemu/vmemu/outfile"
)

// ResultsSchema names the version of the collected JSON.
const ResultsSchema = "vmemu.sweep-results/1"

// Table is a sweep's results in the plan's order, one row per point: a
// point never run has a row with status "missing".
type Table struct {
	Sweep Description
	Rows  []Result
}

// Collect reads a result folder: the sweep, its plan and every result.
func Collect(dir string) (*Table, error) {
	t := &Table{}
	if err := readJSONFile(filepath.Join(dir, SweepFile), &t.Sweep); err != nil {
		return nil, fmt.Errorf("%s: not a sweep's result folder (%v)", dir, err)
	}
	f, err := os.Open(filepath.Join(dir, PlanFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	points, err := ReadPlan(f, f.Name())
	if err != nil {
		return nil, err
	}
	for _, p := range points {
		t.Rows = append(t.Rows, rowOf(dir, p))
	}
	return t, nil
}

func rowOf(dir string, p Point) Result {
	r, err := ReadResult(ResultPath(dir, p.ID))
	if err == nil && r.ID == p.ID {
		r.Point = p
		return r
	}
	row := Result{Schema: ResultSchema, ID: p.ID, Status: Missing, Point: p}
	if err != nil && !os.IsNotExist(err) {
		row.Error = "unreadable result: " + err.Error()
	}
	return row
}

func readJSONFile(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// Counts tells how many rows are ok, failed and missing.
func (t *Table) Counts() (ok, failed, missing int) {
	for _, r := range t.Rows {
		switch r.Status {
		case OK:
			ok++
		case Failed:
			failed++
		default:
			missing++
		}
	}
	return
}

// provenanceColumns close every CSV row.
var provenanceColumns = []string{"error", "emu_version", "config_hash", "trace_sha256", "wall_seconds", "host", "finished"}

// Header is the CSV's first row: id, status, the parameters, trace, seed,
// the metrics, then the provenance.
func (t *Table) Header() []string {
	h := []string{"id", "status"}
	for _, p := range t.Sweep.Params {
		h = append(h, p.Key)
	}
	h = append(h, "trace", "seed")
	h = append(h, t.Sweep.Metrics...)
	return append(h, provenanceColumns...)
}

// Record is one row of the CSV.
func (t *Table) Record(r Result) []string {
	set := map[string]string{}
	for _, kv := range r.Point.Set {
		k, v, _ := strings.Cut(kv, "=")
		set[k] = v
	}
	row := []string{r.ID, r.Status}
	for _, p := range t.Sweep.Params {
		row = append(row, set[p.Key])
	}
	row = append(row, r.Point.Trace, seedOf(r))
	for _, m := range t.Sweep.Metrics {
		row = append(row, cell(r.Metrics[m]))
	}
	pv := r.Provenance
	wall := ""
	if r.Status != Missing {
		wall = strconv.FormatFloat(pv.WallSeconds, 'f', 6, 64)
	}
	return append(row, r.Error, pv.EmuVersion, pv.ConfigHash, pv.TraceSHA256, wall, pv.Host, pv.Finished)
}

// seedOf is the seed the point ran with, or the one it asked for.
func seedOf(r Result) string {
	if r.Provenance.ConfigHash != "" {
		return strconv.FormatUint(r.Provenance.Seed, 10)
	}
	if r.Point.Seed != nil {
		return strconv.FormatUint(*r.Point.Seed, 10)
	}
	return ""
}

// cell writes a metric for a spreadsheet: numbers as they are, strings
// unquoted, null as nothing.
func cell(v json.RawMessage) string {
	if len(v) == 0 || string(v) == "null" {
		return ""
	}
	var s string
	if v[0] == '"' && json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(v)
}

// WriteCSV writes the table with a header row.
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Header()); err != nil {
		return err
	}
	for _, r := range t.Rows {
		if err := cw.Write(t.Record(r)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// collected is the JSON form of a table.
type collected struct {
	Schema  string      `json:"schema"`
	Sweep   Description `json:"sweep"`
	OK      int         `json:"ok"`
	Failed  int         `json:"failed"`
	Missing int         `json:"missing"`
	Results []Result    `json:"results"`
}

// WriteJSON writes the table as one JSON document.
func (t *Table) WriteJSON(w io.Writer) error {
	c := collected{Schema: ResultsSchema, Sweep: t.Sweep, Results: t.Rows}
	c.OK, c.Failed, c.Missing = t.Counts()
	if c.Results == nil {
		c.Results = []Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}

// WriteFiles writes results.csv and results.json into the result folder.
func (t *Table) WriteFiles(dir string) error {
	var csvText, jsonText strings.Builder
	if err := t.WriteCSV(&csvText); err != nil {
		return err
	}
	if err := t.WriteJSON(&jsonText); err != nil {
		return err
	}
	if err := outfile.WriteFile(filepath.Join(dir, CSVFile), []byte(csvText.String())); err != nil {
		return err
	}
	return outfile.WriteFile(filepath.Join(dir, JSONFile), []byte(jsonText.String()))
}
