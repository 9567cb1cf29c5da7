package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vmemu/vmemu/machine"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/machine/report"
	"github.com/vmemu/vmemu/machine/scenario"
	"github.com/vmemu/vmemu/quote"
	"github.com/vmemu/vmemu/traces"
)

// ResultSchema names the version of a result file.
const ResultSchema = "vmemu.sweep-result/1"

// Statuses of a point.
const (
	OK      = "ok"
	Failed  = "failed"
	Missing = "missing" // in collected tables: planned, never run
)

// Result is what one point's run left: its metrics or its error, and
// where they came from. It is the file results/ID.json.
type Result struct {
	Schema     string                     `json:"schema"`
	ID         string                     `json:"id"`
	Status     string                     `json:"status"`
	Error      string                     `json:"error,omitempty"`
	Point      Point                      `json:"point"`
	Metrics    map[string]json.RawMessage `json:"metrics,omitempty"`
	Missing    []string                   `json:"missing_metrics,omitempty"`
	Provenance Provenance                 `json:"provenance"`
}

// Provenance says how a result was made, so it can be trusted and redone.
type Provenance struct {
	EmuVersion  string  `json:"emu_version"`
	ConfigHash  string  `json:"config_hash"` // sha256 of every key=value of the configuration that ran
	TracePath   string  `json:"trace_path"`
	TraceSHA256 string  `json:"trace_sha256"`
	Seed        uint64  `json:"seed"`
	WallSeconds float64 `json:"wall_seconds"`
	Host        string  `json:"host"`
	Finished    string  `json:"finished"` // RFC 3339, UTC
}

// env is what every point of a run shares.
type env struct {
	dir       string   // the sweep file's folder
	allowHost []string // what scenarios may read besides their folder
	metrics   []string
	version   string
	host      string
	hashes    hashCache
}

// prepared is a point made ready to run: its configuration (with a
// scenario's own settings under the point's), and the scenario if the
// trace is one.
type prepared struct {
	cfg      *config.Config
	scenario *traces.Scenario
	hash     string
}

func isScenario(trace string) bool { return strings.HasSuffix(trace, ".emu") }

// prepare builds a point's configuration: the base, then a scenario's set
// lines, then the point's keys, then its seed.
func prepare(dir string, p Point) (*prepared, error) {
	cfg, err := config.Load(baseSpec(dir, p.Base))
	if err != nil {
		return nil, err
	}
	pr := &prepared{cfg: cfg}
	sets := p.Set
	if isScenario(p.Trace) {
		if pr.scenario, err = traces.ReadScenario(tracePath(dir, p.Trace)); err != nil {
			return nil, err
		}
		sets = append(pr.scenario.Settings(), sets...)
	}
	for _, s := range sets {
		if err := cfg.SetArg(s); err != nil {
			return nil, err
		}
	}
	if p.Seed != nil {
		if err := cfg.Set("seed", strconv.FormatUint(*p.Seed, 10)); err != nil {
			return nil, err
		}
	}
	pr.hash = configHash(cfg)
	return pr, nil
}

// configHash hashes every key's value as written, so two points whose
// keys end with the same values have the same hash, whether a base file,
// a parameter or a scenario set them.
func configHash(cfg *config.Config) string {
	h := sha256.New()
	for _, k := range cfg.Keys() {
		fmt.Fprintf(h, "%s=%s\n", k.Name, cfg.Get(k.Name))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// runPoint runs one point and returns its result, failed or not; a panic
// in the simulator fails the point, not the sweep.
func (e *env) runPoint(p Point) (res Result) {
	start := time.Now()
	res = Result{Schema: ResultSchema, ID: p.ID, Status: OK, Point: p}
	res.Provenance = Provenance{EmuVersion: e.version, TracePath: p.Trace, Host: e.host}
	defer func() {
		if v := recover(); v != nil {
			res.Status, res.Error, res.Metrics = Failed, fmt.Sprintf("internal error: %v", v), nil
		}
		res.Provenance.WallSeconds = time.Since(start).Seconds()
		res.Provenance.Finished = time.Now().UTC().Format(time.RFC3339)
	}()
	if err := e.simulate(p, &res); err != nil {
		res.Status, res.Error = Failed, quote.Shorten(err.Error())
	}
	return res
}

// simulate fills res from one run of p.
func (e *env) simulate(p Point, res *Result) error {
	sum, err := e.hashes.get(tracePath(e.dir, p.Trace))
	res.Provenance.TraceSHA256 = sum
	if err != nil {
		return err
	}
	pr, err := prepare(e.dir, p)
	if err != nil {
		return err
	}
	res.Provenance.ConfigHash = pr.hash
	res.Provenance.Seed, _ = strconv.ParseUint(pr.cfg.Get("seed"), 10, 64)
	rep, err := e.replay(p, pr)
	if err != nil {
		return err
	}
	res.Metrics, res.Missing, err = pickMetrics(rep, e.metrics)
	return err
}

// replay runs the trace or scenario on a machine built for the point.
func (e *env) replay(p Point, pr *prepared) (*report.Report, error) {
	m, err := machine.Build(pr.cfg)
	if err != nil {
		return nil, err
	}
	defer m.Release() // the worker's next point reuses the cache arrays
	if pr.scenario != nil {
		rep, err := scenario.RunWith(m, pr.scenario, scenario.Options{AllowHost: e.allowHost})
		if err == nil && rep.Scenario != nil && len(rep.Scenario.Mismatches) > 0 {
			err = fmt.Errorf("%s: %d stated values did not match", p.Trace, len(rep.Scenario.Mismatches))
		}
		return rep, err
	}
	r, err := traces.Open(tracePath(e.dir, p.Trace))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	// No second core for parsing here: a sweep's workers already keep
	// every core busy.
	rep, err := m.Run(r, machine.RunOptions{Warmup: p.Warmup, Max: p.Max})
	if rep != nil {
		rep.Trace.Path = p.Trace
	}
	return rep, err
}

// hashCache hashes each trace once per run, however many points read it.
type hashCache struct {
	mu sync.Mutex
	m  map[string]*hashEntry
}

type hashEntry struct {
	once sync.Once
	sum  string
	err  error
}

func (c *hashCache) get(path string) (string, error) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]*hashEntry{}
	}
	e := c.m[path]
	if e == nil {
		e = &hashEntry{}
		c.m[path] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.sum, e.err = fileSHA256(path) })
	return e.sum, e.err
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %v", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
