package report

// ScenarioReport is what a scenario's processes did.
type ScenarioReport struct {
	Processes []ProcessReport `json:"processes"`
	// Total adds up the processes' faults.
	Total      Counts      `json:"total"`
	SwapOuts   uint64      `json:"swap_outs"`
	SwapIns    uint64      `json:"swap_ins"`
	COWCopies  uint64      `json:"cow_copies"`
	Writebacks uint64      `json:"writebacks"`
	Disk       *DiskReport `json:"disk,omitempty"`
	// Mismatches are the loads and calls whose results differ from the
	// scenario's "==": any fails the run.
	Mismatches []Mismatch     `json:"mismatches"`
	Errors     []SyscallError `json:"syscall_errors"`
}

// ProcessReport is one process's faults, signals and output.
type ProcessReport struct {
	PID    int  `json:"pid"`
	Exited bool `json:"exited"`
	// Faults are the process's faults as getrusage counts them (minor,
	// major: each fault once), its SIGSEGVs (segv), then the breakdown of
	// the faults (cow, reuse, zero_page, thp, ...; see the schema).
	Faults  Counts       `json:"faults"`
	Signals []SignalInfo `json:"sigsegv"`
	Stdout  string       `json:"stdout"`
}

// FaultsShown is how many of a process's fault counts the table shows
// (minor, major, segv); the breakdown follows on lines of its own.
const FaultsShown = 3

// SignalInfo is one SIGSEGV: where and why.
type SignalInfo struct {
	Addr   uint64 `json:"addr"`
	Access string `json:"access"`
	Cause  string `json:"cause"`
}

// SyscallError is a system call that returned an error (the run goes on).
type SyscallError struct {
	Line  int    `json:"line"`
	PID   int    `json:"pid"`
	Call  string `json:"call"`
	Errno string `json:"errno"`
}

// DiskReport is what the disk did.
type DiskReport struct {
	Reads            uint64  `json:"reads"`
	Writes           uint64  `json:"writes"`
	BytesRead        uint64  `json:"bytes_read"`
	BytesWritten     uint64  `json:"bytes_written"`
	BusyCycles       uint64  `json:"busy_cycles"`
	AvgLatencyCycles float64 `json:"avg_latency_cycles"`
}

// Mismatch is a load (or system call) whose result differs from what the
// scenario stated.
type Mismatch struct {
	Line int    `json:"line"`
	Want string `json:"want"`
	Got  string `json:"got"`
}

func (s *ScenarioReport) writeText(p *printer) {
	p.f("\n%-6s %10s %10s %10s  %s\n", "pid", "minor", "major", "segv", "stdout")
	for _, pr := range s.Processes {
		p.f("%-6d %10s %10s %10s  %d bytes\n", pr.PID, group(pr.Faults.Get("minor")), group(pr.Faults.Get("major")),
			group(pr.Faults.Get("segv")), len(pr.Stdout))
	}
	t := s.Total
	p.f("%-6s %10s %10s %10s\n", "total", group(t.Get("minor")), group(t.Get("major")), group(t.Get("segv")))
	for _, pr := range s.Processes {
		p.f("faults of pid %d: %s\n", pr.PID, pr.Faults.nonZero(FaultsShown))
	}
	p.f("pages swapped out %s, in %s; COW copies %s; file pages written back %s\n",
		group(s.SwapOuts), group(s.SwapIns), group(s.COWCopies), group(s.Writebacks))
	if d := s.Disk; d != nil {
		p.f("disk: %s reads (%s B), %s writes (%s B), busy %s cycles, %.0f cycles a request on average\n",
			group(d.Reads), group(d.BytesRead), group(d.Writes), group(d.BytesWritten), group(d.BusyCycles), d.AvgLatencyCycles)
	}
	for _, pr := range s.Processes {
		for _, sg := range pr.Signals {
			p.f("SIGSEGV: pid %d, %s at %#x: %s\n", pr.PID, sg.Access, sg.Addr, sg.Cause)
		}
	}
	for _, e := range s.Errors {
		p.f("line %d: pid %d %s returned %s\n", e.Line, e.PID, e.Call, e.Errno)
	}
	for _, m := range s.Mismatches {
		p.f("line %d: MISMATCH: want %s, got %s\n", m.Line, m.Want, m.Got)
	}
	if len(s.Mismatches) == 0 {
		p.f("every stated value matched\n")
	}
}
