package sweep

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"

	"github.com/vmemu/vmemu/outfile"
)

// Options change how a sweep runs.
type Options struct {
	Jobs        int   // points run at once; 0: one per core
	Shard       Shard // this process's part of the plan; zero: all of it
	RetryFailed bool  // run again the points whose result is a failure
	Version     string
	// Progress, if set, hears of every point done or found done.
	Progress interface{ Add(int64) }
	// Note, if set, hears what the user should know (a stale lock taken
	// over).
	Note func(string)
}

// Summary counts what a run did.
type Summary struct {
	Points  int // in this shard
	Skipped int // done by an earlier run
	Ran     int
	Failed  int      // of those run
	Errors  []string // "ID: error" of the points that failed
	Notes   []string // metrics some reports lacked, once each
}

// gcPercent is the garbage collector's target while points run.
const gcPercent = 400

// Run runs the points of one shard of a sweep that have no result yet,
// opt.Jobs at a time, each result written whole or not at all. When ctx
// is cancelled it starts no more points, lets the running ones finish and
// returns ctx's error: running again finishes the rest.
func Run(ctx context.Context, s *Sweep, opt Options) (Summary, error) {
	points := Plan(s)
	unlock, err := Lock(s.Output, opt.Shard, opt.Note)
	if err != nil {
		return Summary{}, err
	}
	defer unlock()
	if err := Prepare(s, points); err != nil {
		return Summary{}, err
	}
	mine := opt.Shard.Of(points)
	removeTemps(s.Output, mine)
	jobs := opt.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	// Each point builds a whole machine (megabytes of tags and tables) and
	// keeps little of it: collecting garbage less often saves about a third
	// of a short point's time, for a few machines' worth of memory.
	defer debug.SetGCPercent(debug.SetGCPercent(gcPercent))
	r := &runner{env: env{dir: s.Dir, allowHost: s.AllowHost, metrics: s.Metrics, version: opt.Version, host: hostname()}, out: s.Output, opt: opt}
	r.sum.Points = len(mine)
	ctx, r.stop = context.WithCancel(ctx)
	defer r.stop()
	work := feed(ctx, mine)
	var wg sync.WaitGroup
	for range min(jobs, max(len(mine), 1)) {
		wg.Go(func() {
			defer r.catch()
			for p := range work {
				r.do(p)
			}
		})
	}
	wg.Wait()
	if r.panicked != nil {
		panic(r.panicked) // in the caller's goroutine, where it can be reported
	}
	if r.err != nil {
		return r.sum, r.err
	}
	return r.sum, ctx.Err()
}

// runner is one run's shared state, for its workers.
type runner struct {
	env
	out  string
	opt  Options
	stop context.CancelFunc // a result that cannot be written stops the run

	mu       sync.Mutex
	sum      Summary
	err      error
	panicked *WorkerPanic
}

// WorkerPanic is a panic of a sweep worker outside a point's run (which
// fails only its point), raised again by Run in its caller's goroutine.
type WorkerPanic struct {
	Value any
	Stack []byte // the worker's
}

func (p *WorkerPanic) Error() string {
	return fmt.Sprintf("in a sweep worker: %v\n\n%s", p.Value, p.Stack)
}

// catch stops the run on a worker's panic and keeps it for Run.
func (r *runner) catch() {
	if v := recover(); v != nil {
		r.mu.Lock()
		if r.panicked == nil {
			r.panicked = &WorkerPanic{Value: v, Stack: debug.Stack()}
		}
		r.mu.Unlock()
		r.stop()
	}
}

// workerHook, when set (by a test), runs in the worker before each point.
var workerHook func(Point)

func (r *runner) do(p Point) {
	if workerHook != nil {
		workerHook(p)
	}
	o, err := r.point(r.out, p, r.opt.RetryFailed)
	r.mu.Lock()
	if err != nil && r.err == nil {
		r.err = err
		r.stop()
	}
	r.sum.add(o, err)
	r.mu.Unlock()
	if r.opt.Progress != nil {
		r.opt.Progress.Add(1)
	}
}

// feed hands out points until they run out or ctx is cancelled.
func feed(ctx context.Context, points []Point) <-chan Point {
	ch := make(chan Point)
	go func() {
		defer close(ch)
		for _, p := range points {
			if ctx.Err() != nil {
				return
			}
			select {
			case ch <- p:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

// outcome is what happened to one point in this run.
type outcome struct {
	skipped bool
	res     Result
}

// add counts one point; a point whose result could not be written is
// not counted (the run's error says why).
func (sum *Summary) add(o outcome, err error) {
	if err != nil {
		return
	}
	if o.skipped {
		sum.Skipped++
		return
	}
	sum.Ran++
	if o.res.Status == Failed {
		sum.Failed++
		sum.Errors = append(sum.Errors, o.res.ID+": "+o.res.Error)
	}
	for _, m := range o.res.Missing {
		if !slices.Contains(sum.Notes, m) {
			sum.Notes = append(sum.Notes, m)
		}
	}
}

// point runs p unless a valid result is there already. The error is for
// what stops the sweep (a result that cannot be written), not for the
// point's own failure, which is its result.
func (e *env) point(out string, p Point, retryFailed bool) (outcome, error) {
	path := ResultPath(out, p.ID)
	if e.done(path, p, retryFailed) {
		return outcome{skipped: true}, nil
	}
	res := e.runPoint(p)
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return outcome{}, err
	}
	return outcome{res: res}, outfile.WriteFile(path, append(data, '\n'))
}

// done says whether path holds a complete result for p, made from the
// same configuration and trace as p would run now. A changed base file or
// trace makes the point run again.
func (e *env) done(path string, p Point, retryFailed bool) bool {
	old, err := ReadResult(path)
	if err != nil || old.ID != p.ID || (old.Status == Failed && retryFailed) {
		return false
	}
	if old.Status == Failed && old.Provenance.ConfigHash == "" {
		return true // failed before it had a configuration: nothing to compare
	}
	pr, err := prepare(e.dir, p)
	if err != nil || pr.hash != old.Provenance.ConfigHash {
		return false
	}
	sum, err := e.hashes.get(tracePath(e.dir, p.Trace))
	return err == nil && sum == old.Provenance.TraceSHA256
}
