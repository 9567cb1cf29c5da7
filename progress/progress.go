// Package progress draws one progress bar on standard error, with the rate
// and the time left, for long replays and sweeps. It draws only when the
// output is a terminal, so logs and pipes never fill with bar frames, and
// --quiet turns it off. A silent Bar costs nearly nothing: every method
// returns at once.
package progress

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/vbauerster/cupwriter"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// Bar is one progress bar. Its methods do nothing on a nil or silent Bar,
// so callers need not test whether it is shown.
type Bar struct {
	p    *mpb.Progress
	bar  *mpb.Bar
	done atomic.Bool
}

// New returns a bar on standard error counting to total (0 or less: not
// known yet, and the bar shows the count alone, with no time left, until
// SetTotal gives one). It is silent when quiet is set or when
// standard error is not a terminal.
func New(total int64, label string, quiet bool) *Bar {
	return NewTo(os.Stderr, total, label, quiet)
}

// NewTo is New on another writer; it draws only if w is a terminal.
func NewTo(w io.Writer, total int64, label string, quiet bool) *Bar {
	if quiet || !IsTerminal(w) {
		return &Bar{}
	}
	return start(w, total, label, mpb.WithOutput(w))
}

// IsTerminal says whether w is a terminal, where a bar can redraw itself.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && cupwriter.New(f, false).IsTerminal()
}

// start makes a shown bar; opts say where it draws.
func start(w io.Writer, total int64, label string, opts ...mpb.ContainerOption) *Bar {
	opts = append(opts, mpb.WithWidth(40), mpb.WithRefreshRate(150*time.Millisecond))
	p := mpb.New(opts...)
	began := time.Now()
	bar := p.AddBar(max(total, 0),
		mpb.PrependDecorators(decor.Name(label, decor.WC{C: decor.DindentRight | decor.DextraSpace}),
			decor.Any(counts, decor.WCSyncSpace)),
		mpb.AppendDecorators(decor.Any(func(s decor.Statistics) string { return rate(s.Current, time.Since(began)) }, decor.WCSyncSpace),
			decor.Any(func(s decor.Statistics) string { return left(s, time.Since(began)) }, decor.WCSyncSpace)),
	)
	return &Bar{p: p, bar: bar}
}

// Add counts n more units of work done.
func (b *Bar) Add(n int64) {
	if b == nil || b.bar == nil || n == 0 {
		return
	}
	b.bar.IncrInt64(n)
}

// SetTotal changes the amount of work, when it becomes known or changes.
func (b *Bar) SetTotal(total int64) {
	if b == nil || b.bar == nil {
		return
	}
	b.bar.SetTotal(total, false)
}

// Done completes the bar at what was counted and waits until it is drawn
// for the last time. It may be called more than once.
func (b *Bar) Done() {
	if b == nil || b.bar == nil || b.done.Swap(true) {
		return
	}
	b.bar.SetTotal(-1, true)
	b.p.Wait()
}

// counts writes the work done, out of the total when there is one: a bar
// whose total is not known says nothing of one rather than a wrong one.
func counts(s decor.Statistics) string {
	if s.Total <= 0 {
		return strconv.FormatInt(s.Current, 10)
	}
	return fmt.Sprintf("%d/%d", s.Current, s.Total)
}

// left writes the time left at the average rate so far, "done" at the
// end, and nothing while the total is not known or nothing is done yet.
func left(s decor.Statistics, elapsed time.Duration) string {
	switch {
	case s.Completed:
		return "done"
	case s.Total <= 0 || s.Current <= 0 || elapsed <= 0:
		return ""
	}
	per := float64(elapsed) / float64(s.Current)
	return time.Duration(per * float64(max(s.Total-s.Current, 0))).Round(time.Second).String()
}

// rate writes n per elapsed second with an SI prefix: "12.3M/s".
func rate(n int64, elapsed time.Duration) string {
	if elapsed <= 0 {
		return "-/s"
	}
	r := float64(n) / elapsed.Seconds()
	for _, u := range []struct {
		div    float64
		prefix string
	}{{1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if r >= u.div {
			return fmt.Sprintf("%.1f%s/s", r/u.div, u.prefix)
		}
	}
	return fmt.Sprintf("%.1f/s", r)
}
