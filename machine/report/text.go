package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// WriteText prints the report as tables for a terminal.
func (r *Report) WriteText(w io.Writer) error {
	p := &printer{w: w}
	p.f("vmemu run: %s (%s) on %s%s\n", r.Trace.Path, r.Trace.Format, r.Config, r.OverrideArgs())
	if r.Version != "" {
		p.f("vmemu version %s\n", r.Version)
	}
	p.f("\n")
	p.f("instructions %12s\n", Group(r.Instructions))
	p.f("cycles       %12s   IPC %.3f\n", Group(r.Cycles), r.IPC)
	p.f("accesses  %15s   AMAT %.2f cycles\n", Group(r.Accesses), r.AMAT)
	for _, k := range r.Kinds {
		p.f("  %-8s%15s   AMAT %.2f cycles\n", k.Kind, Group(k.Accesses), k.AMAT)
	}
	p.f("\n%-8s %14s %14s %14s %9s %13s %13s\n", "level", "accesses", "hits", "misses", "miss rate", "evictions", "writebacks")
	for _, l := range r.Levels {
		p.f("%-8s %14s %14s %14s %8.3f%% %13s %13s\n", l.Name, Group(l.Accesses), Group(l.Hits), Group(l.Misses),
			100*l.MissRate, Group(l.Evictions), Group(l.Writebacks))
	}
	p.f("%-8s %14s reads %s writes\n", "memory", Group(r.Memory.Reads), Group(r.Memory.Writes))
	r.writePrefetchText(p)
	if d := r.DRAM; d != nil {
		p.f("dram     %s: row hits %.1f%% (%s hits, %s misses, %s conflicts), read latency %.1f DRAM cycles mean, p50 %d p95 %d p99 %d\n",
			r.DRAMName, 100*d.RowHitRate, Group(d.RowHits), Group(d.RowMisses), Group(d.RowConflicts),
			d.ReadLatencyMean, d.ReadLatencyP50, d.ReadLatencyP95, d.ReadLatencyP99)
		p.f("         ACT %s  PRE %s  RD %s  WR %s  REF %s, %.2f GB/s\n",
			Group(d.ACT), Group(d.PRE), Group(d.RD), Group(d.WR), Group(d.REF), d.BandwidthGBps)
	}
	if tr := r.Translation; tr != nil {
		tr.writeText(p)
	}
	if s := r.Scenario; s != nil {
		s.writeText(p)
	}
	p.f("\nwhere the cycles went (CPI stack)\n")
	for _, s := range r.Breakdown {
		p.f("  %-12s %15s %6.1f%%\n", s.Level, Group(s.Cycles), 100*s.Fraction)
	}
	if c := r.Cachegrind; c != nil {
		p.f("\ncachegrind events (LL = %s)\n", r.Levels[len(r.Levels)-1].Name)
		p.f("  I refs %s  I1 misses %s  LLi misses %s\n", Group(c.Ir), Group(c.I1mr), Group(c.ILmr))
		p.f("  D reads %s  D1 read misses %s  LLd read misses %s\n", Group(c.Dr), Group(c.D1mr), Group(c.DLmr))
		p.f("  D writes %s  D1 write misses %s  LLd write misses %s\n", Group(c.Dw), Group(c.D1mw), Group(c.DLmw))
	}
	if len(r.Cores) > 0 {
		r.writeCores(p)
	}
	return p.err
}

// writePrefetchText prints a line per level with a prefetcher.
func (r *Report) writePrefetchText(p *printer) {
	for _, l := range r.Levels {
		if f := l.Prefetch; f != nil {
			p.f("prefetch %-4s %s: %s issued (%s below), %s dropped, %s useful (%s late), %s useless, accuracy %.1f%%, coverage %.1f%%\n",
				l.Name, f.Name, Group(f.Issued), Group(f.Below), Group(f.Dropped), Group(f.Useful), Group(f.Late), Group(f.Useless),
				100*f.Accuracy, 100*f.Coverage)
		}
	}
}

// OverrideArgs writes the overrides as the command line gave them:
// " --set k=v --set k2=v2".
func (r *Report) OverrideArgs() string {
	var b strings.Builder
	for _, o := range r.Overrides {
		arg := o.Key + "=" + o.Value
		if strings.ContainsAny(arg, " \t'\"$`\\|&;<>()*?[]{}~!#") {
			arg = "'" + strings.ReplaceAll(arg, "'", `'\''`) + "'"
		}
		b.WriteString(" --set " + arg)
	}
	return b.String()
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, a ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, a...)
	}
}

// Group writes n with thousands separators (1,234,567).
func Group(n uint64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func sortedKeys(m map[string]uint64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
