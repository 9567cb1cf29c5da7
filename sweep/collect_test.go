package sweep

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	var doc any
	json.Unmarshal([]byte(`{"cycles": 10, "levels": [{"name": "l1d", "miss_rate": 0.5}, {"name": "l2", "miss_rate": 0.25}],
		"breakdown": [{"level": "memory", "cycles": 4}], "kinds": [{"kind": "load", "amat": 3}],
		"stats": {"l1d.load.misses": 7, "l1d.load.hits": 9, "dram.read_latency.91": 2}}`), &doc)
	var old any
	json.Unmarshal([]byte(`{"cycles": 10}`), &old)
	for _, tc := range []struct {
		path string
		want any
		err  string
	}{
		{"cycles", 10.0, ""},
		{"levels.l2.miss_rate", 0.25, ""},
		{"levels.0.name", "l1d", ""},
		{"breakdown.memory.cycles", 4.0, ""},
		{"kinds.load.amat", 3.0, ""},
		{"cylces", nil, `cylces: no "cylces"; did you mean cycles? (there are breakdown, cycles, kinds, levels, stats)`},
		{"levels.l3.miss_rate", nil, `levels.l3: no "l3"; did you mean l2? (there are l1d, l2)`},
		{"levels.llc.miss_rate", nil, `levels.llc: no "llc" (there are l1d, l2)`},
		{"cycles.x", nil, `cycles.x: "x": the value above is a single value`},
		{"stats.l1d.load.misses", 7.0, ""},
		{"stats.dram.read_latency.91", 2.0, ""},
		{"stats.l1d.load.mises", nil, `stats.l1d.load.mises: no "l1d.load.mises"; did you mean l1d.load.misses? (there are dram.read_latency.91, l1d.load.hits, l1d.load.misses)`},
	} {
		got, err := Lookup(doc, tc.path)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%s: error %v, want %s", tc.path, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %v, %v; want %v", tc.path, got, err, tc.want)
		}
	}
	if _, err := Lookup(old, "stats.l1d.load.misses"); err == nil || !strings.Contains(err.Error(), "before the registry") {
		t.Errorf("a report without stats: %v", err)
	}
}

// Collected tables keep the plan's order, one column per parameter and
// metric, and the provenance of every row; points not run are "missing".
func TestCollectCSV(t *testing.T) {
	s := mustLoad(t, sweepDir(t, "params: {l2.ways: [4, 8]}\ntraces: [a.trace]\nseeds: [7]\nmetrics: [cycles, levels.l9.misses]\n"))
	sum, err := Run(context.Background(), s, Options{Jobs: 2, Version: "v9", Shard: Shard{0, 2}})
	if err != nil || sum.Ran != 1 || len(sum.Notes) != 1 || !strings.Contains(sum.Notes[0], `levels.l9: no "l9"`) {
		t.Fatalf("%+v, %v", sum, err)
	}
	tab, err := Collect(s.Output)
	if err != nil {
		t.Fatal(err)
	}
	if err := tab.WriteFiles(s.Output); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(s.Output + "/" + CSVFile)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := strings.Join(rows[0], ",")
	if head != "id,status,l2.ways,trace,seed,cycles,levels.l9.misses,error,emu_version,config_hash,trace_sha256,wall_seconds,host,finished" {
		t.Errorf("header %s", head)
	}
	if len(rows) != 3 || rows[1][1] != OK || rows[1][2] != "4" || rows[1][4] != "7" || rows[1][5] == "" || rows[1][6] != "" || rows[1][8] != "v9" {
		t.Errorf("rows %q", rows[1:])
	}
	if rows[2][1] != Missing || rows[2][2] != "8" || rows[2][4] != "7" || rows[2][5] != "" {
		t.Errorf("missing row %q", rows[2])
	}
	var c collected
	data, _ := os.ReadFile(s.Output + "/" + JSONFile)
	if err := json.Unmarshal(data, &c); err != nil || c.OK != 1 || c.Missing != 1 || len(c.Results) != 2 || c.Schema != ResultsSchema {
		t.Errorf("json: %+v, %v", c, err)
	}
}

func TestPlanIDs(t *testing.T) {
	s := mustLoad(t, sweepDir(t, twelve))
	a, b := Plan(s), Plan(s)
	ids := map[string]bool{}
	for i := range a {
		if a[i].ID != b[i].ID || a[i].Index != i {
			t.Fatalf("point %d: %s then %s", i, a[i].ID, b[i].ID)
		}
		ids[a[i].ID] = true
	}
	if len(ids) != 12 {
		t.Errorf("%d distinct ids", len(ids))
	}
	// An id depends on the point, not on its place in the plan.
	s.Traces = []string{"b.trace", "a.trace"}
	for _, p := range Plan(s) {
		if !ids[p.ID] {
			t.Errorf("%v has a new id %s when the traces are reordered", p, p.ID)
		}
	}
	var sb strings.Builder
	WritePlan(&sb, a)
	back, err := ReadPlan(strings.NewReader(sb.String()), "p")
	if err != nil || len(back) != 12 || back[3].ID != a[3].ID {
		t.Errorf("read back %d points, %v", len(back), err)
	}
	if _, err := ReadPlan(strings.NewReader(strings.Replace(sb.String(), "a.trace", "c.trace", 1)), "p"); err == nil || !strings.Contains(err.Error(), "p:1: id:") {
		t.Errorf("an edited point kept its id: %v", err)
	}
}
