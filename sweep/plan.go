package sweep

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
)

// Point is one run of a sweep: a base configuration with keys set, a
// trace, and a seed. Its ID is a hash of exactly these, so it stays the
// same from one planning to the next, on any machine.
type Point struct {
	ID     string   `json:"id"`
	Index  int      `json:"index"` // its place in the plan; shards split on it
	Base   string   `json:"base"`
	Set    []string `json:"set,omitempty"` // key=value, as --set writes them
	Trace  string   `json:"trace"`         // relative to the sweep file's folder unless absolute
	Seed   *uint64  `json:"seed,omitempty"`
	Warmup uint64   `json:"warmup,omitempty"`
	Max    uint64   `json:"max,omitempty"`
}

// canonical is what a point's ID hashes: everything that decides its run,
// and nothing about where it sits in a plan.
type canonical struct {
	Base   string   `json:"base"`
	Set    []string `json:"set"`
	Trace  string   `json:"trace"`
	Seed   *uint64  `json:"seed"`
	Warmup uint64   `json:"warmup"`
	Max    uint64   `json:"max"`
}

// pointID hashes a point's canonical form; 16 hex digits (64 bits) keep
// file names short and collisions out of reach for any real sweep.
func pointID(p Point) string {
	c := canonical{Base: filepath.ToSlash(p.Base), Set: p.Set, Trace: filepath.ToSlash(p.Trace), Seed: p.Seed, Warmup: p.Warmup, Max: p.Max}
	if c.Set == nil {
		c.Set = []string{}
	}
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// Plan lists the sweep's points: every trace, times every combination of
// parameter values (the first parameter varies slowest), times every seed.
func Plan(s *Sweep) []Point {
	var out []Point
	seeds := seedList(s.Seeds)
	for _, tr := range s.Traces {
		for _, set := range combinations(s.Params) {
			for _, seed := range seeds {
				p := Point{Index: len(out), Base: s.Base, Set: set, Trace: tr, Seed: seed, Warmup: s.Warmup, Max: s.Max}
				p.ID = pointID(p)
				out = append(out, p)
			}
		}
	}
	return out
}

func seedList(seeds []uint64) []*uint64 {
	if len(seeds) == 0 {
		return []*uint64{nil}
	}
	out := make([]*uint64, len(seeds))
	for i := range seeds {
		out[i] = &seeds[i]
	}
	return out
}

// combinations is the cartesian product of the parameters' values, each
// as a list of key=value.
func combinations(params []Param) [][]string {
	out := [][]string{nil}
	for _, p := range params {
		var next [][]string
		for _, prefix := range out {
			for _, v := range p.Values {
				set := append(append([]string(nil), prefix...), p.Key+"="+v)
				next = append(next, set)
			}
		}
		out = next
	}
	return out
}

// WritePlan writes points as JSON lines, one point a line.
func WritePlan(w io.Writer, points []Point) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, p := range points {
		if err := enc.Encode(p); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// ReadPlan reads what WritePlan wrote; name is for errors.
func ReadPlan(r io.Reader, name string) ([]Point, error) {
	var out []Point
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for line := 1; sc.Scan(); line++ {
		var p Point
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		if p.ID == "" || p.ID != pointID(p) {
			return nil, fmt.Errorf("%s:%d: id: %q is not the hash of the point", name, line, p.ID)
		}
		out = append(out, p)
	}
	return out, sc.Err()
}

// Shard is one of Count parts of a plan, numbered from 0 as Slurm numbers
// the tasks of an array (--array=0-N-1). Count 0 is the whole plan.
type Shard struct{ Index, Count int }

// ParseShard reads "I/N", 0 <= I < N.
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	index, err1 := strconv.Atoi(i)
	count, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("--shard %s: expected I/N, e.g. 0/8 (I counts from 0)", s)
	}
	sh := Shard{Index: index, Count: count}
	if sh.Count < 1 || sh.Index < 0 || sh.Index >= sh.Count {
		return Shard{}, fmt.Errorf("--shard %s: I must be at least 0 and below N (shards count from 0, as Slurm array task ids do)", s)
	}
	return sh, nil
}

// Of returns the shard's points: every Count-th, from Index, so each
// shard gets a mix of the plan rather than one corner of it.
func (sh Shard) Of(points []Point) []Point {
	if sh.Count <= 1 {
		return points
	}
	var out []Point
	for i := sh.Index; i < len(points); i += sh.Count {
		out = append(out, points[i])
	}
	return out
}
