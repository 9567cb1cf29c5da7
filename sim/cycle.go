package sim

import "math"

// Cycle is a point in time or a duration, in core clock cycles.
type Cycle uint64

// Never is a cycle that does not come: the ready time of something whose
// completion is not yet known.
const Never Cycle = math.MaxUint64

// Max returns the later of two cycles.
func Max(a, b Cycle) Cycle {
	if a > b {
		return a
	}
	return b
}

// Ratio converts counts of one clock into another exactly: n ticks of the
// source clock last n*Num/Den target cycles. Conversions round up, so an event
// is never seen before it happened.
type Ratio struct{ Num, Den uint64 }

// NewRatio returns the ratio that turns ticks of a clock at fromHz into cycles
// of a clock at toHz, reduced to lowest terms.
func NewRatio(fromHz, toHz uint64) Ratio {
	g := gcd(fromHz, toHz)
	return Ratio{Num: toHz / g, Den: fromHz / g}
}

// Convert turns n source ticks into target cycles, rounding up.
func (r Ratio) Convert(n uint64) uint64 {
	if r.Den == 1 {
		return n * r.Num
	}
	q, rem := n/r.Den, n%r.Den
	return q*r.Num + (rem*r.Num+r.Den-1)/r.Den
}

// Back turns target cycles into whole source ticks, rounding down: the number
// of source ticks that have completed by then.
func (r Ratio) Back(c uint64) uint64 {
	if r.Num == 1 {
		return c * r.Den
	}
	q, rem := c/r.Num, c%r.Num
	return q*r.Den + rem*r.Den/r.Num
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	if a == 0 {
		return 1
	}
	return a
}
