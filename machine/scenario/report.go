package scenario

import (
	"sort"

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
		f := report.ProcessFaults{Minor: p.N.Minor, Major: p.N.Major, COW: p.N.COW, Segv: p.N.Segv, Sigbus: p.N.Sigbus,
			SwapIns: p.N.SwapIns}
		pr := report.ProcessReport{PID: p.PID, Exited: p.Exited, Faults: f, Stdout: p.Stdout.String(),
			Signals: []report.SignalInfo{}}
		for i, s := range p.Signals {
			pr.Signals = append(pr.Signals, report.SignalInfo{Signal: p.SignalNames[i], Addr: s.VA, Access: s.Kind.String(),
				Cause: p.SignalReasons[i]})
		}
		out.Processes = append(out.Processes, pr)
		t := &out.Total
		t.Minor, t.Major, t.COW, t.Segv, t.SwapIns = t.Minor+f.Minor, t.Major+f.Major, t.COW+f.COW, t.Segv+f.Segv, t.SwapIns+f.SwapIns
		t.Sigbus += f.Sigbus
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
