package scenario

import (
	"slices"
	"sort"

	"github.com/vmemu/vmemu/machine"
	"github.com/vmemu/vmemu/machine/report"
	kernel "github.com/vmemu/vmemu/os"
)

// report is what the scenario's processes did, for the run's report.
func (r *scenarioRun) report() *report.ScenarioReport {
	k := r.k
	out := &report.ScenarioReport{SwapOuts: k.N.SwapOuts, SwapIns: k.N.SwapIns, COWCopies: k.N.COWCopies,
		Writebacks: k.N.Writebacks, Mismatches: r.misses, Errors: r.errors}
	seen := map[int]bool{}
	var ps []*kernel.Process
	for _, p := range r.procs {
		if !seen[p.PID] {
			seen[p.PID] = true
			ps = append(ps, p)
		}
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].PID < ps[j].PID })
	for _, p := range ps {
		// The table's columns first: minor, major, segv.
		f := slices.Insert(machine.FaultCounts(&p.Faults), report.FaultsShown-1, report.Count{Name: "segv", N: p.N.Segv})
		pr := report.ProcessReport{PID: p.PID, Exited: p.Exited, Faults: f, Stdout: p.Stdout.String(),
			Signals: []report.SignalInfo{}}
		for i, s := range p.Signals {
			pr.Signals = append(pr.Signals, report.SignalInfo{Addr: s.VA, Access: s.Kind.String(), Cause: p.SignalReasons[i]})
		}
		out.Processes = append(out.Processes, pr)
		out.Total = out.Total.Add(f)
	}
	if d := r.m.Disk; d != nil {
		n := d.Counters()
		out.Disk = &report.DiskReport{Reads: n.Reads, Writes: n.Writes, BytesRead: n.BytesRead,
			BytesWritten: n.BytesWritten, BusyCycles: n.BusyCycles, AvgLatencyCycles: n.AvgLatencyCycles()}
	}
	if out.Mismatches == nil {
		out.Mismatches = []report.Mismatch{}
	}
	if out.Errors == nil {
		out.Errors = []report.SyscallError{}
	}
	return out
}
