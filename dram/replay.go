package dram

import (
	"fmt"
	"io"
	"strings"

	"github.com/vmemu/vmemu/sim"
)

// Result is what a replay measured. Cycles are DRAM cycles; the JSON keys
// are the stable names `emu dram --json` prints, the controller's counts
// (Summary) under the same keys as the dram object of emu run --json.
type Result struct {
	Preset           string  `json:"preset"`
	EndCycle         uint64  `json:"end_cycle"`
	AvgReadLatencyNs float64 `json:"avg_read_latency_ns"`
	TCKNs            float64 `json:"tck_ns"`
	// Summary's bandwidth here is over the replay, to EndCycle.
	Summary
}

// Replay runs the controller alone on a request trace (the sources one
// after another) with the semantics of `emu dram`: requests enter in
// order, at most one per DRAM cycle and never before their cycle, the head
// retried until the controller accepts it; the run ends when every read has
// returned (or the last request entered, if that is later). Bandwidth is
// requests x line bytes / (end cycle x tCK). A malformed line or an address
// beyond the capacity is an error naming the file and line.
func Replay(cfg Config, sources ...RecordSource) (Result, error) {
	return replay(cfg, nil, sources)
}

// replay is Replay with a hook that sees every command (for tests).
func replay(cfg Config, trace func(ch int, c command, t uint64), sources []RecordSource) (Result, error) {
	var eng sim.Engine
	ctl, err := New(&eng, cfg, cfg.ClockHz, nil, "")
	if err != nil {
		return Result{}, err
	}
	ctl.traceCmd = trace
	d := &replayer{ctl: ctl, sources: sources}
	ctl.onAdmit = d.admitted
	ctl.standalone = true
	d.feed(0)
	eng.Run()
	if d.err != nil {
		return Result{}, d.err
	}
	end := max(d.lastData, d.lastAdmit)
	ctl.Settle(sim.Cycle(end))
	return makeResult(cfg, ctl.Summary(), end), nil
}

// replayer feeds trace records to the controller one at a time: the next
// enters the ingress only once the previous one has been admitted, which
// gives in-order entry, one per cycle, head retried.
type replayer struct {
	ctl       *Controller
	sources   []RecordSource
	err       error
	free      []*sim.Request
	lastData  uint64
	lastAdmit uint64
	admits    uint64
}

func (d *replayer) admitted(t uint64) {
	d.lastAdmit = t
	d.admits++
	d.feed(t + 1)
}

// feed presents the next record at cycle from or later.
func (d *replayer) feed(from uint64) {
	rec, ok := d.next()
	if !ok {
		return
	}
	req := d.request()
	req.Addr, req.Size, req.Issued = rec.Addr, uint32(d.ctl.line), sim.Cycle(rec.Cycle)
	req.Kind, req.Done = sim.Load, d
	if rec.Write {
		req.Kind, req.Done = sim.Store, nil
	}
	d.ctl.Access(sim.Cycle(max(rec.Cycle, from)), req)
	if rec.Write {
		d.free = append(d.free, req) // posted: the controller kept what it needs
	}
}

func (d *replayer) next() (Record, bool) {
	for d.err == nil && len(d.sources) > 0 {
		rec, err := d.sources[0].Next()
		if err == io.EOF {
			d.sources = d.sources[1:]
			continue
		}
		if err != nil {
			d.err = err
			return Record{}, false
		}
		if capacity := d.ctl.mapping.Capacity(); rec.Addr >= capacity {
			d.err = &TraceError{File: sourceName(d.sources[0]), Line: rec.Line, Field: "address",
				Msg: fmt.Sprintf("%#x is beyond the capacity of %s (%d bytes)", rec.Addr, d.ctl.cfg.Name, capacity)}
			return Record{}, false
		}
		if rec.Cycle > MaxCycle { // a source other than TraceReader
			d.err = &TraceError{File: sourceName(d.sources[0]), Line: rec.Line, Field: "cycle", Msg: cycleTooLate(rec.Cycle)}
			return Record{}, false
		}
		return rec, true
	}
	return Record{}, false
}

func sourceName(s RecordSource) string {
	if n, ok := s.(interface{ Name() string }); ok {
		return n.Name()
	}
	return "trace"
}

func (d *replayer) request() *sim.Request {
	if n := len(d.free); n > 0 {
		r := d.free[n-1]
		d.free = d.free[:n-1]
		return r
	}
	return &sim.Request{}
}

// Complete is a read's data coming back (sim.Requester).
func (d *replayer) Complete(req *sim.Request, at sim.Cycle) {
	d.lastData = max(d.lastData, uint64(at))
	d.free = append(d.free, req)
}

func makeResult(cfg Config, s Summary, end uint64) Result {
	tck := cfg.TCKNanos()
	r := Result{Preset: cfg.Name, EndCycle: end, AvgReadLatencyNs: s.ReadLatencyMean * tck, TCKNs: tck, Summary: s}
	r.BandwidthGBps = 0 // the controller's is over its own cycles
	if end > 0 {
		bytes := float64(s.Reads+s.Writes) * float64(cfg.Geometry.LineBytes())
		r.BandwidthGBps = bytes / (float64(end) * tck) // bytes per ns = GB/s
	}
	return r
}

// Text is the human-readable report of a replay.
func (r Result) Text() string {
	var b strings.Builder
	row := func(name, format string, args ...any) {
		fmt.Fprintf(&b, "%-26s "+format+"\n", append([]any{name}, args...)...)
	}
	row("preset", "%s (tCK %.4f ns)", r.Preset, r.TCKNs)
	row("end cycle", "%d", r.EndCycle)
	row("reads", "%d (forwarded from writes: %d)", r.Reads, r.ForwardedReads)
	row("writes", "%d (merged: %d)", r.Writes, r.MergedWrites)
	row("avg read latency", "%.2f cycles = %.2f ns", r.ReadLatencyMean, r.AvgReadLatencyNs)
	row("read latency p50/p95/p99", "%d / %d / %d cycles", r.ReadLatencyP50, r.ReadLatencyP95, r.ReadLatencyP99)
	row("bandwidth", "%.3f GB/s", r.BandwidthGBps)
	row("row hit rate", "%.4f (hits %d, misses %d, conflicts %d)", r.RowHitRate, r.RowHits, r.RowMisses, r.RowConflicts)
	row("commands", "ACT %d  PRE %d  RD %d  WR %d  REF %d", r.ACT, r.PRE, r.RD, r.WR, r.REF)
	row("avg queue occupancy", "read %.2f  write %.2f entries", r.AvgReadQueue, r.AvgWriteQueue)
	return b.String()
}
