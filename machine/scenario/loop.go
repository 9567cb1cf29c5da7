package scenario

import (
	"fmt"
	"strings"

	"github.com/vmemu/vmemu/traces"
)

// loopState is where the loops of the running line are: each variable's
// value and the end of its range (outermost first), and how many times
// the line has run.
type loopState struct {
	vals, ends []uint64
	runs       uint64
}

// enterLoops starts the loops of the line at their first values. Ranges
// that do not change with the outer loops' values are held to
// MaxLoopRuns together at once; others as the line runs.
func (r *scenarioRun) enterLoops() error {
	l := &r.loop
	l.runs = 1
	if err := r.startLoops(0); err != nil {
		return err
	}
	runs := uint64(1)
	for k := range l.vals {
		if runs *= l.ends[k] - l.vals[k] + 1; runs > traces.MaxLoopRuns {
			return r.tooManyRuns()
		}
	}
	return nil
}

func (r *scenarioRun) tooManyRuns() error {
	return r.errAt(r.line, traces.Token{Col: int32(r.line.Loops[0].Col)}, "loop",
		"the line's loops would run it more than %d times (2^20), the most they may", traces.MaxLoopRuns)
}

// startLoops starts the line's loops k and inside at their first values,
// each range evaluated with the values of the loops outside it.
func (r *scenarioRun) startLoops(k int) error {
	line, l := r.line, &r.loop
	l.vals, l.ends = l.vals[:k], l.ends[:k]
	for ; k < len(line.Loops); k++ {
		lp := &line.Loops[k]
		from, err := r.num(line, lp.From)
		if err != nil {
			return err
		}
		to, err := r.num(line, lp.To)
		if err != nil {
			return err
		}
		switch {
		case to < from:
			return r.errAt(line, lp.From, "loop", "the range of %s, %d..%d, is empty: its end is below its start", lp.Var, from, to)
		case to-from >= traces.MaxLoopRuns:
			return r.errAt(line, lp.From, "loop", "the range of %s, %d..%d, has more than %d values (2^20), the most a loop may run",
				lp.Var, from, to, traces.MaxLoopRuns)
		}
		l.vals, l.ends = append(l.vals, from), append(l.ends, to)
	}
	return nil
}

// nextIteration moves the line's loops to their next values, the innermost
// first; false when they are over.
func (r *scenarioRun) nextIteration() (bool, error) {
	l := &r.loop
	for k := len(l.vals) - 1; k >= 0; k-- {
		if l.vals[k] == l.ends[k] {
			continue
		}
		if l.runs++; l.runs > traces.MaxLoopRuns {
			return false, r.tooManyRuns()
		}
		l.vals[k]++
		return true, r.startLoops(k + 1)
	}
	l.vals, l.ends = l.vals[:0], l.ends[:0]
	return false, nil
}

// where names the loop variables' values, as "i=3 j=0".
func (l *loopState) where(line *traces.ScenarioOp) string {
	var b strings.Builder
	for i, v := range l.vals {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%d", line.Loops[i].Var, v)
	}
	return b.String()
}
