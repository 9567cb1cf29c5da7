package cpu

import (
	"errors"
	"fmt"
	"strings"

	"github.com/vmemu/vmemu/sim"
)

// Model names a kind of core: one registered with register (see
// models.go). InOrder and OOO are built in.
type Model string

const (
	// InOrder blocks on every access: the coursework model.
	InOrder Model = "inorder"
	// OOO keeps a window of instructions and overlaps their misses.
	OOO Model = "ooo"
)

// ParseModel checks that s names a registered model.
func ParseModel(s string) (Model, error) {
	if _, ok := models[Model(s)]; !ok {
		return "", fmt.Errorf("cpu: unknown model %q (want %s)", s, strings.Join(ModelNames(), ", "))
	}
	return Model(s), nil
}

// Config describes a core. Only Model and ExecLatency matter to InOrder;
// the other fields are checked and used for OOO.
type Config struct {
	Model Model
	// Width is the instructions fetched, dispatched and retired per cycle.
	Width int
	// ROB is the reorder buffer's entries (instructions in flight).
	ROB int
	// LQ and SQ are the load and store queue entries: one per load or
	// store reference from dispatch to retirement.
	LQ, SQ int
	// StoreBuffer is the entries of retired stores still draining to memory.
	StoreBuffer int
	// FetchQueue is the instructions the front end may fetch ahead of
	// dispatch; 0 means 64 (ChampSim's IFETCH_BUFFER).
	FetchQueue int
	// ExecLatency is the cycles of an instruction without data accesses
	// (InOrder) or of any non-load instruction once its sources are ready (OOO).
	ExecLatency sim.Cycle
	// MaxInflightLoads caps the loads waiting for data at once; 0 means only
	// the LQ limits them.
	MaxInflightLoads int
	// FetchOnTaken makes a taken branch's target start a new fetch block,
	// an access of its own, even within the line fetched just before (as
	// ChampSim's front end does); without it only a new line does (OOO).
	FetchOnTaken bool
}

// DefaultFetchQueue is FetchQueue's value when it is 0.
const DefaultFetchQueue = 64

// DefaultConfig is a core of the size of a recent x86 server core
// (Skylake: 4 wide, 224 ROB, 72 LQ, 56 SQ entries).
func DefaultConfig() Config {
	return Config{Model: OOO, Width: 4, ROB: 224, LQ: 72, SQ: 56, StoreBuffer: 56,
		FetchQueue: DefaultFetchQueue, ExecLatency: 1}
}

const maxEntries = 1 << 16 // big enough for any core; keeps the rings small

// Validate reports every field out of range, each by name.
func (c Config) Validate() error {
	var errs []error
	check := func(name string, v, lo, hi int) {
		if v < lo || v > hi {
			errs = append(errs, fmt.Errorf("cpu: %s is %d; it must be %d to %d", name, v, lo, hi))
		}
	}
	if _, err := ParseModel(string(c.Model)); err != nil {
		errs = append(errs, err)
	}
	if c.ExecLatency > 1<<20 {
		errs = append(errs, fmt.Errorf("cpu: ExecLatency is %d; it must be 0 to %d", c.ExecLatency, 1<<20))
	}
	if c.Model == OOO {
		check("Width", c.Width, 1, 64)
		check("ROB", c.ROB, 1, maxEntries)
		check("LQ", c.LQ, 1, maxEntries)
		check("SQ", c.SQ, 1, maxEntries)
		check("StoreBuffer", c.StoreBuffer, 1, maxEntries)
		check("FetchQueue", c.FetchQueue, 0, maxEntries)
		check("MaxInflightLoads", c.MaxInflightLoads, 0, maxEntries)
	}
	return errors.Join(errs...)
}

func (c Config) fetchQueue() int {
	if c.FetchQueue == 0 {
		return DefaultFetchQueue
	}
	return c.FetchQueue
}
