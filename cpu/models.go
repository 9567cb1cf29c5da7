package cpu

import (
	"slices"

	"github.com/vmemu/vmemu/sim"
)

// A model is one kind of core, stepped by the machine through Core. It
// works on the run's shared parts (run: the feed of instructions, the
// meter that counts retirements, the tally of the CPI stack) and ends the
// run with run.finish.
type model interface {
	next() sim.Cycle
	step(now, limit sim.Cycle)
}

// models holds every kind of core by name. A new kind is a file that
// implements model and registers its constructor from init.
var models = map[Model]func(r *run) model{}

// register makes a core model known to New and to the core.model key.
func register(name Model, build func(r *run) model) {
	if _, dup := models[name]; dup {
		panic("cpu: model " + string(name) + " registered twice")
	}
	models[name] = build
}

// ModelNames lists the registered models, sorted.
func ModelNames() []string {
	var names []string
	for m := range models {
		names = append(names, string(m))
	}
	slices.Sort(names)
	return names
}
