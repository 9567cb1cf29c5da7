package machine

import (
	"errors"
	"strings"
	"testing"

	"github.com/vmemu/vmemu/cpu"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/sim"
	"github.com/vmemu/vmemu/traces"
)

// A run that stops making progress is an internal error that lists what
// every component holds in flight, each under its name.
func TestStuckRunShowsWhatIsInFlight(t *testing.T) {
	c, err := config.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Build(c)
	if err != nil {
		t.Fatal(err)
	}
	core, err := cpu.New(cpu.Config{Model: cpu.InOrder}, m.Engine, m.NewSide(), []traces.InstrReader{nil0{}}, cpu.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := m.stuck(sim.ErrStuck, core)
	if !errors.Is(got, ErrInternal) {
		t.Errorf("%v is not an internal error", got)
	}
	for _, want := range []string{"no event is pending", "in-order core", "l1i: 0 MSHR entries held (of ", "l1d: ", "l2: ", "llc: ",
		"page walker: 0 walks busy", "dram channel 0: 0 reads and 0 writes queued"} {
		if !strings.Contains(got.Error(), want) {
			t.Errorf("the report lacks %q:\n%v", want, got)
		}
	}
}

// nil0 is a trace of no instructions.
type nil0 struct{}

func (nil0) ReadInstrs([]traces.Instr) (int, error) { return 0, nil }
func (nil0) Format() string                         { return "none" }
func (nil0) Close() error                           { return nil }
