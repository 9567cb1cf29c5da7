package schema

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vmemu/vmemu/machine"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/machine/scenario"
	"github.com/vmemu/vmemu/traces"
)

// node is a schema, decoded.
type node = map[string]any

// checker validates a document against the subset of JSON Schema the
// report's schema uses (type, const, required, properties, items,
// additionalProperties, $ref, minimum), and notes every field the schema
// does not describe, so the schema cannot fall behind the report.
type checker struct {
	root      node
	errs      []string
	undefined []string
}

func (c *checker) resolve(s node) node {
	for {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		s = c.root["$defs"].(node)[strings.TrimPrefix(ref, "#/$defs/")].(node)
	}
}

func (c *checker) check(s node, v any, path string) {
	s = c.resolve(s)
	if want, ok := s["const"]; ok && want != v {
		c.errs = append(c.errs, fmt.Sprintf("%s: %v, want %v", path, v, want))
	}
	if t, ok := s["type"]; ok && !typeOK(t, v) {
		c.errs = append(c.errs, fmt.Sprintf("%s: %T is not %v", path, v, t))
		return
	}
	if min, ok := s["minimum"].(float64); ok {
		if f, ok := v.(float64); ok && f < min {
			c.errs = append(c.errs, fmt.Sprintf("%s: %v is below %v", path, f, min))
		}
	}
	switch x := v.(type) {
	case map[string]any:
		c.object(s, x, path)
	case []any:
		if items, ok := s["items"].(node); ok {
			for i, e := range x {
				c.check(items, e, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
}

func (c *checker) object(s node, x map[string]any, path string) {
	for _, r := range asList(s["required"]) {
		if _, ok := x[r.(string)]; !ok {
			c.errs = append(c.errs, fmt.Sprintf("%s: no %s", path, r))
		}
	}
	props, _ := s["properties"].(node)
	extra, _ := s["additionalProperties"].(node)
	for k, v := range x {
		switch {
		case props[k] != nil:
			c.check(props[k].(node), v, path+"."+k)
		case extra != nil:
			c.check(extra, v, path+"."+k)
		default:
			c.undefined = append(c.undefined, path+"."+k)
		}
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func typeOK(t any, v any) bool {
	for _, name := range append(asList(t), t) {
		ok := false
		switch name {
		case "object":
			_, ok = v.(map[string]any)
		case "array":
			_, ok = v.([]any)
		case "string":
			_, ok = v.(string)
		case "boolean":
			_, ok = v.(bool)
		case "null":
			ok = v == nil
		case "number":
			_, ok = v.(float64)
		case "integer":
			f, isNum := v.(float64)
			ok = isNum && f == float64(int64(f))
		}
		if ok {
			return true
		}
	}
	return false
}

func reportJSON(t *testing.T, rep *report.Report) any {
	t.Helper()
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	json.Unmarshal(b, &v)
	return v
}

// runs are a trace run on the default machine (DRAM, translation,
// cachegrind's counts), one on the modern machine with a TLB prefetcher
// too (every prefetch object), and scenario runs (processes, faults) on
// one core and on several (cores, shootdowns).
func runs(t *testing.T) map[string]*report.Report {
	t.Helper()
	out := map[string]*report.Report{}
	cfg, _ := config.Load("default")
	m, err := machine.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r, err := traces.Open("../examples/matmul.lackey.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if out["trace"], err = m.Run(r, machine.RunOptions{Max: 20000}); err != nil {
		t.Fatal(err)
	}
	if out["cores"], err = coresRun(); err != nil {
		t.Fatal(err)
	}
	if m, err = machine.BuildFrom("modern", "stlb.prefetcher=next-page"); err != nil {
		t.Fatal(err)
	}
	r2, err := traces.Open("../examples/matmul.lackey.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if out["prefetching"], err = m.Run(r2, machine.RunOptions{Max: 20000}); err != nil {
		t.Fatal(err)
	}
	if out["prefetching"].Translation.Prefetch == nil || out["prefetching"].Levels[1].Prefetch == nil {
		t.Fatal("the modern machine's report has no prefetch objects")
	}
	s, err := traces.ReadScenario("../traces/examples/fork.emu")
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ = config.Load("default")
	for _, set := range s.Settings() {
		cfg.SetArg(set)
	}
	if m, err = machine.Build(cfg); err != nil {
		t.Fatal(err)
	}
	if out["scenario"], err = scenario.Run(m, s); err != nil {
		t.Fatal(err)
	}
	if s, err = traces.ReadScenario("../examples/shootdown.emu"); err != nil {
		t.Fatal(err)
	}
	if m, err = machine.BuildFrom("default", s.Settings()...); err != nil {
		t.Fatal(err)
	}
	if out["scenario of several cores"], err = scenario.Run(m, s); err != nil {
		t.Fatal(err)
	}
	for _, rep := range out {
		rep.Made("dev", []string{"l2.size=1MiB", "llc.replacement=random"})
	}
	return out
}

// coresRun is two traces on a machine of two cores, with their IPCs alone.
func coresRun() (*report.Report, error) {
	m, err := machine.BuildFrom("default", "cores=2")
	if err != nil {
		return nil, err
	}
	var rs []traces.Reader
	for range 2 {
		r, err := traces.Open("../examples/matmul.lackey.gz")
		if err != nil {
			return nil, err
		}
		defer r.Close()
		rs = append(rs, r)
	}
	rep, err := m.RunMany(rs, machine.RunOptions{Max: 20000})
	if err != nil {
		return nil, err
	}
	rep.SetAlone([]float64{1, 2})
	return rep, nil
}

// Reports of real runs follow the schema, and the schema describes every
// field they have: a new field needs a line in report.schema.json.
func TestReportsFollowSchema(t *testing.T) {
	var root node
	if err := json.Unmarshal(Report, &root); err != nil {
		t.Fatalf("report.schema.json: %v", err)
	}
	if root["properties"].(node)["schema"].(node)["const"] != report.Schema {
		t.Errorf("the schema is not for %s", report.Schema)
	}
	for name, rep := range runs(t) {
		c := &checker{root: root}
		c.check(root, reportJSON(t, rep), "report")
		slices.Sort(c.undefined)
		for _, e := range c.errs {
			t.Errorf("%s run: %s", name, e)
		}
		for _, u := range c.undefined {
			t.Errorf("%s run: %s is not in schema/report.schema.json", name, u)
		}
	}
}

// The checker finds what it should.
func TestCheckerCatches(t *testing.T) {
	var root node
	json.Unmarshal(Report, &root)
	c := &checker{root: root}
	c.check(root, map[string]any{"schema": "vmemu.run/9", "cycles": -1.0, "levels": []any{map[string]any{"name": 3.0}}, "nope": 1.0}, "r")
	got := strings.Join(c.errs, "\n")
	for _, want := range []string{"r.schema: vmemu.run/9, want vmemu.run/2", "r.cycles: -1 is below 0", "r: no instructions", "r.levels[0].name: float64 is not string"} {
		if !strings.Contains(got, want) {
			t.Errorf("missed %q in:\n%s", want, got)
		}
	}
	if !slices.Equal(c.undefined, []string{"r.nope"}) {
		t.Errorf("undefined %v", c.undefined)
	}
}
