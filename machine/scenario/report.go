package scenario

import (
	"slices"
	"sort"

	"github.com/vmemu/vmemu/machine"
	"github.com/vmemu/vmemu/machine/report"
	kernel "github.com/vmemu/vmemu/os"
)

// report is what the scenario's processes did, for the run's report: the
// kernel's and the disk's counts from the machine's registry, each
// process's from its own books.
func (r *scenarioRun) report() *report.ScenarioReport {
	s := r.m.Stats.Snapshot()
	out := &report.ScenarioReport{SwapOuts: s.Value("os.swap_outs"), SwapIns: s.Value("os.swap_ins"),
		COWCopies: s.Value("os.cow_copies"), Writebacks: s.Value("os.writebacks"), Mismatches: r.misses, Errors: r.errors}
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
		// The table's columns first: minor, major, segv; then sigbus, if
		// the process had any.
		f := slices.Insert(machine.FaultCounts(&p.Faults), report.FaultsShown-1, report.Count{Name: "segv", N: p.N.Segv})
		if p.N.Sigbus > 0 {
			f = slices.Insert(f, report.FaultsShown, report.Count{Name: "sigbus", N: p.N.Sigbus})
		}
		pr := report.ProcessReport{PID: p.PID, Exited: p.Exited, Faults: f, Stdout: p.Stdout.String(),
			Signals: []report.SignalInfo{}}
		for i, s := range p.Signals {
			pr.Signals = append(pr.Signals, report.SignalInfo{Signal: p.SignalNames[i], Addr: s.VA, Access: s.Kind.String(),
				Cause: p.SignalReasons[i]})
		}
		out.Processes = append(out.Processes, pr)
		out.Total = out.Total.Add(f)
	}
	if r.m.Disk != nil {
		v := func(name string) uint64 { return s.Value("disk." + name) }
		reads, writes := v("reads"), v("writes")
		out.Disk = &report.DiskReport{Reads: reads, Writes: writes, BytesRead: v("bytes_read"),
			BytesWritten: v("bytes_written"), BusyCycles: v("busy_cycles")}
		if reads+writes > 0 {
			out.Disk.AvgLatencyCycles = float64(v("latency_sum_cycles")) / float64(reads+writes)
		}
	}
	if out.Mismatches == nil {
		out.Mismatches = []report.Mismatch{}
	}
	if out.Errors == nil {
		out.Errors = []report.SyscallError{}
	}
	return out
}
