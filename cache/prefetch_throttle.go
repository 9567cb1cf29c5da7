package cache

// throttle holds a prefetcher back while its prefetches are not used, as
// feedback-directed prefetching does (Srinath, Mutlu, Kim and Patt,
// "Feedback Directed Prefetching", HPCA 2007): at the end of every epoch
// of 256 issued prefetches, an accuracy (uses over issues, both counted in
// the epoch) of 75% or more makes it one step more aggressive, under 40%
// one step less (FDP's A_high and A_low). Its steps let 1, 1/2, 1/4, 1/8
// or 1/16 of the prefetches asked for through, counted, not drawn: so a
// prefetcher whose prefetches are never used adds at most a sixteenth of
// what it asks, after four epochs. FDP changes a stream prefetcher's
// distance and degree instead; this works the same for any prefetcher.
type throttle struct {
	on             bool
	step           uint8  // lets one prefetch in 2^step through
	skipped        uint32 // asked for since the last one let through
	issues, useful uint32 // in this epoch
}

const (
	throttleEpoch = 256
	throttleSteps = 4
	throttleHigh  = 75 // percent
	throttleLow   = 40
)

// pass reports whether a prefetch asked for may go.
func (t *throttle) pass() bool {
	if !t.on {
		return true
	}
	if t.skipped++; t.skipped < 1<<t.step {
		return false
	}
	t.skipped = 0
	return true
}

// issued counts a prefetch sent, ending the epoch on its last.
func (t *throttle) issued() {
	if !t.on {
		return
	}
	if t.issues++; t.issues < throttleEpoch {
		return
	}
	switch acc := 100 * t.useful / t.issues; {
	case acc >= throttleHigh && t.step > 0:
		t.step--
	case acc < throttleLow && t.step < throttleSteps:
		t.step++
	}
	t.issues, t.useful = 0, 0
}

// used counts the first use of a line a prefetch brought.
func (t *throttle) used() { t.useful++ }
