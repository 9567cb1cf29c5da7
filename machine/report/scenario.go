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
	// major: each fault once), its SIGSEGVs (segv) and, when it had any,
	// SIGBUSes (sigbus), then the breakdown of the faults (cow, reuse,
	// zero_page, thp, ...; see the schema).
	Faults Counts `json:"faults"`
	// Signals are every signal an access got, SIGBUS too (the key is
	// older).
	Signals []SignalInfo `json:"sigsegv"`
	Stdout  string       `json:"stdout"`
}

// FaultsShown is how many of a process's fault counts the table shows
// (minor, major, segv); the breakdown follows on lines of its own.
const FaultsShown = 3

// SignalInfo is one signal an access got: which, where and why.
type SignalInfo struct {
	Signal string `json:"signal"` // SIGSEGV or SIGBUS
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
	// Loop is the values of the line's loop variables ("i=3 j=0") when
	// the line has loops.
	Loop string `json:"loop,omitempty"`
}

func (s *ScenarioReport) writeText(p *printer) {
	p.f("\n%-6s %10s %10s %10s  %s\n", "pid", "minor", "major", "segv", "stdout")
	for _, pr := range s.Processes {
		p.f("%-6d %10s %10s %10s  %d bytes\n", pr.PID, Group(pr.Faults.Get("minor")), Group(pr.Faults.Get("major")),
			Group(pr.Faults.Get("segv")), len(pr.Stdout))
	}
	t := s.Total
	p.f("%-6s %10s %10s %10s\n", "total", Group(t.Get("minor")), Group(t.Get("major")), Group(t.Get("segv")))
	for _, pr := range s.Processes {
		p.f("faults of pid %d: %s\n", pr.PID, pr.Faults.nonZero(FaultsShown))
	}
	p.f("pages swapped out %s, in %s; COW copies %s; file pages written back %s\n",
		Group(s.SwapOuts), Group(s.SwapIns), Group(s.COWCopies), Group(s.Writebacks))
	if d := s.Disk; d != nil {
		p.f("disk: %s reads (%s B), %s writes (%s B), busy %s cycles, %.0f cycles a request on average\n",
			Group(d.Reads), Group(d.BytesRead), Group(d.Writes), Group(d.BytesWritten), Group(d.BusyCycles), d.AvgLatencyCycles)
	}
	for _, pr := range s.Processes {
		for _, sg := range pr.Signals {
			p.f("%s: pid %d, %s at %#x: %s\n", sg.Signal, pr.PID, sg.Access, sg.Addr, sg.Cause)
		}
	}
	for _, e := range s.Errors {
		p.f("line %d: pid %d %s returned %s\n", e.Line, e.PID, e.Call, e.Errno)
	}
	for _, m := range s.Mismatches {
		where := ""
		if m.Loop != "" {
			where = " (" + m.Loop + ")"
		}
		p.f("line %d%s: MISMATCH: want %s, got %s\n", m.Line, where, m.Want, m.Got)
	}
	if len(s.Mismatches) == 0 {
		p.f("every stated value matched\n")
	}
}
